"""Benchmark: `coursebridge report` for 100, 1,000 and 10,000 learners against the Moodle double.

For each size, with and without the coursebridge plugin's bulk read: calls to Moodle, seconds
reading, seconds computing and writing the CSV, JSON and HTML (certificates left out: they cost
one PDF each), and the calls against the bound (c + N per-learner reads, or c + ceil(N / batch)).
Every learner has one SCORM 1.2 attempt of the report tests' course (tests/report/fixtures/).
Run: python bench/bench_report.py [SIZES...]
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from builder.loader import load_course  # noqa: E402
from lms_sync.client import PROTOCOL_FIELDS, MoodleClient  # noqa: E402
from lms_sync.report.collect import collect  # noqa: E402
from lms_sync.report.figures import compute  # noqa: E402
from lms_sync.report.render import csv_text, dashboard_html, figures_json  # noqa: E402
from lms_sync.syncfile import load_sync_file  # noqa: E402
from moodle_double import MoodleDouble  # noqa: E402
from moodle_double.plugin import install_plugin  # noqa: E402
from moodle_double.report_reads import add_attempt, add_scorm  # noqa: E402
from moodle_double.site import Group  # noqa: E402
from report.conftest import ALL_PAGES, COURSE_MAP, evaluation  # noqa: E402
from report.learners import scorm_elements, suspend_data  # noqa: E402

FIXTURES = ROOT / "tests" / "report" / "fixtures"
GROUPS = 10
MAX_INPUT_VARS = 1000
SYNC_FILE = """course:
  source: course
  shortname: BENCH
  category: Bench
users:
  rosters: [roster.csv]
enrolments:
  - users: all
    role: student
"""


def write_inputs(folder: Path, size: int) -> Path:
    shutil.copytree(FIXTURES / "course", folder / "course")
    lines = ["username,firstname,lastname,email"]
    lines += [f"learner{i:05d},Prénom{i},Nom{i},learner{i:05d}@example.org" for i in range(size)]
    (folder / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    usernames = ", ".join(f"learner{i:05d}" for i in range(size))
    (folder / "sync.yaml").write_text(SYNC_FILE.replace("users: all", f"users: [{usernames}]"), encoding="utf-8")
    return folder / "sync.yaml"


def seed(moodle: MoodleDouble, size: int) -> None:
    site = moodle.site
    course = site.add_course("BENCH", "Benchmark course")
    groups = [Group(site.new_id("group"), course.id, f"Groupe {g}") for g in range(GROUPS)]
    site.groups.update({group.id: group for group in groups})
    scorm = add_scorm(site, course.id, "Module (SCORM 1.2)", identifier="bilan-demo")
    state = suspend_data(COURSE_MAP, ALL_PAGES, {"evaluation": (1, 75)})
    elements = scorm_elements("1.2", state, "passed", 75, "00:45:00", evaluation(True, True, False, True))
    start = int(dt.datetime(2026, 3, 2, tzinfo=dt.UTC).timestamp())
    for i in range(size):
        user = site.add_user(f"learner{i:05d}", f"Prénom{i}", f"Nom{i}", f"learner{i:05d}@example.org")
        course.enrolments[user.id] = {5}
        groups[i % GROUPS].members.add(user.id)
        add_attempt(scorm, user.id, elements, start, start + 3600)


def run(sync_file: Path, size: int, bulk: bool) -> tuple[int, float, float]:
    spec = load_sync_file(sync_file)
    with MoodleDouble(max_input_vars=MAX_INPUT_VARS) as moodle:
        seed(moodle, size)
        if bulk:
            install_plugin(moodle.site)
        client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, max_input_vars=MAX_INPUT_VARS)
        started = time.perf_counter()
        collected = collect(client, spec, ("student",))
        reading = time.perf_counter() - started
        started = time.perf_counter()
        report = compute(load_course(spec.source), collected)
        zone, now = ZoneInfo("UTC"), dt.datetime.now(dt.UTC)
        csv_text(report, ";", zone), figures_json(report, now), dashboard_html(report, now, zone)
        writing = time.perf_counter() - started
        assert moodle.write_calls == 0
        return client.stats.total, reading, writing


def main(sizes: list[int]) -> None:
    print("| learners | read | calls | bound | reading s | figures + CSV/JSON/HTML s |")
    print("|---|---|---|---|---|---|")
    batch = MAX_INPUT_VARS - PROTOCOL_FIELDS - 1  # one field per user id, one for the scormid
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            sync_file = write_inputs(Path(folder), size)
            for bulk in (False, True):
                calls, reading, writing = run(sync_file, size, bulk)
                pages = math.ceil((size + 1) / 1000)
                bound = 5 + pages + (math.ceil(size / batch) if bulk else size)
                label = "plugin bulk read" if bulk else "per learner"
                print(f"| {size:,} | {label} | {calls:,} | {bound:,} | {reading:.2f} | {writing:.2f} |")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [100, 1000, 10000])
