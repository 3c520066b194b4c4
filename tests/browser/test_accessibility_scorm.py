"""axe-core (WCAG 2.1 A and AA) inside the SCORM 1.2 and 2004 test players: every kind of
page of both courses, reached by the package's own navigation, as a learner in an LMS sees it."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from builder.loader import load_course
from conftest import COURSES

from .test_accessibility import page_kinds, violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("folder", COURSES, ids=lambda folder: folder.name)
def test_axe_finds_no_violation_inside_the_players(lms, folder, version):
    course = load_course(folder)
    player = lms(folder, version)
    player.launch()
    frame = player.page.query_selector("#sco").content_frame()
    axe = Axe()
    problems = {}
    for kind, url in page_kinds(course).items():
        if kind != "home":
            frame.locator(f'.timetable a[href="{url}"], .toc a[href="{url}"]').first.click()
            frame.wait_for_function(f"document.body.dataset.page === '{url}'")
        found = violations(axe, frame)
        if found:
            problems[f"{kind} ({url})"] = found
        frame.locator('a.course-name').click()
        frame.wait_for_function("document.body.dataset.page === 'index.html'")
    assert problems == {}
    assert player.errors() == []
