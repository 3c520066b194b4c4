"""plan -> apply -> plan is empty -> change the roster -> plan shows exactly that -> apply with and without --prune."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from moodle_double.site import STANDARD_ROLES, Category

from .conftest import Cli, targets

ROOT = Path(__file__).resolve().parents[2]

FIRST_PLAN = {
    "create category": 2,
    "create course": 1,
    "rename section": 1,
    "create user": 5,
    "create cohort": 1,
    "add cohort member": 4,
    "enrol": 5,
    "create group": 3,
    "add group member": 5,
}


def test_plan_apply_then_nothing_left_and_a_second_apply_writes_nothing(cli: Cli):
    moodle = cli.moodle
    assert cli.plan()["counts"] == FIRST_PLAN
    assert moodle.write_calls == 0  # planning only reads

    result = cli.apply()
    assert result.exit_code == 0, result.output
    assert "Applied 27 of 27 changes" in result.stdout

    site = moodle.site
    course = next(c for c in site.courses.values() if c.shortname == "CP-2026")
    assert course.fullname == "Faire vivre une communauté de pratique"
    assert course.summary.startswith("<p>Une journée pour <strong>lancer</strong>")
    assert site.categories[course.categoryid].name == "2026"
    alice = site.user_by("username", "alice")
    assert alice.preferences == {"auth_forcepasswordchange": "1"}  # createpassword: Moodle mails it
    assert site.user_by("username", "david").auth == "oauth2"
    assert course.enrolments[site.user_by("username", "fatima").id] == {3}
    cohort = next(iter(site.cohorts.values()))
    assert {site.users[i].username for i in cohort.members} == {"alice", "bob", "chloe", "david"}

    assert cli.plan()["actions"] == []
    moodle.reset_counts()
    again = cli.apply()
    assert again.exit_code == 0
    assert "Nothing to do" in again.stdout
    assert moodle.write_calls == 0


def test_roster_change_shows_exactly_the_difference_and_prune_removes(cli: Cli):
    assert cli.apply().exit_code == 0
    roster = cli.workdir / "roster.csv"
    lines = roster.read_text().splitlines()
    lines = [line for line in lines if not line.startswith("bob,")]
    lines = [line.replace("Groupe B", "Groupe A") if line.startswith("chloe,") else line for line in lines]
    lines.append("emma,Emma,Leroy,emma@example.org,E-005,manual,cp-2026,CP-2026,student,Groupe B")
    roster.write_text("\n".join(lines) + "\n")

    plan = cli.plan()
    assert plan["counts"] == {"create user": 1, "add cohort member": 1, "enrol": 1, "add group member": 2}
    assert targets(plan) == {"emma", "cp-2026: emma", "emma as student", "Groupe A: chloe", "Groupe B: emma"}

    pruning = cli.plan("--prune")
    assert targets(pruning) - targets(plan) == {"Groupe A: bob", "Groupe B: chloe", "cp-2026: bob", "bob"}

    assert cli.apply().exit_code == 0
    site = cli.moodle.site
    bob = site.user_by("username", "bob")
    course = next(iter(site.courses.values()))
    assert bob.id in course.enrolments  # kept without --prune
    assert targets(cli.plan()) == set()
    assert targets(cli.plan("--prune")) == {"Groupe A: bob", "Groupe B: chloe", "cp-2026: bob", "bob"}

    assert cli.apply("--prune").exit_code == 0
    assert bob.id not in course.enrolments
    assert all(bob.id not in g.members for g in site.groups.values())
    assert all(bob.id not in c.members for c in site.cohorts.values())
    assert site.user_by("username", "bob") is bob  # users are never deleted
    assert cli.plan("--prune")["actions"] == []


def test_discussions_post_once_and_once_per_group_in_group_forums(cli: Cli):
    assert cli.apply().exit_code == 0
    site = cli.moodle.site
    course = next(iter(site.courses.values()))
    site.add_forum(course.id, "Présentations", groupmode=1)  # what the cartridge import creates
    site.add_forum(course.id, "Forum des échanges")

    plan = cli.plan()
    assert plan["notes"] == []
    assert targets(plan, "post discussion") == {
        "Forum des échanges: Vos premières expériences",
        "Présentations: Présentez-vous (Formateurs)",
        "Présentations: Présentez-vous (Groupe A)",
        "Présentations: Présentez-vous (Groupe B)",
    }
    assert cli.apply().exit_code == 0
    posted = sorted((d.subject, d.groupid) for d in site.discussions.values())
    assert len(posted) == 4 and len(set(posted)) == 4
    message = next(d.message for d in site.discussions.values() if d.subject == "Vos premières expériences")
    assert message == "<p>Racontez une expérience de collectif qui vous a <em>marqué</em>.</p>\n"

    cli.moodle.reset_counts()
    assert cli.apply().exit_code == 0
    assert cli.moodle.write_calls == 0
    assert len(site.discussions) == 4


def test_a_forum_the_activity_names_comes_first_then_the_cartridge_forum_then_the_default(cli: Cli):
    assert cli.apply().exit_code == 0
    site = cli.moodle.site
    course = next(iter(site.courses.values()))
    for name in ("Présentations", "Présentez-vous", "Forum des échanges", "Vos premières expériences"):
        site.add_forum(course.id, name)
    assert targets(cli.plan(), "post discussion") == {
        "Présentations: Présentez-vous",  # forum: in the activity
        "Vos premières expériences: Vos premières expériences",  # the cartridge's forum, before forums.default
    }


def test_a_discussion_posted_in_the_cartridge_forum_is_not_posted_again_when_the_named_forum_appears(cli: Cli):
    assert cli.apply().exit_code == 0
    site = cli.moodle.site
    course = next(iter(site.courses.values()))
    site.add_forum(course.id, "Présentez-vous")  # the cartridge's forum for the activity that names "Présentations"
    assert targets(cli.plan(), "post discussion") == {"Présentez-vous: Présentez-vous"}
    assert cli.apply().exit_code == 0
    site.add_forum(course.id, "Présentations")
    assert targets(cli.plan(), "post discussion") == set()


def test_course_without_manual_enrolment_is_reported_at_plan_time(cli: Cli):
    assert cli.apply().exit_code == 0
    course = next(iter(cli.moodle.site.courses.values()))
    course.manual_enrolment = False
    course.enrolments.clear()
    plan = cli.plan()
    assert "enrol" not in plan["counts"]
    assert any("no manual enrolment method" in note and "Add method > Manual enrolments" in note for note in plan["notes"])


def test_one_failing_item_does_not_stop_the_others_and_the_next_run_converges(cli: Cli):
    site = cli.moodle.site
    squatter = site.add_user("someone", "Some", "One", "chloe@example.org")  # Moodle refuses a second account with this email
    result = cli.apply()
    assert result.exit_code == 4
    assert "create user: chloe: core_user_create_users: Moodle rejected a value (invalidparameter)" in result.stderr
    assert "enrol: chloe as student: user 'chloe' was not created (refused by Moodle)" in result.stderr
    summary = result.stderr.split("Details:")[0].splitlines()  # counts by cause come first
    assert summary[-3:] == ["4 failed (fix the causes below, then run apply again):", "  3 waits for a step that did not succeed", "  1 refused by Moodle"]
    assert {u.username for u in site.users.values()} >= {"alice", "bob", "david", "fatima"}
    assert site.user_by("username", "chloe") is None

    squatter.email = "someone@example.org"
    plan = cli.plan()
    assert targets(plan) == {"chloe", "cp-2026: chloe", "chloe as student", "Groupe B: chloe"}
    assert cli.apply().exit_code == 0
    assert cli.plan()["actions"] == []


def test_a_role_the_token_may_not_assign_fails_that_role_only_with_how_to_fix(cli: Cli):
    token = "limited-token-0123456789abcdef01"
    cli.moodle.site.add_token(token, cli.moodle.site.admin.id, cli.moodle.site.tokens[cli.moodle.ADMIN_TOKEN].functions, assignable_roles=frozenset({5}))
    limited = Cli(cli.moodle, cli.workdir, token)
    result = limited.apply()
    assert result.exit_code == 4
    assert "enrol: fatima as editingteacher" in result.stderr
    assert "Allow role assignments" in result.stderr
    course = next(iter(cli.moodle.site.courses.values()))
    assert {STANDARD_ROLES[r][0] for roles in course.enrolments.values() for r in roles} == {"student"}


def test_plan_text_groups_by_kind_with_counts(cli: Cli):
    result = cli("sync", "plan", str(cli.workdir / "sync.yaml"))
    assert result.exit_code == 0
    assert "Plan for CP-2026: 27 changes" in result.stdout
    assert "  create user (5):\n    + alice\n" in result.stdout
    assert json.loads(cli("sync", "plan", str(cli.workdir / "sync.yaml"), "--json").stdout)["counts"] == FIRST_PLAN


def test_journal_records_start_sends_results_and_end(cli: Cli):
    journal = cli.workdir / "sync.journal.jsonl"
    assert cli.apply().exit_code == 0
    events = [json.loads(line) for line in journal.read_text().splitlines()]
    assert events[0]["event"] == "start" and events[0]["counts"] == FIRST_PLAN
    assert events[-1] == {**events[-1], "event": "end", "done": 27, "failed": []}
    sent = [t for e in events if e["event"] == "send" for t in e["targets"]]
    done = [t for e in events if e["event"] == "result" and e["outcome"] == "done" for t in e["targets"]]
    assert len(done) == 27 and sorted(done) == sorted(sent)


def test_users_matched_by_email_are_not_created_again_and_names_change_only_when_asked(cli: Cli):
    site = cli.moodle.site
    existing = site.add_user("a.martin", "Alice", "Old-Name", "alice@example.org")
    sync = cli.workdir / "sync.yaml"
    sync.write_text(sync.read_text().replace("match_by: username", "match_by: email"))
    plan = cli.plan()
    assert "alice" not in targets(plan, "create user")
    assert "alice as student" in targets(plan, "enrol")
    assert cli.apply().exit_code == 0
    course = next(iter(site.courses.values()))
    assert existing.id in course.enrolments
    assert existing.lastname == "Old-Name"
    assert targets(cli.plan("--update-users")) == {"alice"}
    assert cli.apply("--update-users").exit_code == 0
    assert (existing.username, existing.lastname) == ("a.martin", "Martin")
    assert cli.plan("--update-users")["actions"] == []


# Names Moodle returns through format_string(), which cannot be undone: `&` and `&amp;` both come back
# as `&amp;`, tags are dropped, quotes and emoji are kept. Tags go where Moodle accepts them (a cohort's
# name is PARAM_RAW; a section's name is cleaned, not refused); `a < b` is no tag for PHP's strip_tags.
TRICKY = {
    "category": "R&D &amp; Co / « Stages » \"2026\" 🎉",
    "fullname": "Communauté & pratique &amp; \"réseau\" 'ouvert' 🎉",
    "group": "R&D &amp; Co",
    "group2": "Groupe 'A' \"B\" 1 < 2 🎉",
    "forum": "Échanges & questions &amp; \"idées\"",
    "cohort": "<b>Promo</b> & co",
    "day": "Jour <b>1</b> & « suite » 🎉",
    "prompt": "Succès & échecs &amp; \"leçons\" 🎉",
}


def test_names_with_ampersands_entities_tags_quotes_and_emoji_converge_in_two_cycles(cli: Cli):
    sync = cli.workdir / "sync.yaml"
    text = sync.read_text().replace("Formations / 2026", json.dumps(TRICKY["category"], ensure_ascii=False))
    fullname = json.dumps(TRICKY["fullname"], ensure_ascii=False)
    text = text.replace("  start: 2026-03-02\n", f"  fullname: {fullname}\n  start: 2026-03-02\n", 1)
    text = text.replace("name: Formateurs", f"name: {json.dumps(TRICKY['group'], ensure_ascii=False)}")
    text = text.replace("name: Communauté de pratique 2026", f"name: {json.dumps(TRICKY['cohort'], ensure_ascii=False)}")
    text = text.replace("Forum des échanges", json.dumps(TRICKY["forum"], ensure_ascii=False))
    sync.write_text(text)
    roster = cli.workdir / "roster.csv"
    roster.write_text(roster.read_text().replace("Groupe B", '"' + TRICKY["group2"].replace('"', '""') + '"'))
    day = cli.workdir / "course" / "days" / "jour-1.yaml"
    day_text = day.read_text().replace("title: Jour 1", f"title: {json.dumps(TRICKY['day'], ensure_ascii=False)}")
    day.write_text(day_text.replace("title: Vos premières expériences", f"title: {json.dumps(TRICKY['prompt'], ensure_ascii=False)}"))
    site = cli.moodle.site
    for cycle in range(2):
        result = cli.apply()
        assert result.exit_code == 0, result.output
        if cycle == 0:  # the forums the course's cartridge would have created
            course = next(iter(site.courses.values()))
            site.add_forum(course.id, "Présentations", groupmode=1)
            site.add_forum(course.id, TRICKY["forum"])
        else:
            plan = cli.plan()
            assert (plan["actions"], plan["notes"]) == ([], [])
    cli.moodle.reset_counts()
    assert "Nothing to do" in cli.apply().stdout
    assert cli.moodle.write_calls == 0
    assert [c.name for c in site.categories.values()].count("R&D &amp; Co") == 1
    assert {g.name for g in site.groups.values()} >= {TRICKY["group"], TRICKY["group2"]}
    assert course.fullname == TRICKY["fullname"]
    assert course.sections[1].name == "Jour 1 & « suite » 🎉"  # Moodle keeps a tag's text only
    assert next(iter(site.cohorts.values())).name == TRICKY["cohort"]
    assert sum(1 for d in site.discussions.values() if d.subject == TRICKY["prompt"]) == 1


def add_category(site, name: str, parent: int = 0) -> int:
    category = Category(site.new_id("category"), name, parent)
    site.categories[category.id] = category
    return category.id


def test_sibling_categories_with_the_same_name_are_reported_not_guessed(cli: Cli):
    site = cli.moodle.site
    first, second = add_category(site, "Formations"), add_category(site, "Formations")
    result = cli("sync", "plan", str(cli.workdir / "sync.yaml"))
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        (
            f"error: course.category: Moodle has 2 categories 'Formations' (ids {first}, {second}), so the sync cannot tell "
            "which one is meant: rename all but one at Site administration > Courses > Manage courses and categories, then run "
            "the plan again"
        )
    ]
    assert cli.apply().exit_code == 3 and cli.moodle.write_calls == 0


def test_a_path_clash_is_settled_by_the_course_being_in_one_of_them_or_by_a_unique_deeper_path(cli: Cli):
    site = cli.moodle.site
    first, second = add_category(site, "Formations"), add_category(site, "Formations")
    year = add_category(site, "2026", second)
    assert targets(cli.plan(), "create category") == set()  # 'Formations / 2026' is only under the second
    add_category(site, "2026", first)
    assert cli("sync", "plan", str(cli.workdir / "sync.yaml")).exit_code == 3
    site.add_course("CP-2026", "Faire vivre une communauté de pratique", year)
    plan = cli.plan()
    assert not {"create category", "create course"} & set(plan["counts"])
    (update,) = [action for action in plan["actions"] if action["kind"] == "update course"]  # summary and dates
    assert "category" not in update


def test_update_course_in_the_text_plan_says_what_changes_from_what_to_what(cli: Cli):
    site = cli.moodle.site
    category = add_category(site, "2026", add_category(site, "Formations"))
    site.add_course("CP-2026", "Old & name", category, startdate=1767225600)
    result = cli("sync", "plan", str(cli.workdir / "sync.yaml"))
    assert result.exit_code == 0
    line = next(line for line in result.stdout.splitlines() if line.startswith("    ~ CP-2026"))
    assert line.startswith("    ~ CP-2026: fullname 'Old & name' -> 'Faire vivre une communauté de pratique'; summary (0 characters) -> (")
    assert "; startdate 2026-01-01 -> 2026-03-02; enddate none -> 2026-06-30" in line
    (update,) = [a for a in cli.plan()["actions"] if a["kind"] == "update course"]
    assert update["changes"][0] == {"field": "fullname", "from": "'Old & name'", "to": "'Faire vivre une communauté de pratique'"}


def test_plan_says_which_functions_apply_needs_that_the_token_lacks(cli: Cli):
    site = cli.moodle.site
    token = "no-groups-token-0123456789abcdef"
    site.add_token(token, site.admin.id, set(site.tokens[cli.moodle.ADMIN_TOKEN].functions) - {"core_group_create_groups"})
    plan = Cli(cli.moodle, cli.workdir, token).plan()
    assert (
        "the token's external service lacks core_group_create_groups, which apply needs for 3 'create group': add it at "
        "Site administration > Server > Web services > External services > (the token's service) > Functions > Add functions"
    ) in plan["notes"][-1]


def test_a_plan_piped_into_head_stops_quietly(cli: Cli, tmp_path):
    roster = cli.workdir / "roster.csv"
    roster.write_text(roster.read_text() + "".join(f"extra{i},E,P{i},extra{i}@example.org,,manual,cp-2026,CP-2026,student,Groupe A\n" for i in range(3000)))
    env = {**os.environ, **cli.env, "PYTHONPATH": str(ROOT)}
    command = f"{sys.executable} -m builder sync plan {cli.workdir / 'sync.yaml'} | head -n 3"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines()[0] == "Plan for CP-2026: 12027 changes"
    assert result.stderr == "" and result.returncode == 141


def test_names_with_line_breaks_tabs_and_bidi_controls_stay_on_one_line_in_plan_and_apply(cli: Cli):
    """Each action, note and failure is one line: control and bidi characters are written as
    escapes (builder.errors.one_line), as in every other message."""
    roster = cli.workdir / "roster.csv"
    roster.write_text(roster.read_text().replace("Groupe B", "Groupe\tB\u202e"))
    sync = cli.workdir / "sync.yaml"
    sync.write_text(sync.read_text().replace("name: Formateurs", 'name: "Forma\\nteurs\\x1b"'))
    squatter = cli.moodle.site.add_user("someone", "Some", "One", "chloe@example.org")  # a failure to report
    result = cli("sync", "plan", str(sync))
    assert result.exit_code == 0, result.output
    assert "    + Groupe\\tB\\u202e\n" in result.stdout
    assert "    + Forma\\nteurs\\x1b: fatima\n" in result.stdout
    assert not any(char in result.stdout for char in "\t\x1b\u202e")
    result = cli.apply()
    assert result.exit_code == 4
    assert "  add group member: Groupe\\tB\\u202e: chloe: user 'chloe' was not created (refused by Moodle)\n" in result.stderr
    assert not any(char in result.output for char in "\t\x1b\u202e")
    squatter.email = "someone@example.org"
    assert cli.apply().exit_code == 0
    assert {group.name for group in cli.moodle.site.groups.values()} >= {"Groupe\tB\u202e", "Forma\nteurs\x1b"}
