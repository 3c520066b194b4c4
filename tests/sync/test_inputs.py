"""Bad rosters and sync files: every problem on its own line with file:line:col, before any call."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from lms_sync.config import load_settings
from lms_sync.errors import ConfigError
from lms_sync.located import InputError
from lms_sync.roster import load_roster
from lms_sync.syncfile import DEFAULT_ROLES, load_sync_file

from .conftest import Cli
from .test_flagship_sync import FLAGSHIP


def problems(error: InputError) -> list[str]:
    return [str(p) for p in error.problems]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_roster_problems_are_reported_with_their_line(tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "username,firstname,lastname,email,role1\n"
        "alice,Alice,M,alice@example.org,student\n"
        "bob,Bob,D,bob-at-example.org,student\n"
        "Alice,Alice,Again,alice2@example.org,student\n"
        "carl,Carl,P,carl@example.org,professor\n"
        "dan,,P,dan@example.org,student\n",
    )
    with pytest.raises(InputError) as caught:
        load_roster(roster, DEFAULT_ROLES)
    assert problems(caught.value) == [
        f"{roster}:3:4: email: 'bob-at-example.org' is not a valid email address; expected name@domain.tld",
        f"{roster}:4:1: username: duplicate username 'alice' (first on line 2); each person appears once",
        f"{roster}:5:5: role1: unknown role 'professor'; expected one of coursecreator, editingteacher, manager, student, teacher",
        f"{roster}:6:2: firstname: firstname is empty; every row needs one",
    ]


def test_roster_missing_columns_and_password_column(tmp_path):
    with pytest.raises(InputError) as caught:
        load_roster(write(tmp_path / "a.csv", "username,firstname,email\nalice,A,a@example.org\n"), DEFAULT_ROLES)
    assert problems(caught.value) == [f"{tmp_path / 'a.csv'}:1:1: missing column lastname; the header must name username, firstname, lastname, email"]
    with pytest.raises(InputError) as caught:
        load_roster(write(tmp_path / "b.csv", "username,firstname,lastname,email,password\nalice,A,B,a@example.org,x\n"), DEFAULT_ROLES)
    assert "passwords do not belong in a roster" in problems(caught.value)[0]


def test_roster_accepts_semicolons_lowercases_usernames_and_reads_numbered_columns(tmp_path):
    roster = write(tmp_path / "r.csv", "username;firstname;lastname;email;cohort1;cohort2;course1;role1;group1\nAlice;A;B;a@example.org;c1;c2;CP;teacher;G\n")
    (user,) = load_roster(roster, DEFAULT_ROLES)
    assert (user.username, user.cohorts, user.courses, user.groups) == ("alice", ("c1", "c2"), (("CP", "teacher"),), (("CP", "G"),))


def test_yaml_roster_problems_are_located(tmp_path):
    roster = write(tmp_path / "r.yaml", "- username: ann\n  firstname: Ann\n  lastname: B\n  email: ann@example.org\n- username: bo\n  firstname: Bo\n")
    with pytest.raises(InputError) as caught:
        load_roster(roster, DEFAULT_ROLES)
    assert problems(caught.value) == [f"{roster}:5:3: [1]: missing lastname, email"]


def test_sync_file_problems_are_located(workdir):
    sync = write(
        workdir / "sync.yaml",
        "course:\n"
        "  shortname: CP\n"
        "  fullname: Course\n"
        "  category: Top\n"
        "  start: 2026-13-01\n"
        "users:\n"
        "  rosters: roster.csv\n"
        "  match_by: phone\n"
        "cohorts:\n"
        "  - idnumber: cp-2026\n"
        "    name: C\n"
        "enrolments:\n"
        "  - cohort: nope\n"
        "    role: student\n"
        "  - users: [zoe]\n"
        "    role: boss\n"
        "colour: blue\n",
    )
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [
        f"{sync}:5:10: course.start: expected a date YYYY-MM-DD",
        f"{sync}:8:13: users.match_by: expected one of username, idnumber, email",
        f"{sync}:13:13: enrolments[0].cohort: no cohort 'nope' under cohorts:; define it there",
        f"{sync}:15:13: enrolments[1].users[0]: 'zoe' is in no roster; correct the username, or add them to a roster of users.rosters",
        f"{sync}:16:11: enrolments[1].role: unknown role 'boss'; expected one of coursecreator, editingteacher, manager, student, teacher (or add it under roles:)",
        f"{sync}:17:1: colour: unknown key; expected one of course, users, cohorts, enrolments, groups, forums, roles, content",
    ]


def test_roster_cohort_not_defined_in_sync_file(workdir):
    (workdir / "sync.yaml").write_text((workdir / "sync.yaml").read_text().replace("idnumber: cp-2026", "idnumber: other"))
    with pytest.raises(InputError) as caught:
        load_sync_file(workdir / "sync.yaml")
    assert f"{workdir / 'roster.csv'}:2:1: cohort: cohort 'cp-2026' is not defined; add it under cohorts: in {workdir / 'sync.yaml'}" in problems(caught.value)


def test_cli_prints_each_problem_on_one_line_and_calls_nothing(cli: Cli):
    (cli.workdir / "roster.csv").write_text("username,firstname,lastname,email\nalice,A,B,not-an-email\n")
    result = cli.apply()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{cli.workdir / 'roster.csv'}:2:4: email: 'not-an-email' is not a valid email address; expected name@domain.tld",
        "1 problem found.",
    ]
    assert "Traceback" not in result.output
    assert sum(cli.moodle.calls.values()) == 0


def test_invalid_yaml_is_one_located_line(cli: Cli):
    (cli.workdir / "sync.yaml").write_text("course: [unclosed\n")
    result = cli.apply()
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].startswith(f"{cli.workdir / 'sync.yaml'}:2:1: not valid YAML")


def test_bad_course_folder_reports_the_course_problems(cli: Cli):
    (cli.workdir / "course" / "course.yaml").write_text("id: x\n")
    result = cli.apply()
    assert result.exit_code == 2
    assert "course.yaml" in result.stderr and "Traceback" not in result.output


def test_a_roster_that_is_not_utf8_is_one_located_line_and_no_call(cli: Cli):
    roster = cli.workdir / "roster.csv"
    roster.write_bytes(roster.read_text(encoding="utf-8").encode("cp1252"))  # Excel's "CSV" on Windows
    result = cli.apply()
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f'{roster}:4:11: not valid UTF-8 (byte 0xe9); save it as "CSV UTF-8"', "1 problem found."]
    assert sum(cli.moodle.calls.values()) == 0


def test_a_utf8_bom_is_accepted_in_rosters_and_the_sync_file(workdir):
    for name in ("roster.csv", "trainers.yaml", "sync.yaml"):
        path = workdir / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    spec = load_sync_file(workdir / "sync.yaml")
    assert {"chloe", "fatima"} <= set(spec.users) and spec.users["chloe"].firstname == "Chloé"


def test_a_yaml_roster_or_sync_file_that_is_not_utf8_is_located(workdir):
    trainers, sync = workdir / "trainers.yaml", workdir / "sync.yaml"
    trainers.write_bytes(trainers.read_bytes().replace(b"Fatima\n", b"F\xe2tima\n", 1))
    with pytest.raises(InputError) as caught:
        load_roster(trainers, DEFAULT_ROLES)
    assert problems(caught.value) == [f"{trainers}:3:15: not valid UTF-8 (byte 0xe2); save it with UTF-8 encoding"]
    sync.write_bytes(sync.read_bytes().replace(b"Formations", b"Formations \xa0", 1))
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [f"{sync}:5:24: not valid UTF-8 (byte 0xa0); save it with UTF-8 encoding"]


@pytest.mark.parametrize("where", ["/proc/sync.journal.jsonl", "{work}", "{work}/missing/sync.journal.jsonl"])
def test_a_bad_journal_path_is_one_line_before_any_call(cli: Cli, where):
    journal = where.format(work=cli.workdir)
    result = cli.apply("--journal", journal)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [result.stderr.strip()] and result.stderr.startswith(f"error: --journal {journal}: ")
    assert sum(cli.moodle.calls.values()) == 0


def test_a_roster_error_is_reported_alone_without_echoes_in_the_sync_file(tmp_path):
    flagship = tmp_path / "flagship"
    shutil.copytree(FLAGSHIP, flagship)
    roster = flagship / "moodle" / "roster.csv"
    with roster.open("a", encoding="utf-8") as out:
        out.write("amartin,Anne,Martin,anne.martin2@una-bretagne.example.org,UNA-BRE-09,manual,una-coordinatrices-2026,UNA-CDP-2026,student,UNA Bretagne\n")
    lines = len(roster.read_text().splitlines())
    with pytest.raises(InputError) as caught:
        load_sync_file(flagship / "moodle" / "sync.yaml")
    assert problems(caught.value) == [f"{roster}:{lines}:1: username: duplicate username 'amartin' (first on line 2); each person appears once"]


def test_a_bad_course_source_is_reported_alone(workdir):
    sync = workdir / "sync.yaml"
    sync.write_text(sync.read_text().replace("source: course ", "source: nowhere"))
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [f"{sync}:3:11: course.source: {workdir / 'nowhere'}: no such folder; expected a course folder with course.yaml"]


def test_a_user_missing_from_complete_rosters_is_still_reported(workdir):
    sync = workdir / "sync.yaml"
    sync.write_text(sync.read_text().replace("members: [fatima]", "members: [fatima, zoe]"))
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [f"{sync}:23:23: groups[1].members[1]: 'zoe' is in no roster; correct the username, or add them to a roster of users.rosters"]


def test_an_unclosed_quote_is_reported_on_its_line_and_the_lines_after_it_are_still_read(tmp_path):
    roster = write(
        tmp_path / "r.csv",
        "username,firstname,lastname,email\n"
        "alice,Alice,Martin,alice@example.org\n"
        'bob,"Bob,Durand,bob@example.org\n'
        "chloe,Chloé,Bernard,chloe-at-example.org\n"
        'david,David,"Petit,david@example.org\n',
    )
    with pytest.raises(InputError) as caught:
        load_roster(roster, DEFAULT_ROLES)
    assert problems(caught.value) == [
        f'{roster}:3:2: unclosed quote; end the quoted value with " on the same line, or remove the stray "',
        f"{roster}:4:4: email: 'chloe-at-example.org' is not a valid email address; expected name@domain.tld",
        f'{roster}:5:3: unclosed quote; end the quoted value with " on the same line, or remove the stray "',
    ]


def test_quoted_values_with_commas_and_doubled_quotes_are_read(tmp_path):
    roster = write(tmp_path / "r.csv", 'username,firstname,lastname,email\nbob,"Bob ""B"", Jr",Durand,bob@example.org\n')
    (user,) = load_roster(roster, DEFAULT_ROLES)
    assert (user.username, user.firstname, user.location.line) == ("bob", 'Bob "B", Jr', 2)


def test_misspelt_words_get_a_did_you_mean(workdir):
    sync = workdir / "sync.yaml"
    text = sync.read_text().replace("  - roster ", "  - rooster").replace("match_by: username", "match_by: usernme\n  passwords: generated")
    sync.write_text(text.replace("    role: editingteacher", "    role: editingteachr").replace("forums:", "forum:"))
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [
        f"{sync}:10:13: users.match_by: expected one of username, idnumber, email (did you mean 'username'?)",
        f"{sync}:11:14: users.passwords: expected one of email, generate (did you mean 'generate'?)",
        (
            f"{sync}:20:11: enrolments[1].role: unknown role 'editingteachr' (did you mean 'editingteacher'?); expected one of "
            "coursecreator, editingteacher, manager, student, teacher (or add it under roles:)"
        ),
        f"{sync}:22:5: groups[0]: unknown item 'rooster' (did you mean 'roster'?); expected `roster` or a mapping with name and members",
        f"{sync}:25:1: forum: unknown key (did you mean 'forums'?); expected one of course, users, cohorts, enrolments, groups, forums, roles, content",
    ]


def test_a_folder_given_for_the_sync_file_says_to_give_the_file(cli: Cli, tmp_path):
    result = cli("sync", "plan", str(cli.workdir))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{cli.workdir}: is a folder; give the sync file itself, e.g. {cli.workdir / 'sync.yaml'}", "1 problem found."]
    result = cli("sync", "apply", str(tmp_path))
    assert result.stderr.splitlines()[0] == f"{tmp_path}: is a folder; give the sync file itself (the YAML file with course: and users:)"
    assert sum(cli.moodle.calls.values()) == 0


def test_a_misspelt_user_gets_a_suggestion_from_the_rosters(tmp_path):
    flagship = tmp_path / "flagship"
    shutil.copytree(FLAGSHIP, flagship)
    sync = flagship / "moodle" / "sync.yaml"
    text = sync.read_text(encoding="utf-8").replace("users: [vrenaud]", "users: [vrenault]")
    sync.write_text(text, encoding="utf-8")
    line = text.splitlines().index("  - users: [vrenault]") + 1
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    assert problems(caught.value) == [
        f"{sync}:{line}:13: enrolments[1].users[0]: 'vrenault' is in no roster (did you mean 'vrenaud'?); "
        "correct the username, or add them to a roster of users.rosters"
    ]


@pytest.mark.parametrize("content, kind", [
    (None, "a zip archive (an Excel .xlsx workbook is one)"),
    ("username,firstname,lastname,email\n".encode("utf-16"), "UTF-16 text (Excel's \"Unicode text\")"),
    (b"username\0firstname", "a binary file"),
])
def test_a_roster_that_is_no_text_says_so(tmp_path, content, kind):
    roster = tmp_path / "roster.csv"
    if content is None:  # a real zip renamed .csv
        with zipfile.ZipFile(roster, "w") as archive:
            archive.writestr("roster.csv", "username,firstname,lastname,email\nann,Ann,B,ann@example.org\n")
    else:
        roster.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_roster(roster, DEFAULT_ROLES)
    assert problems(caught.value) == [
        f"{roster}: not a text file: this is {kind}; open it in a spreadsheet and save it as \"CSV UTF-8\""
    ]


@pytest.mark.parametrize("content, message", [
    (b"url: https://moodle.example.org\ntokn: abc\n",
     ":2:1: unknown key 'tokn' (did you mean 'token'?); expected one of allow_http, backoff, concurrency, max_input_vars, "
     "retries, timeout, token, url"),
    (b"url: https://moodle.example.org\ntoken: \xe9t\xe9\n", ": not valid UTF-8; save it with UTF-8 encoding"),
])
def test_a_bad_moodle_config_file_is_located(tmp_path, content, message):
    config = tmp_path / "moodle.yaml"
    config.write_bytes(content)
    config.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=config, environ={})
    assert str(caught.value) == f"{config}{message}"


DEEP = "- " + "[" * 3000 + "]" * 3000 + "\n"


def test_deep_nesting_in_a_roster_a_sync_file_or_the_config_is_one_located_line(tmp_path):
    deep = write(tmp_path / "deep.yaml", DEEP)
    too_deep = f"{deep}:1:102: YAML nested too deeply; keep it under 100 levels"
    for load in (lambda: load_roster(deep, DEFAULT_ROLES), lambda: load_sync_file(deep)):
        with pytest.raises(InputError) as caught:
            load()
        assert problems(caught.value) == [too_deep]
    deep.chmod(0o600)
    with pytest.raises(ConfigError) as caught:
        load_settings(config_path=deep, environ={})
    assert str(caught.value) == too_deep


def test_an_empty_config_file_asks_for_the_token(tmp_path):
    config = write(tmp_path / "moodle.yaml", "# nothing yet\n")
    config.chmod(0o600)
    with pytest.raises(ConfigError, match="no Moodle URL"):
        load_settings(config_path=config, environ={})


def test_an_unclosed_quote_in_a_sync_file_is_reported_where_it_opens(workdir):
    sync = workdir / "sync.yaml"
    lines = sync.read_text(encoding="utf-8").splitlines()
    line = next(index for index, text in enumerate(lines) if text.startswith("  shortname: "))
    lines[line] = '  shortname: "CP-2026'
    sync.write_text("\n".join(lines) + '\nnote: "x"\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sync_file(sync)
    (problem,) = problems(caught.value)
    assert problem.startswith(f"{sync}:{line + 1}:14: not valid YAML (the text quoted with \" here is not closed on its line")
