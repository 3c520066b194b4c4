"""Calls stay within ceil(N / batch) per kind of operation plus a constant, whatever max_input_vars is."""

from __future__ import annotations

import math

from lms_sync.apply import Applier
from lms_sync.client import PROTOCOL_FIELDS, MoodleClient
from lms_sync.journal import Journal
from lms_sync.plan import make_plan
from lms_sync.state import read_state
from lms_sync.syncfile import load_sync_file
from moodle_double import MoodleDouble

USERS = 300
LIMIT = 100


def test_calls_per_kind_are_ceil_n_over_batch(tmp_path):
    rows = ["username,firstname,lastname,email,cohort1,group1"]
    rows += [f"u{i},F,L,u{i}@example.org,c,g{i % 3}" for i in range(USERS)]
    (tmp_path / "roster.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "sync.yaml").write_text(
        "course: {shortname: B, fullname: B, category: Cat}\nusers: {rosters: [roster.csv]}\n"
        "cohorts: [{idnumber: c, name: C}]\nenrolments: [{cohort: c, role: student}]\ngroups: [roster]\n"
    )
    with MoodleDouble(max_input_vars=LIMIT) as moodle:
        client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, max_input_vars=LIMIT)
        spec = load_sync_file(tmp_path / "sync.yaml")
        state = read_state(client, spec)
        with Journal(tmp_path / "j.jsonl") as journal:
            assert Applier(client, spec, state, journal).apply(make_plan(spec, state)).ok
        room = LIMIT - PROTOCOL_FIELDS
        fields_per_item = {"core_user_create_users": 7, "core_cohort_add_cohort_members": 4, "enrol_manual_enrol_users": 3, "core_group_add_group_members": 2}
        for function, fields in fields_per_item.items():
            assert moodle.calls[function] == math.ceil(USERS / (room // fields)), function
        # by username for everyone, then by e-mail for the users to create (is the e-mail taken?)
        assert moodle.calls["core_user_get_users_by_field"] == 2 * math.ceil(USERS / (room - 1))
        assert moodle.dropped_fields == 0
        assert sum(moodle.calls.values()) <= sum(math.ceil(USERS / (room // f)) for f in fields_per_item.values()) + 2 * math.ceil(USERS / (room - 1)) + 15
        moodle.reset_counts()
        second = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, max_input_vars=LIMIT)
        assert make_plan(spec, read_state(second, spec)).empty
        assert moodle.write_calls == 0
