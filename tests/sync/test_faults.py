"""Faults: applying while a share of calls fail, and a sync killed with SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from moodle_double import FAULT_KINDS, Faults, MoodleDouble

from .conftest import Cli, targets

ROOT = Path(__file__).resolve().parents[2]


def fast_config(cli: Cli, timeout: float, max_input_vars: int = 1000) -> None:
    config = cli.workdir / "moodle.yaml"
    config.write_text(f"backoff: 0\ntimeout: {timeout}\nretries: 3\nmax_input_vars: {max_input_vars}\n")
    config.chmod(0o600)
    cli.env["COURSEBRIDGE_MOODLE_CONFIG"] = str(config)


def assert_no_duplicates(moodle: MoodleDouble) -> None:
    site = moodle.site
    assert len({u.username for u in site.users.values()}) == len(site.users)
    assert len({(g.courseid, g.name) for g in site.groups.values()}) == len(site.groups)
    assert len({c.idnumber for c in site.cohorts.values()}) == len(site.cohorts)
    discussions = Counter((d.forum, d.subject, d.groupid) for d in site.discussions.values())
    assert all(n == 1 for n in discussions.values()), discussions


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_apply_under_20_percent_faults_then_again_until_done(cli: Cli, seed):
    moodle = cli.moodle
    course = moodle.site.add_course("CP-2026", "Old name", 1)
    moodle.site.add_forum(course.id, "Présentations", groupmode=1)
    moodle.site.add_forum(course.id, "Forum des échanges")
    moodle.faults = Faults(rate=0.2, kinds=FAULT_KINDS, seed=seed, hang_seconds=1.2)
    fast_config(cli, timeout=0.5)
    runs = []
    for _ in range(12):
        result = cli.apply()
        runs.append(result.exit_code)
        assert "Traceback" not in result.output
        if result.exit_code == 0 and "Nothing to do" in result.stdout:
            break
    assert runs[-1] == 0 and "Nothing to do" in result.stdout, runs
    moodle.faults = Faults()
    assert cli.plan()["actions"] == []
    assert_no_duplicates(moodle)
    assert len(moodle.site.discussions) == 4
    events = [json.loads(line) for line in (cli.workdir / "sync.journal.jsonl").read_text().splitlines()]
    if any(code == 4 for code in runs):
        assert any(e["event"] == "result" and e["outcome"] == "failed" and e["reason"] for e in events)
    assert sum(1 for e in events if e["event"] == "start") == len(runs) - 1  # the last run had nothing to do


def test_sigkill_mid_apply_leaves_a_state_whose_next_plan_is_the_remainder(cli: Cli):
    moodle = cli.moodle
    moodle.max_input_vars = 40  # many small calls, so the kill lands in the middle
    fast_config(cli, timeout=5, max_input_vars=40)
    roster = cli.workdir / "roster.csv"
    rows = roster.read_text().splitlines()
    rows += [f"extra{i},Extra,Person{i},extra{i}@example.org,E-{i},manual,cp-2026,CP-2026,student,Groupe A" for i in range(150)]
    roster.write_text("\n".join(rows) + "\n")
    before = cli.plan()
    assert moodle.write_calls == 0

    command = [sys.executable, "-m", "builder", "sync", "apply", str(cli.workdir / "sync.yaml")]
    env = {**os.environ, **cli.env, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while moodle.write_calls < 8 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL

    after = cli.plan()
    done = targets(before) - targets(after)
    assert done and targets(after) <= targets(before)  # the remainder: nothing new, something done
    assert_no_duplicates(moodle)
    journal = (cli.workdir / "sync.journal.jsonl").read_text().splitlines()
    assert json.loads(journal[0])["event"] == "start"
    assert not any(json.loads(line)["event"] == "end" for line in journal)

    assert cli.apply().exit_code == 0
    assert cli.plan()["actions"] == []
    assert_no_duplicates(moodle)
