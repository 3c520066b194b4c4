"""The report against a real Moodle: skipped unless MOODLE_URL and MOODLE_TOKEN are set.

Syncs the report tests' course under a shortname and usernames unique to the run (as the sync live
suite does), then reports on it: every learner not started, nothing written in Moodle by the report.
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


def test_live_report_of_a_fresh_session(tmp_path):
    run_id = uuid.uuid4().hex[:6]
    workdir = tmp_path / "work"
    shutil.copytree(FIXTURES, workdir)
    usernames = [line.split(",")[0] for line in (workdir / "roster.csv").read_text(encoding="utf-8").splitlines()[1:]]
    for name in ("sync.yaml", "roster.csv"):
        path = workdir / name
        text = path.read_text(encoding="utf-8").replace("RF-2026", f"RF-{run_id}").replace("rf-2026", f"rf-{run_id}")
        text = text.replace("@example.org", f".{run_id}@example.org")
        for username in usernames:
            text = text.replace(f"\n{username},", f"\n{username}{run_id},").replace(f"[{username}]", f"[{username}{run_id}]")
        path.write_text(text, encoding="utf-8")
    invoke = lambda *args: CliRunner().invoke(main, list(args), catch_exceptions=False)  # noqa: E731
    assert invoke("sync", "apply", str(workdir / "sync.yaml")).exit_code in (0, 4)  # 4: some items failed, e.g. no forum
    result = invoke("report", str(workdir / "sync.yaml"), "-o", str(tmp_path / "out"), "--certificates")
    assert result.exit_code == 0, result.output
    learners = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["learners"]
    assert len(learners) == 7
    assert {learner["status"] for learner in learners} == {"not_started"}
    assert "none of them a write" in result.stdout
