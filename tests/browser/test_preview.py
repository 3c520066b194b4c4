"""The preview in the browser: an edit of a page's text is swapped into the open page (its
scripts go on working), a change of anything else reloads it, problems show on the page and
the next good edit clears them."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.preview import PreviewServer

from .test_scorm_runtime import answer_scaffold_quiz

pytestmark = pytest.mark.browser
SECONDS = 15_000  # ms, for each wait


@pytest.fixture
def preview(course_dir: Path):
    server = PreviewServer(course_dir, port=0, report=lambda line: None)
    server.start()
    yield server
    server.stop()


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def open_marked(page, url: str) -> None:
    """Open `url` and mark the document: a reload loses the mark, a swap keeps it."""
    page.goto(url)
    page.wait_for_function("window.CourseBridge")
    page.evaluate("window.previewMark = 1")


def marked(page) -> bool:
    return page.evaluate("window.previewMark === 1")


def test_an_edit_is_swapped_in_then_problems_show_then_clear(preview, course_dir: Path, page):
    open_marked(page, preview.url + "definition.html")
    text = course_dir / "pages" / "definition.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    page.wait_for_function("document.querySelector('main').innerText.includes('Une phrase ajoutée')",
                           timeout=SECONDS)  # fmt: skip
    assert marked(page)
    day = course_dir / "days" / "jour-1.yaml"
    replace_in(day, "type: quiz", "type: quizz")
    page.wait_for_selector("#coursebridge-problems", timeout=SECONDS)
    assert "unknown activity type 'quizz'" in page.inner_text("#coursebridge-problems")
    replace_in(day, "type: quizz", "type: quiz")
    page.wait_for_selector("#coursebridge-problems", state="detached", timeout=SECONDS)
    assert marked(page) and "Une phrase ajoutée" in page.inner_text("main")


def test_a_swapped_in_quiz_works(preview, course_dir: Path, page):
    open_marked(page, preview.url + "quiz-definition.html")
    replace_in(course_dir / "days" / "jour-1.yaml", "Quelle dimension désigne",
               "Quelle dimension, selon Wenger, désigne")
    page.wait_for_function("document.querySelector('main').innerText.includes('selon Wenger')",
                           timeout=SECONDS)  # fmt: skip
    assert marked(page)
    answer_scaffold_quiz(page, right=True)
    assert "Quiz réussi" in page.locator(".quiz-result").inner_text()


def test_a_new_image_reloads_the_page_and_shows(preview, course_dir: Path, page):
    open_marked(page, preview.url + "definition.html")
    image = course_dir / "images" / "schema.svg"
    image.parent.mkdir()
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"></svg>',
                     encoding="utf-8")  # fmt: skip
    text = course_dir / "pages" / "definition.md"
    text.write_text(text.read_text(encoding="utf-8") + "\n![Le schéma](../images/schema.svg)\n",
                    encoding="utf-8")  # fmt: skip
    page.wait_for_function("(document.querySelector('main img[alt=\"Le schéma\"]') || {}).naturalWidth === 40",
                           timeout=SECONDS)  # fmt: skip
    assert not marked(page)  # a new file: the page was reloaded
    open_marked(page, preview.url + "definition.html")
    image.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"></svg>',
                     encoding="utf-8")  # fmt: skip
    page.wait_for_function("document.querySelector('main img[alt=\"Le schéma\"]').naturalWidth === 80",
                           timeout=SECONDS)  # fmt: skip
    assert not marked(page)  # the image edited is fetched again, not taken from the cache


def test_a_change_outside_the_main_text_reloads_the_page(preview, course_dir: Path, page):
    open_marked(page, preview.url + "definition.html")
    replace_in(course_dir / "course.yaml", "organisation: Mon organisme de formation",
               "organisation: Un autre organisme")
    page.wait_for_function("document.querySelector('footer').innerText.includes('Un autre organisme')",
                           timeout=SECONDS)  # fmt: skip
    assert not marked(page)  # the footer is outside what a swap replaces


def test_a_course_broken_from_the_start_shows_its_problems_then_the_page(course_dir: Path, page):
    day = course_dir / "days" / "jour-1.yaml"
    replace_in(day, "type: quiz", "type: quizz")
    server = PreviewServer(course_dir, port=0, report=lambda line: None)
    server.start()
    try:
        page.goto(server.url + "definition.html")
        assert "unknown activity type 'quizz'" in page.inner_text("pre")
        replace_in(day, "type: quizz", "type: quiz")
        page.wait_for_selector("main h1", timeout=SECONDS)
        assert "Qu'est-ce qu'une communauté" in page.inner_text("main h1")
    finally:
        server.stop()
