"""The report's dashboard (report.html) in Chromium: axe-core finds nothing (WCAG 2.1 A and AA), no
request leaves the file, nothing scrolls sideways at 360 and 1280 px (screenshots saved as
artifacts), and printing drops the navigation but keeps every chart and table; learners' own work
included (--include-learner-texts)."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from builder.cli import main
from moodle_double import MoodleDouble
from report.conftest import FIXTURES, seed_session

from .test_accessibility import ARTIFACTS, violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("report") / "work"
    shutil.copytree(FIXTURES, workdir)
    with MoodleDouble() as moodle:
        seed_session(moodle, workdir)
        env = {"MOODLE_URL": moodle.url, "MOODLE_TOKEN": moodle.ADMIN_TOKEN, "XDG_CONFIG_HOME": str(workdir / "no-config")}
        arguments = ["report", str(workdir / "sync.yaml"), "-o", str(workdir / "out"), "--timezone", "UTC", "--include-learner-texts"]
        result = CliRunner().invoke(main, arguments, env=env)
    assert result.exit_code == 0, result.output
    return workdir / "out" / "report.html"


def test_axe_finds_no_violation_and_nothing_is_fetched(dashboard, page):
    from axe_playwright_python.sync_playwright import Axe

    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(dashboard.as_uri())
    assert requests == [dashboard.as_uri()]  # inline CSS and SVG: readable offline
    assert page.locator("svg[role=img]").count() == 3  # completion by group, mastery, question difficulty
    for chart in page.locator("svg[role=img]").all():  # each named and described, its data in the next table
        assert chart.get_attribute("aria-labelledby").endswith("-desc")
    assert violations(Axe(), page) == []


@pytest.mark.parametrize("width", [360, 1280])
def test_no_horizontal_scrolling_and_screenshots(dashboard, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(dashboard.as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the dashboard scrolls sideways by {overflow}px at {width}px"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-dashboard-{width}.png"), full_page=True)
    finally:
        context.close()


def test_printing_keeps_charts_and_tables(dashboard, page):
    page.goto(dashboard.as_uri())
    page.emulate_media(media="print")
    assert page.locator("nav").is_hidden()
    assert page.locator("svg[role=img]").first.is_visible()
    assert page.locator("table").count() == 6  # groups, objectives, questions, 2 prompts, learners
