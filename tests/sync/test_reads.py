"""Reads at scale: the least Moodle can return, only the users the plan needs, independent batches side by side."""

from __future__ import annotations

import math

import pytest

from lms_sync.client import MoodleClient
from lms_sync.config import load_settings
from lms_sync.errors import ConfigError
from lms_sync.plan import make_plan
from lms_sync.state import ENROLLED_PAGE_SIDE_BY_SIDE, read_state
from lms_sync.syncfile import load_sync_file
from moodle_double import Cost, MoodleDouble

USERS = 1200


def enrolled_course(tmp_path, moodle: MoodleDouble):
    """A sync file of USERS users, all of them already in Moodle and enrolled: a rerun with nothing to do."""
    (tmp_path / "sync.yaml").write_text(
        "course: {shortname: R, fullname: R, category: Category 1}\nusers: {rosters: [roster.csv]}\n"
        "enrolments: [{roster: true, role: student}]\n"
    )
    site = moodle.site
    course = site.add_course("R", "R", 1)
    for i in range(USERS):
        course.enrolments[site.add_user(f"u{i}", f"F{i}", f"L{i}", f"u{i}@example.org").id] = {5}
    rows = ["username,firstname,lastname,email,course1,role1"] + [f"u{i},F{i},L{i},u{i}@example.org,R,student" for i in range(USERS)]
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    return load_sync_file(tmp_path / "sync.yaml")


def test_a_rerun_reads_enrolled_users_with_the_fields_it_compares_and_no_user_by_field(tmp_path):
    with MoodleDouble() as moodle:
        spec = enrolled_course(tmp_path, moodle)
        client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
        assert make_plan(spec, read_state(client, spec)).empty
        assert moodle.calls["core_user_get_users_by_field"] == 0  # everyone was found among the enrolled users
        pages = math.ceil((USERS + 1) / ENROLLED_PAGE_SIDE_BY_SIDE)
        assert pages <= moodle.calls["core_enrol_get_enrolled_users"] <= pages + client.concurrency - 1
        full = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
        full.call("core_enrol_get_enrolled_users", {"courseid": next(iter(moodle.site.courses))})
        assert client.stats.bytes_read < full.stats.bytes_read / 2  # userfields: about a third of a full record


def test_users_not_enrolled_yet_are_the_only_ones_read_by_field(tmp_path):
    with MoodleDouble() as moodle:
        spec = enrolled_course(tmp_path, moodle)
        course = next(iter(moodle.site.courses.values()))
        for userid in sorted(course.enrolments)[:10]:
            del course.enrolments[userid]
        client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
        plan = make_plan(spec, read_state(client, spec))
        assert plan.counts() == {"enrol": 10}
        assert moodle.calls["core_user_get_users_by_field"] == 1  # the 10 others, in one batch


def test_independent_reads_go_out_side_by_side_within_the_concurrency_setting(tmp_path):
    with MoodleDouble(cost=Cost(per_call=0.05)) as moodle:
        spec = enrolled_course(tmp_path, moodle)
        client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, concurrency=2)
        assert make_plan(spec, read_state(client, spec)).empty
        assert moodle.most_in_flight == 2
        moodle.most_in_flight = 0
        alone = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, concurrency=1)
        assert make_plan(spec, read_state(alone, spec)).empty
        assert moodle.most_in_flight == 1


def test_a_concurrency_that_is_not_a_small_whole_number_is_refused(tmp_path):
    config = tmp_path / "moodle.yaml"
    config.write_text("url: https://moodle.example.org\ntoken: t\nconcurrency: 0\n")
    config.chmod(0o600)
    with pytest.raises(ConfigError, match="`concurrency: 0` is not a whole number from 1 to 32; e.g. `concurrency: 4`"):
        load_settings(config_path=config, environ={})
    config.write_text("url: https://moodle.example.org\ntoken: t\nconcurrency: 8\n")
    assert load_settings(config_path=config, environ={}).client().concurrency == 8
