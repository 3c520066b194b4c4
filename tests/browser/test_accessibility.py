"""The learner's pages in Chromium: axe-core (WCAG 2.1 A and AA) on every kind of page of both
courses, no horizontal scrolling from 360 px to 1280 px (screenshots saved as artifacts), and
a quiz done with the keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from builder.exporters import get_exporter
from builder.loader import load_course
from builder.model import Activity
from conftest import COURSES

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def page_kinds(course) -> dict[str, str]:
    """One page URL per kind of page: home, each activity type, glossary, bibliography,
    and a printable document."""
    kinds = {"home": "index.html"}
    for _, _, activity in course.activities():
        kinds.setdefault(activity.type, f"{activity.id}.html")
    if course.glossary:
        kinds["glossary"] = "glossaire.html"
    if course.bibliography:
        kinds["bibliography"] = "bibliographie.html"
    return kinds


@pytest.fixture(scope="module", params=COURSES, ids=lambda folder: folder.name)
def built(request, tmp_path_factory):
    course = load_course(request.param)
    site = get_exporter("web").build(course, tmp_path_factory.mktemp("web")).output
    return course, site


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def violations(axe: Axe, target) -> list[str]:
    result = axe.run(target, options=WCAG)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
            for v in result.response["violations"]]


def test_axe_finds_no_violation_on_any_kind_of_page(built, axe, page, serve_folder):
    course, site = built
    base = serve_folder(site)
    documents = sorted(str(p.relative_to(site)) for p in (site / "assets").rglob("*.html"))
    targets = {**page_kinds(course), **({"document": documents[0]} if documents else {})}
    problems = {}
    for kind, url in targets.items():
        page.goto(base + url)
        found = violations(axe, page)
        if kind == "quiz":  # blank answers: the confirmation, then the graded result
            page.click("form.quiz button[type=submit]")
            found += violations(axe, page)
            page.click("form.quiz .quiz-confirm button >> nth=0")
            page.wait_for_selector("form.quiz .feedback.is-incorrect")
            found += violations(axe, page)
        if found:
            problems[f"{kind} ({url})"] = found
    assert problems == {}


@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scrolling_and_screenshots(built, browser, serve_folder, width):
    course, site = built
    base = serve_folder(site)
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        for kind, url in page_kinds(course).items():
            page.goto(base + url)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 0, f"{kind} ({url}) scrolls sideways by {overflow}px at {width}px"
            page.screenshot(path=str(ARTIFACTS / f"{course.id}-{kind}-{width}.png"), full_page=True)
    finally:
        context.close()


def test_quiz_with_the_keyboard_alone(built, page, serve_folder):
    course, site = built
    quiz = next(a for _, _, a in course.activities() if a.type == "quiz")
    page.goto(serve_folder(site) + f"{quiz.id}.html")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")  # skip to the content
    visited_fields = 0
    for _ in range(400):  # answer each field reached by Tab: Space checks, ArrowDown picks
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "({tag: document.activeElement.tagName, type: document.activeElement.type || '',"
            " submit: document.activeElement.type === 'submit',"
            " visible: getComputedStyle(document.activeElement).outlineStyle !== 'none'})")
        if focused["submit"]:
            break
        if focused["tag"] == "INPUT" and focused["type"] in ("radio", "checkbox"):
            page.keyboard.press("Space")
            visited_fields += 1
        elif focused["tag"] == "SELECT":
            page.keyboard.press("ArrowDown")
            visited_fields += 1
        elif focused["tag"] == "INPUT":
            page.keyboard.type("réponse")
            visited_fields += 1
    assert visited_fields >= len(quiz.questions)
    page.keyboard.press("Enter")
    result = page.locator("form.quiz .quiz-result")
    assert "Score" in result.inner_text()
    assert result.get_attribute("role") == "status"
    assert page.locator("form.quiz .feedback.is-correct, form.quiz .feedback.is-incorrect").count() \
        == len(quiz.questions)


def test_focus_is_visible(built, page, serve_folder):
    _, site = built
    page.goto(serve_folder(site) + "index.html")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")


def test_every_activity_type_is_covered_by_the_courses():
    """The axe test visits one page per activity type: make sure the courses have them all."""
    types = {a.type for folder in COURSES for _, _, a in load_course(folder).activities()}
    assert types >= {t for cls in Activity.__subclasses__() for t in cls.TYPES} - {"workshop"}
