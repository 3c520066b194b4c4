"""Faults: applying while a share of calls fail, and a sync killed with SIGKILL mid-run."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from lms_sync.apply import DEPENDS, NOT_CREATED, UNKNOWN, Applier
from lms_sync.client import MoodleClient
from lms_sync.errors import MoodleError
from lms_sync.journal import Journal
from lms_sync.plan import Action, make_plan
from lms_sync.state import read_state
from lms_sync.syncfile import load_sync_file
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


def has_effect(site, action) -> bool | None:
    """Whether the double holds what `action` was to do; None where this test does not check."""
    data, kind = action.data, action.kind
    user = site.user_by("username", data.get("username", action.target if kind == "create user" else None))
    course = next((c for c in site.courses.values() if c.shortname == "CP-2026"), None)
    if kind == "create category":
        parent = 0
        for name in data["path"]:
            parent = next((c.id for c in site.categories.values() if c.parent == parent and c.name == name), None)
            if parent is None:
                return False
        return True
    if kind == "create course":
        return course is not None
    if kind == "rename section":
        return course is not None and course.sections[data["section"]].name == data["name"]
    if kind == "create user":
        return user is not None
    if kind == "create cohort":
        return any(c.idnumber == action.target for c in site.cohorts.values())
    if kind == "add cohort member":
        return user is not None and any(c.idnumber == data["cohort"] and user.id in c.members for c in site.cohorts.values())
    if kind == "enrol":
        return user is not None and course is not None and data["roleid"] in course.enrolments.get(user.id, set())
    if kind == "create group":
        return any(g.name == action.target for g in site.groups.values())
    if kind == "add group member":
        return user is not None and any(g.name == data["group"] and user.id in g.members for g in site.groups.values())
    if kind == "post discussion":
        forum = next(f for f in site.forums.values() if f.name == data["forum"])
        groupid = next((g.id for g in site.groups.values() if g.name == data["group"]), None) if data["group"] else -1
        return any(d.forum == forum.id and d.subject == data["subject"] and d.groupid == groupid for d in site.discussions.values())
    return None


NAMED_IN_REASON = re.compile(r"^(user|cohort|group|course|category) '(.+?)' (was not created|may have been created)")


def converge_under_faults(workdir: Path, seed: int) -> tuple[Counter, int]:
    """Apply until done while answers get lost, checking each run's report against the double's state.

    What apply says done is there, what it says failed is not (unless it says the outcome is unknown),
    and a step waiting for something that "was not created" is right that it was not. Returns the
    failures counted by cause and how many lost answers were read back."""
    with MoodleDouble() as moodle:
        site = moodle.site
        course = site.add_course("CP-2026", "Old name", 1)
        site.add_forum(course.id, "Présentations", groupmode=1)
        site.add_forum(course.id, "Forum des échanges")
        moodle.faults = Faults(rate=0.25, kinds=("timeout", "reset", "malformed", "http503"), seed=seed, hang_seconds=0.6)
        spec = load_sync_file(workdir / "sync.yaml")
        journal_path = workdir / f"journal-{seed}.jsonl"
        causes: Counter = Counter()
        for _ in range(15):
            client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, timeout=0.3, retries=1, backoff=0)
            try:
                state = read_state(client, spec)
            except MoodleError:
                continue
            plan = make_plan(spec, state)
            if plan.empty:
                break
            with Journal(journal_path) as journal:
                result = Applier(client, spec, state, journal).apply(plan)
            with moodle.lock:  # the double's state once the run is over
                for action in result.done:
                    assert has_effect(site, action) is not False, f"said done, not in Moodle: {action.describe()}"
                for failure in result.failed:
                    causes[failure.cause] += 1
                    if failure.cause != UNKNOWN:
                        assert has_effect(site, failure.action) is not True, f"said failed, yet in Moodle: {failure}"
                    named = NAMED_IN_REASON.match(failure.reason)
                    if named and named[3] == "was not created":
                        assert not has_effect(site, Action("create " + named[1], named[2], {"path": named[2].split(" / ")})), failure
        moodle.faults = Faults()
        assert make_plan(spec, read_state(MoodleClient(moodle.url, moodle.ADMIN_TOKEN), spec)).empty
        assert_no_duplicates(moodle)
    read_back = sum(1 for line in journal_path.read_text().splitlines() if '"event": "read back"' in line)
    return causes, read_back


def test_every_outcome_reported_under_faults_is_what_moodle_holds(workdir: Path):
    """Seeds are tried until the faults have both failed items and lost answers that were read back."""
    seen: Counter = Counter()
    read_back = 0
    for seed in range(1, 13):
        causes, found = converge_under_faults(workdir, seed)
        seen += causes
        read_back += found
        if read_back >= 2 and {NOT_CREATED, DEPENDS} <= set(seen):
            break
    assert read_back >= 2 and {NOT_CREATED, DEPENDS} <= set(seen), (read_back, seen)


def test_each_retry_is_journalled_and_logged_once_with_its_function(cli: Cli):
    cli.moodle.faults = Faults(rate=0.3, kinds=("http503",), seed=3)
    fast_config(cli, timeout=5)
    result = cli.apply("--debug")
    assert result.exit_code in (0, 4) and "Traceback" not in result.output
    events = [json.loads(line) for line in (cli.workdir / "sync.journal.jsonl").read_text().splitlines()]
    retries = [e for e in events if e["event"] == "retry"]
    assert retries and all(e["reason"].endswith("HTTP 503 from " + cli.moodle.url + "/webservice/rest/server.php") for e in retries)
    assert all(e["function"] in e["reason"] and e["attempt"] >= 1 for e in retries)
    logged = [line for line in result.stderr.splitlines() if "; retry " in line]
    assert len(logged) >= len(retries)  # reads before the journal opened are logged too
    assert all(line.count(line.split("lms_sync.client: ")[1].split(":")[0]) == 1 for line in logged)  # the function once


def test_a_failed_apply_leaves_no_empty_journal(cli: Cli):
    cli.env["MOODLE_TOKEN"] = "not-a-token-0123456789abcdef0123"
    result = cli.apply()
    assert result.exit_code == 3 and "invalidtoken" in result.stderr
    assert not (cli.workdir / "sync.journal.jsonl").exists()
