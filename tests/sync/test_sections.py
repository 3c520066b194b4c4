"""Sections named after the course's days: plan, apply, rerun, missing sections, opt-out, refusals."""

from __future__ import annotations

import json
import shutil

import pytest
from moodle_double.functions import FUNCTIONS
from moodle_double.site import Course

from lms_sync.apply import Applier
from lms_sync.client import MoodleClient
from lms_sync.errors import ServerError
from lms_sync.journal import Journal
from lms_sync.plan import make_plan
from lms_sync.state import read_state
from lms_sync.syncfile import load_sync_file

from .conftest import Cli, targets
from .test_flagship_sync import FLAGSHIP

DAY_2 = """\
id: jour-2
title: {title}
sequences:
  - id: s2
    title: Approfondir
    duration: 60
    objectives: [O1]
    activities:
      - id: etude-de-cas
        type: theory
        title: Étude de cas
        body: Une communauté qui dure.
        objectives: [O1]
"""


@pytest.fixture
def two_days(cli: Cli) -> Cli:
    """The sample course with a second day, "Jour 2"."""
    add_second_day(cli, "Jour 2")
    return cli


def add_second_day(cli: Cli, title: str) -> None:
    course = cli.workdir / "course"
    (course / "days" / "jour-2.yaml").write_text(DAY_2.format(title=json.dumps(title)), encoding="utf-8")
    course_yaml = course / "course.yaml"
    course_yaml.write_text(course_yaml.read_text(encoding="utf-8") + "  - include: days/jour-2.yaml\n", encoding="utf-8")


def restored_cartridge(cli: Cli, shortname: str = "CP-2026", days: int = 2, **fields) -> Course:
    """What restoring the cartridge leaves: default section names, each day's title in its summary."""
    course = cli.moodle.site.add_course(shortname, "Restored", 1, numsections=days, **fields)
    for number, section in enumerate(course.sections[1:], 1):
        section.name, section.summary = f"Topic {number}", f"Jour {number}"
    return course


def names(course: Course) -> list[str | None]:
    return [section.name for section in course.sections]


def edit_sync_file(cli: Cli, old: str, new: str) -> None:
    sync = cli.workdir / "sync.yaml"
    sync.write_text(sync.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_plan_renames_exactly_the_sections_whose_name_differs(two_days: Cli):
    course = restored_cartridge(two_days, days=3)
    course.sections[2].name = "Jour 2"
    plan = two_days.plan()
    assert targets(plan, "rename section") == {"section 1: 'Topic 1' -> 'Jour 1'"}
    assert [a for a in plan["actions"] if a["kind"] == "rename section"] == [
        {"kind": "rename section", "target": "section 1: 'Topic 1' -> 'Jour 1'", "section": 1, "name": "Jour 1"}
    ]
    assert not any("no section to name" in note for note in plan["notes"])
    text = two_days("sync", "plan", str(two_days.workdir / "sync.yaml")).stdout
    assert "  rename section (1):\n    ~ section 1: 'Topic 1' -> 'Jour 1'\n" in text


def test_apply_renames_then_a_rerun_writes_nothing(two_days: Cli):
    moodle = two_days.moodle
    course = restored_cartridge(two_days, days=3)
    result = two_days.apply()
    assert result.exit_code == 0, result.output
    assert names(course) == [None, "Jour 1", "Jour 2", "Topic 3"]  # sections beyond the days are left alone
    assert moodle.writes["core_update_inplace_editable"] == 2
    assert [s.summary for s in course.sections] == ["", "Jour 1", "Jour 2", "Jour 3"]

    assert two_days.plan()["actions"] == []
    moodle.reset_counts()
    again = two_days.apply()
    assert "Nothing to do" in again.stdout
    assert moodle.write_calls == 0


def test_a_course_with_fewer_sections_than_days_gets_a_note_and_the_others_are_named(two_days: Cli):
    course = restored_cartridge(two_days, days=1)
    plan = two_days.plan()
    assert targets(plan, "rename section") == {"section 1: 'Topic 1' -> 'Jour 1'"}
    note = next(note for note in plan["notes"] if "no section to name" in note)
    assert "'Jour 2' (sections after General: 1, days: 2)" in note
    assert "restore the course's Common Cartridge into it" in note and "add sections in Moodle" in note
    result = two_days.apply()
    assert result.exit_code == 0, result.output
    assert "note: course CP-2026 has no section to name after 'Jour 2'" in result.stderr
    assert names(course) == [None, "Jour 1"]


def test_a_new_course_gets_one_section_per_day_named_in_the_same_apply(two_days: Cli):
    moodle = two_days.moodle
    plan = two_days.plan()
    assert targets(plan, "rename section") == {"section 1: (new course) -> 'Jour 1'", "section 2: (new course) -> 'Jour 2'"}
    assert next(a for a in plan["actions"] if a["kind"] == "create course")["numsections"] == 2
    assert two_days.apply().exit_code == 0
    course = next(iter(moodle.site.courses.values()))
    assert names(course) == [None, "Jour 1", "Jour 2"]
    moodle.reset_counts()
    assert two_days.apply().exit_code == 0
    assert moodle.write_calls == 0


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("Jour 2 : théorie & pratique", "Jour 2 : théorie & pratique"),  # Moodle answers "&amp;"
        ("Jour 2 <em>approfondir</em>", "Jour 2 approfondir"),  # Moodle keeps the text of tags, PARAM_TEXT
    ],
)
def test_names_moodle_escapes_or_cleans_are_renamed_once(cli: Cli, title, stored):
    add_second_day(cli, title)
    course = restored_cartridge(cli)
    assert targets(cli.plan(), "rename section") >= {f"section 2: 'Topic 2' -> {stored!r}"}
    assert cli.apply().exit_code == 0
    assert course.sections[2].name == stored
    cli.moodle.reset_counts()
    assert cli.plan()["actions"] == []
    assert cli.apply().exit_code == 0
    assert cli.moodle.write_calls == 0


