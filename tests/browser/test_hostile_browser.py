"""In Chromium: a course full of injection payloads runs no script, opens no dialog, and
keeps its text visible, on every page, before and after answering the quizzes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course
from hostile import hostile_course

pytestmark = pytest.mark.browser
MARKER = re.compile(r"VISIBLE-\d+")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    folder = hostile_course(tmp_path_factory.mktemp("hostile") / "cours")
    return get_exporter("web").build(load_course(folder), tmp_path_factory.mktemp("dist")).output


def test_no_payload_runs_and_text_stays_visible(hostile_site: Path, page, serve_folder):
    base = serve_folder(hostile_site)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    pages = sorted(p.name for p in hostile_site.glob("*.html"))
    seen_markers: set[str] = set()
    for name in pages:
        page.goto(base + name)
        for form in page.query_selector_all("form.quiz"):  # blank answers, confirmed
            form.eval_on_selector("button[type=submit]", "b => b.click()")
            form.eval_on_selector(".quiz-confirm button", "b => b.click()")
        page.mouse.move(10, 10)
        page.mouse.move(300, 400)
        page.keyboard.press("Tab")
        assert page.evaluate("typeof window.__pwned") == "undefined", name
        visible = page.evaluate("document.body.innerText")
        seen_markers |= set(MARKER.findall(visible))
        source_text = page.evaluate(
            "Array.from(document.body.querySelectorAll(':not(script)'))"
            ".map(e => Array.from(e.childNodes).filter(n => n.nodeType === 3)"
            ".map(n => n.textContent).join(' ')).join(' ')")
        hidden = set(MARKER.findall(source_text)) - set(MARKER.findall(visible))
        assert not hidden, f"{name}: text present but not visible: {sorted(hidden)}"
    assert dialogs == []
    assert len(seen_markers) >= 40, sorted(seen_markers)
