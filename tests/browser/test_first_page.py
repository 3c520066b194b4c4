"""The first page of each output, with everything it loads, stays under 100 KB."""

from __future__ import annotations

import zipfile

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course
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
