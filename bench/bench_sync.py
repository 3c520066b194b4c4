"""Benchmark: syncing 100, 1,000 and 10,000 users against the Moodle double, priced like a real site.

The double charges each call and each value of its answers (`SITE_COST`, from the real Moodle 5.1
site of issue 14: 1,000 full enrolled-user records took 10.5 s), outside its lock, so fewer
records or fields and concurrent reads show in the seconds as they would on a site.

Prints two tables. Applies: calls, write calls and seconds of a first apply, of a second apply
(which must write nothing), and of a naive loop making one call per user per operation (run at
100 users, projected beyond), with the ratios and the bound ceil(N / batch) per kind plus a constant.
Reads of a no-change rerun's users and enrolments: calls, bytes and seconds before (every user of
the files by field, full enrolled-user records, one call at a time: the previous version) and
after (enrolled users with `userfields` only, the others by field, `concurrency` calls at a time).
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
from lms_sync.state import ENROLLED_PAGE_SIDE_BY_SIDE, read_state  # noqa: E402
from lms_sync.syncfile import load_sync_file  # noqa: E402
from moodle_double import Cost, MoodleDouble  # noqa: E402

MAX_INPUT_VARS = 1000
# 50 ms a call (PHP start-up, token, capability checks); 0.5 ms a value returned (10.5 s for 1,000
# enrolled-user records of 20 values each, as measured on the real site).
SITE_COST = Cost(per_call=0.05, per_value=0.0005)
NAIVE_RUN_SIZE = 100  # users the naive loop is run for; its seconds are projected linearly beyond
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
    """One apply: (calls, write calls, seconds)."""
    started = time.perf_counter()
    client = MoodleClient(url, token, max_input_vars=MAX_INPUT_VARS)
    spec = load_sync_file(sync_file)
    state = read_state(client, spec)
    plan = make_plan(spec, state)
    with Journal(sync_file.with_name("journal.jsonl")) as journal:
        result = Applier(client, spec, state, journal).apply(plan)
    assert result.ok, result.failed[:3]
    return client.stats.total, client.stats.writes, time.perf_counter() - started


def user_reads_before(url: str, token: str, sync_file: Path) -> tuple[int, int, float]:
    """The previous version's reads of users and enrolments: (calls, bytes read, seconds)."""
    client = MoodleClient(url, token, max_input_vars=MAX_INPUT_VARS)
    spec = load_sync_file(sync_file)
    course = client.call("core_course_get_courses_by_field", {"field": "shortname", "value": spec.course.shortname})["courses"][0]
    calls, received = client.stats.total, client.stats.bytes_read
    started = time.perf_counter()
    for batch in client.batches("values", sorted(spec.users), {"field": "username"}):
        client.call("core_user_get_users_by_field", {"field": "username", "values": batch})
    start, page = 0, 1000
    while True:
        options = [{"name": "limitfrom", "value": start}, {"name": "limitnumber", "value": page}]
        if len(client.call("core_enrol_get_enrolled_users", {"courseid": course["id"], "options": options})) < page:
            break
        start += page
    return client.stats.total - calls, client.stats.bytes_read - received, time.perf_counter() - started


def user_reads_after(url: str, token: str, sync_file: Path) -> tuple[int, int, float]:
    """Today's reads of users and enrolments (read_state's, without the fixed calls): (calls, bytes read, seconds)."""
    from lms_sync import state as state_module

    client = MoodleClient(url, token, max_input_vars=MAX_INPUT_VARS)
    spec = load_sync_file(sync_file)
    current = read_state(client, spec)  # the fixed calls are made here, then the user reads alone again below
    calls, received = client.stats.total, client.stats.bytes_read
    started = time.perf_counter()
    current.users.clear()
    state_module._enrolments(client, spec, current)
    state_module._users(client, spec, [name for name in spec.users if name not in current.users])
    return client.stats.total - calls, client.stats.bytes_read - received, time.perf_counter() - started


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


def naive_seconds_per_user() -> float:
    with MoodleDouble(max_input_vars=MAX_INPUT_VARS, cost=SITE_COST) as moodle:
        _, seconds = naive_loop(moodle.url, moodle.ADMIN_TOKEN, NAIVE_RUN_SIZE)
    return seconds / NAIVE_RUN_SIZE


def bound(size: int) -> int:
    """ceil(N / batch) for each batched kind, plus a constant for the fixed calls."""
    per_call = MAX_INPUT_VARS - PROTOCOL_FIELDS
    user = {"username": "user0000", "firstname": "F", "lastname": "L", "email": "e", "auth": "manual", "idnumber": "", "createpassword": 1}
    batches = {
        "read users, then their e-mails": 2 * math.ceil(size / (per_call - 1)),
        "read enrolled": math.ceil(size / ENROLLED_PAGE_SIDE_BY_SIDE) + 4,  # the last round of concurrent pages may overshoot
        "create users": math.ceil(size / (per_call // field_count(user))),
        "add cohort members": math.ceil(size / (per_call // 4)),
        "enrol": math.ceil(size / (per_call // 3)),
        "add group members": math.ceil(size / (per_call // 2)),
    }
    constant = 20  # site info, categories, course, cohorts, groups; creating the category, course, cohort, groups
    return sum(batches.values()) + constant


def main(sizes: list[int]) -> None:
    per_user = naive_seconds_per_user()
    applies = [f"{'users':>7} {'calls':>6} {'writes':>6} {'secs':>7} {'2nd calls':>9} {'2nd secs':>8} {'naive calls':>11} {'naive secs':>10} {'ratio':>13} {'bound':>6}"]
    reads = [f"{'users':>7} {'before calls':>12} {'bytes':>10} {'secs':>7} {'after calls':>11} {'bytes':>10} {'secs':>7} {'faster':>7}"]
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder, MoodleDouble(max_input_vars=MAX_INPUT_VARS, cost=SITE_COST) as moodle:
            sync_file = write_inputs(Path(folder), size)
            calls, writes, seconds = sync_once(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            again_calls, again_writes, again_seconds = sync_once(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            before = user_reads_before(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            after = user_reads_after(moodle.url, moodle.ADMIN_TOKEN, sync_file)
        naive_calls, naive_seconds = len(NAIVE_OPERATIONS) * size + 3, per_user * size
        within = "ok" if calls <= bound(size) else "OVER"
        applies.append(
            f"{size:>7} {calls:>6} {writes:>6} {seconds:>7.2f} {again_calls:>9} {again_seconds:>8.2f} {naive_calls:>11} {naive_seconds:>10.1f} "
            f"{naive_calls / calls:>5.0f}x/{naive_seconds / seconds:>5.1f}x {bound(size):>5} {within}"
        )
        reads.append(f"{size:>7} {before[0]:>12} {before[1]:>10} {before[2]:>7.2f} {after[0]:>11} {after[1]:>10} {after[2]:>7.2f} {before[2] / after[2]:>6.1f}x")
        assert again_writes == 0, "a second apply with no change must write nothing"
    print("Applies (ratio: naive calls / ours, naive seconds / ours):")
    print("\n".join(applies))
    print("\nReads of users and enrolments in a no-change rerun:")
    print("\n".join(reads))


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
