"""The scenarios against a real Moodle: skipped unless MOODLE_URL and MOODLE_TOKEN are set.

Uses a course shortname and usernames unique to the run, so it can run on a shared test site.
It creates users, a cohort, a category and a course there and leaves them (users are never deleted).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not (os.environ.get("MOODLE_URL") and os.environ.get("MOODLE_TOKEN")), reason="needs MOODLE_URL and MOODLE_TOKEN"),
]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def live_workdir(tmp_path) -> Path:
    run = uuid.uuid4().hex[:6]
    target = tmp_path / "work"
    shutil.copytree(FIXTURES, target)
    for name in ("sync.yaml", "roster.csv", "trainers.yaml"):
        path = target / name
        text = path.read_text()
        for username in ("alice", "bob", "chloe", "david", "fatima"):
            text = text.replace(f"{username},", f"{username}{run},").replace(f"[{username}]", f"[{username}{run}]")
            text = text.replace(f"username: {username}", f"username: {username}{run}").replace(f"{username}@", f"{username}{run}@")
        path.write_text(text.replace("CP-2026", f"CP-{run}").replace("cp-2026", f"cp-{run}"))
    return target


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def plan(workdir: Path, *extra: str) -> dict:
    result = run("sync", "plan", str(workdir / "sync.yaml"), "--json", *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_live_doctor():
    assert run("moodle", "doctor").exit_code in (0, 1)


def test_live_plan_apply_converge_then_roster_change_and_prune(live_workdir: Path):
    assert plan(live_workdir)["counts"]["create user"] == 5
    assert run("sync", "apply", str(live_workdir / "sync.yaml")).exit_code == 0
    assert plan(live_workdir)["actions"] == []

    roster = live_workdir / "roster.csv"
    lines = roster.read_text().splitlines()
    roster.write_text("\n".join(line for line in lines if not line.startswith("bob")) + "\n")
    assert plan(live_workdir)["actions"] == []
    pruning = plan(live_workdir, "--prune")
    assert {a["kind"] for a in pruning["actions"]} == {"remove cohort member", "remove group member", "unenrol"}
    assert run("sync", "apply", str(live_workdir / "sync.yaml"), "--prune").exit_code == 0
    assert plan(live_workdir, "--prune")["actions"] == []
