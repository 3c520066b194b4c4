"""`moodle doctor` against an admin token and a limited one."""

from __future__ import annotations

from moodle_double.functions import FUNCTIONS

from .conftest import Cli


def test_doctor_with_an_admin_token(cli: Cli):
    result = cli("moodle", "doctor")
    assert result.exit_code == 0
    assert "Site: Moodle test, Moodle 5.1+ (Build: 20251017) (version 2025100600.02)" in result.stdout
    assert "  sync apply --prune: ok" in result.stdout


def test_doctor_names_missing_functions_per_command_and_missing_capabilities(cli: Cli):
    site = cli.moodle.site
    functions = set(FUNCTIONS) - {"core_group_delete_group_members", "mod_forum_add_discussion"}
    site.add_token("limited-token-aaaaaaaaaaaaaaaaaaaa", site.admin.id, functions, capabilities=frozenset({"moodle/user:create"}))
    result = Cli(cli.moodle, cli.workdir, "limited-token-aaaaaaaaaaaaaaaaaaaa")("moodle", "doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  sync plan: ok" in lines
    assert "  sync apply: missing mod_forum_add_discussion" in lines
    assert "  sync apply --prune: missing mod_forum_add_discussion, core_group_delete_group_members" in lines
    assert any("External services > (the token's service) > Functions" in line for line in lines)
    assert any(line.startswith("  missing moodle/cohort:view") for line in lines)
    assert "not a site administrator" in result.stdout


def test_doctor_with_a_bad_token_says_how_to_get_one(cli: Cli):
    result = Cli(cli.moodle, cli.workdir, "not-a-token")("moodle", "doctor")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: Moodle does not know this token (invalidtoken): create a token")
