"""Publishing the flagship on a real Moodle with local_coursebridge installed: skipped unless MOODLE_URL and
MOODLE_TOKEN are set (and skipped, saying so, when the token's service lacks the plugin).

Course shortname, cohort, usernames and emails are made unique to the run, so it can run on a shared test
site; what it creates stays there (users are never deleted).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from lms_sync.config import load_settings

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (os.environ.get("MOODLE_URL") and os.environ.get("MOODLE_TOKEN")), reason="needs MOODLE_URL and MOODLE_TOKEN"),
]
FLAGSHIP = Path(__file__).resolve().parents[2] / "course_src" / "animer-communaute-apprenante"


@pytest.fixture
def live_flagship(tmp_path) -> Path:
    client = load_settings().client()
    functions = {f["name"] for f in client.call("core_webservice_get_site_info")["functions"]}
    if "local_coursebridge_get_status" not in functions:
        pytest.skip("the site has no local_coursebridge, or the token's service lacks its functions")
    run = uuid.uuid4().hex[:6]
    course = tmp_path / "animer-communaute-apprenante"
    shutil.copytree(FLAGSHIP, course)
    roster = course / "moodle" / "roster.csv"
    usernames = [row["username"] for row in csv.DictReader(roster.open(encoding="utf-8"))]
    for path in (roster, course / "moodle" / "sync.yaml"):
        text = path.read_text(encoding="utf-8").replace("UNA-CDP-2026", f"UNA-CDP-{run}").replace("una-coordinatrices-2026", f"una-{run}")
        for username in usernames:
            text = text.replace(f"{username},", f"{username}{run},").replace(f"[{username}]", f"[{username}{run}]")
        path.write_text(text.replace(".example.org", f".{run}.example.org"), encoding="utf-8")
    return course / "moodle" / "sync.yaml"


def plan(sync: Path) -> dict:
    result = CliRunner().invoke(main, ["sync", "plan", str(sync), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_live_publish_the_flagship_rerun_then_one_page_changed(live_flagship: Path):
    first = plan(live_flagship)
    assert first["counts"]["upload scorm"] == 1 and first["notes"] == []
    applied = CliRunner().invoke(main, ["sync", "apply", str(live_flagship)], catch_exceptions=False)
    assert applied.exit_code == 0, applied.output
    assert plan(live_flagship)["actions"] == []

    page = live_flagship.parent.parent / "pages" / "jour-1" / "cooperation-collaboration.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nCoopérer, c'est aussi savoir dire non.\n", encoding="utf-8")
    assert [a["kind"] for a in plan(live_flagship)["actions"]] == ["upload scorm"]
    assert CliRunner().invoke(main, ["sync", "apply", str(live_flagship)], catch_exceptions=False).exit_code == 0
    assert plan(live_flagship)["actions"] == []
