"""What Moodle refuses is reported before any call, located, with how to fix it; what it changes, noted."""

from __future__ import annotations

from .conftest import Cli, targets


def rewrite(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_lengths_and_tags_moodle_refuses_are_located_errors_and_nothing_is_called(cli: Cli):
    roster = cli.workdir / "roster.csv"
    rewrite(roster, "bob,Bob,Durand,", f"bob,<b>Bob</b>,{'D' * 300},")
    rewrite(roster, ",Groupe B\n", ",Groupe <i>B</i>\n")
    sync = cli.workdir / "sync.yaml"
    rewrite(sync, "  shortname: CP-2026\n", "  shortname: CP-2026\n  fullname: Faire <em>vivre</em>\n")
    rewrite(sync, "name: Formateurs", "name: Formateurs <3")
    rewrite(sync, "name: Communauté de pratique 2026", "name: " + "C" * 255)
    result = cli.plan_result()
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert f"{roster}:3:2: firstname: '<b>Bob</b>' holds markup Moodle refuses in a firstname (it would keep 'Bob'); remove the <...> part (a `<` followed by a space is fine)" in lines
    assert f"{roster}:3:3: lastname: 300 characters, more than the 100 Moodle keeps (user.lastname); shorten it" in lines
    assert any(line.startswith(f"{roster}:4:10: group1: 'Groupe <i>B</i>' holds markup") for line in lines)
    assert any(line.startswith(f"{sync}:5:13: course.fullname: 'Faire <em>vivre</em>' holds markup") for line in lines)
    assert any("groups[1].name: 'Formateurs <3' holds markup Moodle refuses in a group name (it would keep 'Formateurs ')" in line for line in lines)
    assert any("cohorts[0].name: 255 characters, more than the 254 Moodle keeps (cohort.name)" in line for line in lines)
    assert all(line.count("\n") == 0 for line in lines) and "Traceback" not in result.output
    assert sum(cli.moodle.calls.values()) == 0


def test_a_slash_in_a_category_name_never_splits_the_path_silently(cli: Cli):
    sync = cli.workdir / "sync.yaml"
    rewrite(sync, "category: Formations / 2026", "category: Formations/2026-2027")
    result = cli.plan_result()
    assert result.exit_code == 2
    assert (
        f"{sync}:5:13: course.category: 'Formations/2026-2027' has a `/` without a space on each side: write "
        "`Formations / 2026-2027` for a category inside another, or a list to keep the `/` in a name, e.g. [Formations/2026-2027]"
    ) in result.stderr
    rewrite(sync, "category: Formations/2026-2027", "category: [Formations, 2025/2026]")
    assert targets(cli.plan(), "create category") == {"Formations", "Formations / 2025/2026"}
    assert cli.apply().exit_code == 0
    names = {c.name for c in cli.moodle.site.categories.values()}
    assert {"Formations", "2025/2026"} <= names and "2025" not in names
    assert cli.plan()["actions"] == []


def test_an_email_another_account_has_is_a_located_note_and_the_creation_fails_alone(cli: Cli):
    cli.moodle.site.add_user("someone", "Some", "One", "chloe@example.org")
    plan = cli.plan()
    roster = cli.workdir / "roster.csv"
    assert plan["notes"][0] == (
        f"{roster}:4:1: chloe@example.org is already the e-mail of Moodle user 'someone', so creating 'chloe' will fail unless "
        "the site allows accounts with the same e-mail (allowaccountssameemail, which web services do not show); give another "
        "e-mail, or find people by e-mail (users.match_by: email)"
    )
    result = cli.apply()
    assert result.exit_code == 4
    assert "create user: chloe: core_user_create_users: Moodle rejected a value" in result.stderr


def test_a_username_moodle_would_lowercase_is_noted_where_it_is_written(cli: Cli):
    roster = cli.workdir / "roster.csv"
    rewrite(roster, "alice,Alice,", "Alice,Alice,")
    plan = cli.plan()
    assert f"{roster}:2:1: username 'Alice' is 'alice' in Moodle, which keeps usernames in lowercase; write it so in the roster" in plan["notes"]
    assert "alice" in targets(plan, "create user")
