"""Benchmark: syncing 100, 1,000 and 10,000 users against the Moodle double.

Prints, for each size: calls, write calls and seconds of a first apply, of a second apply (which
must write nothing), and of a naive loop making one call per user per operation (run up to 1,000 users, counted beyond); the ratio of
calls; and whether the calls stay within ceil(N / batch) per kind of operation plus a constant.
Run: python bench/bench_sync.py [SIZES...]
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from lms_sync.apply import Applier  # noqa: E402
from lms_sync.client import PROTOCOL_FIELDS, MoodleClient, field_count  # noqa: E402
from lms_sync.journal import Journal  # noqa: E402
from lms_sync.plan import make_plan  # noqa: E402
from lms_sync.state import ENROLLED_PAGE, read_state  # noqa: E402
from lms_sync.syncfile import load_sync_file  # noqa: E402
from moodle_double import MoodleDouble  # noqa: E402

MAX_INPUT_VARS = 1000
NAIVE_RUN_LIMIT = 1000  # users up to which the naive loop is run, not just counted
GROUPS = 10
SYNC_FILE = """course:
  shortname: BENCH
  fullname: Benchmark course
  category: Bench
users:
  rosters: [roster.csv]
cohorts:
  - idnumber: bench
    name: Bench cohort
enrolments:
  - cohort: bench
    role: student
groups:
  - roster
"""
# Operations per user, each of which the naive loop sends one call for.
NAIVE_OPERATIONS = ("core_user_get_users_by_field", "core_user_create_users", "core_cohort_add_cohort_members", "enrol_manual_enrol_users", "core_group_add_group_members")


def write_inputs(folder: Path, size: int) -> Path:
    rows = ["username,firstname,lastname,email,cohort1,group1"]
    rows += [f"user{i},First{i},Last{i},user{i}@example.org,bench,group{i % GROUPS}" for i in range(size)]
    (folder / "roster.csv").write_text("\n".join(rows) + "\n")
    (folder / "sync.yaml").write_text(SYNC_FILE)
    return folder / "sync.yaml"


def sync_once(url: str, token: str, sync_file: Path) -> tuple[int, int, float]:
    started = time.perf_counter()
    client = MoodleClient(url, token, max_input_vars=MAX_INPUT_VARS)
    spec = load_sync_file(sync_file)
    state = read_state(client, spec)
    plan = make_plan(spec, state)
    with Journal(sync_file.with_name("journal.jsonl")) as journal:
        result = Applier(client, spec, state, journal).apply(plan)
    assert result.ok, result.failed[:3]
    return client.stats.total, client.stats.writes, time.perf_counter() - started


def naive_loop(url: str, token: str, size: int) -> tuple[int, float]:
    """One call per user per operation, as a simple script would do it."""
    client = MoodleClient(url, token, max_input_vars=MAX_INPUT_VARS)
    started = time.perf_counter()
    course = client.call("core_course_create_courses", {"courses": [{"fullname": "Naive", "shortname": "NAIVE", "categoryid": 1}]})[0]["id"]
    cohort = client.call("core_cohort_create_cohorts", {"cohorts": [{"categorytype": {"type": "system", "value": ""}, "name": "N", "idnumber": "naive"}]})[0]["id"]
    group = client.call("core_group_create_groups", {"groups": [{"courseid": course, "name": "G", "description": ""}]})[0]["id"]
    for i in range(size):
        client.call("core_user_get_users_by_field", {"field": "username", "values": [f"naive{i}"]})
        user = client.call("core_user_create_users", {"users": [{"username": f"naive{i}", "firstname": "F", "lastname": "L", "email": f"naive{i}@example.org", "createpassword": 1}]})[0]["id"]
        client.call("core_cohort_add_cohort_members", {"members": [{"cohorttype": {"type": "id", "value": cohort}, "usertype": {"type": "id", "value": user}}]})
        client.call("enrol_manual_enrol_users", {"enrolments": [{"roleid": 5, "userid": user, "courseid": course}]})
        client.call("core_group_add_group_members", {"members": [{"groupid": group, "userid": user}]})
    return client.stats.total, time.perf_counter() - started


def bound(size: int) -> int:
    """ceil(N / batch) for each batched kind, plus a constant for the fixed calls."""
    per_call = MAX_INPUT_VARS - PROTOCOL_FIELDS
    user = {"username": "user0000", "firstname": "F", "lastname": "L", "email": "e", "auth": "manual", "idnumber": "", "createpassword": 1}
    batches = {
        "read users": math.ceil(size / (per_call - 1)),
        "read enrolled": math.ceil(size / ENROLLED_PAGE) + 1,
        "create users": math.ceil(size / (per_call // field_count(user))),
        "add cohort members": math.ceil(size / (per_call // 4)),
        "enrol": math.ceil(size / (per_call // 3)),
        "add group members": math.ceil(size / (per_call // 2)),
    }
    constant = 20  # site info, categories, course, cohorts, groups; creating the category, course, cohort, groups
    return sum(batches.values()) + constant


def main(sizes: list[int]) -> None:
    print(f"{'users':>7} {'calls':>6} {'writes':>6} {'secs':>7} {'2nd writes':>10} {'naive calls':>11} {'naive secs':>10} {'ratio':>7} {'bound':>6}")
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder, MoodleDouble(max_input_vars=MAX_INPUT_VARS) as moodle:
            sync_file = write_inputs(Path(folder), size)
            calls, writes, seconds = sync_once(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            _, second_writes, _ = sync_once(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            if size <= NAIVE_RUN_LIMIT:
                naive_calls, naive_seconds = naive_loop(moodle.url, moodle.ADMIN_TOKEN, size)
            else:  # its calls are known; running 50,000 of them would only time the double
                naive_calls, naive_seconds = len(NAIVE_OPERATIONS) * size + 3, float("nan")
            limit = bound(size)
            within = "ok" if calls <= limit else "OVER"
            print(
                f"{size:>7} {calls:>6} {writes:>6} {seconds:>7.2f} {second_writes:>10} {naive_calls:>11} {naive_seconds:>10.2f} "
                f"{naive_calls / calls:>6.1f}x {limit:>5} {within}"
            )
            assert second_writes == 0, "a second apply with no change must write nothing"


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
