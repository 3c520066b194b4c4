"""The first page of each output, with everything it loads, stays under 100 KB; and the
preview server reloads the page in the browser when a source changes."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course
from builder.preview import PreviewServer
from conftest import FLAGSHIP

pytestmark = pytest.mark.browser
BUDGET = 100 * 1024


def first_page_bytes(page, url: str) -> int:
    """Bytes of the page and of every response it triggers until the network is idle."""
    sizes: list[int] = []
    page.on("response", lambda response: sizes.append(len(response.body())))
    page.goto(url, wait_until="networkidle")
    return sum(sizes)


@pytest.mark.parametrize("name", ["web", "scorm12", "scorm2004"])
def test_first_page_is_under_100_kb(name, page, serve_folder, tmp_path):
    output = get_exporter(name).build(load_course(FLAGSHIP), tmp_path / "dist").output
    if zipfile.is_zipfile(output):
        folder = tmp_path / "package"
        with zipfile.ZipFile(output) as archive:
            archive.extractall(folder)
        output = folder
    size = first_page_bytes(page, serve_folder(output) + "index.html")
    assert 0 < size < BUDGET, f"{name}: first page loads {size} bytes"


def test_preview_reloads_the_page_after_an_edit(course_dir: Path, page):
    server = PreviewServer(course_dir, port=0, report=lambda line: None)
    server.start()
    try:
        page.goto(server.url + "definition.html")
        assert "Une phrase ajoutée" not in page.inner_text("main")
        text = course_dir / "pages" / "definition.md"
        text.write_text(text.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n",
                        encoding="utf-8")
        page.wait_for_function(
            "document.querySelector('main').innerText.includes('Une phrase ajoutée')",
            timeout=15000)
        day = course_dir / "days" / "jour-1.yaml"
        day.write_text(day.read_text(encoding="utf-8").replace("type: quiz", "type: quizz"),
                       encoding="utf-8")
        page.wait_for_selector("#coursebridge-problems", timeout=15000)
        assert "unknown activity type 'quizz'" in page.inner_text("#coursebridge-problems")
    finally:
        server.stop()