def test_name_sections_false_leaves_sections_alone(two_days: Cli):
    edit_sync_file(two_days, "  shortname: CP-2026\n", "  shortname: CP-2026\n  name_sections: false\n")
    plan = two_days.plan()
    assert "rename section" not in plan["counts"]
    assert "numsections" not in next(a for a in plan["actions"] if a["kind"] == "create course")
    course = restored_cartridge(two_days, days=1)
    plan = two_days.plan()
    assert "rename section" not in plan["counts"]
    assert not any("no section to name" in note for note in plan["notes"])
    assert two_days.apply().exit_code == 0
    assert names(course) == [None, "Topic 1"]
    assert two_days.moodle.writes["core_update_inplace_editable"] == 0


def plan_error(cli: Cli) -> str:
    result = cli("sync", "plan", str(cli.workdir / "sync.yaml"))
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert cli.moodle.calls == {}  # refused before any call
    return next(line for line in result.stderr.splitlines() if "name_sections" in line)


def test_name_sections_without_a_source_is_a_one_line_error(cli: Cli):
    (cli.workdir / "sync.yaml").write_text(
        "course:\n  shortname: CP-2026\n  fullname: Communauté\n  category: Formations\n  name_sections: true\n"
        "users:\n  rosters: trainers.yaml\n",
        encoding="utf-8",
    )
    line = plan_error(cli)
    assert line.endswith("sync.yaml:5:18: course.name_sections: section names come from the course's days: add `source:` under course:")


def test_name_sections_must_be_true_or_false(cli: Cli):
    edit_sync_file(cli, "  shortname: CP-2026\n", "  shortname: CP-2026\n  name_sections: maybe\n")
    assert plan_error(cli).endswith("course.name_sections: expected true or false")


def test_weeks_courses_are_renamed_through_format_weeks(cli: Cli):
    course = restored_cartridge(cli, days=1, format="weeks")
    assert cli.apply().exit_code == 0
    assert names(course) == [None, "Jour 1"]


def test_a_format_without_section_names_fails_the_renames_with_how_to_fix(two_days: Cli):
    course = restored_cartridge(two_days, format="social")
    result = two_days.apply()
    assert result.exit_code == 4
    assert "rename section: section 1: 'Topic 1' -> 'Jour 1': course format 'social' does not let web services rename" in result.stderr
    assert "rename section: section 2: 'Topic 2' -> 'Jour 2': course format 'social'" in result.stderr
    assert "course.name_sections: false" in result.stderr
    assert two_days.moodle.calls["core_update_inplace_editable"] == 1  # the second was not tried
    assert names(course) == [None, "Topic 1", "Topic 2"]
    assert next(iter(two_days.moodle.site.cohorts.values())).members  # the other kinds went on


def test_a_token_without_the_function_fails_the_renames_only(two_days: Cli):
    site = two_days.moodle.site
    token = "no-rename-token-0123456789abcdef"
    site.add_token(token, site.admin.id, set(FUNCTIONS) - {"core_update_inplace_editable"})
    restored_cartridge(two_days)
    limited = Cli(two_days.moodle, two_days.workdir, token)
    result = limited.apply()
    assert result.exit_code == 4
    assert "rename section: section 1: 'Topic 1' -> 'Jour 1': the token's external service does not include core_update_inplace_editable" in result.stderr
    assert "rename section: section 2" in result.stderr
    assert "create user" not in result.stderr
    doctor = limited("moodle", "doctor")
    assert "  sync apply: missing core_update_inplace_editable" in doctor.stdout.splitlines()


def test_a_section_deleted_after_the_plan_is_reported_and_the_others_renamed(two_days: Cli, moodle):
    course = restored_cartridge(two_days)
    client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
    spec = load_sync_file(two_days.workdir / "sync.yaml")
    state = read_state(client, spec)
    plan = make_plan(spec, state)
    deleted = course.sections.pop(1)
    with Journal(two_days.workdir / "journal.jsonl") as journal:
        result = Applier(client, spec, state, journal).apply(plan)
    failed = {failure.action.target: failure.reason for failure in result.failed}
    assert failed == {"section 1: 'Topic 1' -> 'Jour 1'": f"section 1 (id {deleted.id}) is no longer in course CP-2026; run plan again"}
    assert names(course) == [None, "Jour 2"]


def test_flagship_sections_from_a_cartridge_import_end_named_after_its_days(moodle, tmp_path):
    folder = tmp_path / "animer-communaute-apprenante"
    shutil.copytree(FLAGSHIP, folder)
    cli = Cli(moodle, folder / "moodle")
    course = restored_cartridge(cli, "UNA-CDP-2026")
    assert course.sections[1].summary == "Jour 1" and course.sections[1].name == "Topic 1"
    assert targets(cli.plan(), "rename section") == {"section 1: 'Topic 1' -> 'Jour 1'", "section 2: 'Topic 2' -> 'Jour 2'"}
    result = cli.apply()
    assert result.exit_code == 0, result.output
    assert names(course) == [None, "Jour 1", "Jour 2"]
    moodle.reset_counts()
    assert cli.plan()["actions"] == []
    assert cli.apply().exit_code == 0
    assert moodle.write_calls == 0


def test_the_double_renames_like_moodle(moodle):
    course = moodle.site.add_course("X", "X", 1, numsections=1)
    client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
    section = course.sections[1]
    answer = client.call("core_update_inplace_editable", {"component": "format_topics", "itemtype": "sectionname", "itemid": section.id, "value": "A & B"})
    assert answer == {
        "component": "format_topics",
        "itemtype": "sectionname",
        "itemid": str(section.id),
        "displayvalue": f'<a href="{moodle.url}/course/section.php?id={section.id}">A &amp; B</a>',
        "value": "A & B",
        "edithint": "Edit section name",
        "editlabel": "New name for section A &amp; B",
        "type": "text",
        "options": "",
        "linkeverything": 0,
    }
    contents = client.call("core_course_get_contents", {"courseid": course.id})
    assert [(s["section"], s["name"]) for s in contents] == [(0, "General"), (1, "A &amp; B")]


def test_the_double_refuses_renames_like_moodle(moodle):
    course = moodle.site.add_course("X", "X", 1, numsections=1)
    moodle.site.add_token("reader-token-0123456789abcdef0123", moodle.site.admin.id, FUNCTIONS, capabilities=frozenset())
    client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
    reader = MoodleClient(moodle.url, "reader-token-0123456789abcdef0123")
    section_id = course.sections[1].id

    def refusal(params: dict, who: MoodleClient = client) -> str:
        base = {"component": "format_topics", "itemtype": "sectionname", "itemid": section_id, "value": "Jour 1"}
        with pytest.raises(ServerError) as raised:
            who.call("core_update_inplace_editable", {**base, **params})
        return raised.value.errorcode

    assert refusal({"component": "format_weeks"}) == "invalidrecordunknown"  # the section's course is not in weeks
    assert refusal({"itemid": 999}) == "invalidrecordunknown"
    assert refusal({"itemid": "abc"}) == "dmlreadexception"
    assert refusal({"component": "Format topics"}) == "invalidparameter"
    assert refusal({"component": "mod_forum"}) == "inplaceeditableerror"
    assert refusal({"itemtype": "activityname"}) == "inplaceeditableerror"
    assert refusal({"value": "x" * 1334}) == "maximumchars"
    assert refusal({}, reader) == "nopermissions"
    assert course.sections[1].name is None
    assert moodle.writes["core_update_inplace_editable"] == 0
