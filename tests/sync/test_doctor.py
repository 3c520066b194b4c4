"""`moodle doctor` against an admin token and a limited one."""

from __future__ import annotations

from lms_sync.plugin import plugin_version
from moodle_double.functions import FUNCTIONS
from moodle_double.plugin import install_plugin

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


def test_doctor_says_the_plugin_is_absent_and_how_to_install_it(cli: Cli):
    result = cli("moodle", "doctor")
    assert result.exit_code == 0  # only a sync file's content: needs it
    assert "Plugin local_coursebridge: absent (needed only for the sync file's content:); install the plugin: `coursebridge moodle plugin -o DIR`" in result.stdout
    assert "sync apply with content" not in result.stdout


def test_doctor_with_the_plugin_checks_every_capability(cli: Cli):
    site = cli.moodle.site
    install_plugin(site)
    admin = cli("moodle", "doctor")
    assert admin.exit_code == 0
    assert f"Plugin local_coursebridge: version {plugin_version()} (release 0.1.0): ok" in admin.stdout
    assert "  sync apply with content: ok" in admin.stdout
    held = frozenset({"local/coursebridge:publish", "moodle/cohort:view", "moodle/course:create"})
    site.add_token("limited-token-bbbbbbbbbbbbbbbbbbbb", site.admin.id, FUNCTIONS, capabilities=held)
    result = Cli(cli.moodle, cli.workdir, "limited-token-bbbbbbbbbbbbbbbbbbbb")("moodle", "doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "  missing moodle/restore:restorecourse: allow it in the token user's role at Site administration > Users > Permissions > Define roles" in lines
    assert not any("moodle/course:create:" in line or "not checkable" in line for line in lines)


def test_doctor_says_an_old_plugin_is_too_old(cli: Cli):
    install_plugin(cli.moodle.site, version=2025010100)
    result = cli("moodle", "doctor")
    assert result.exit_code == 1
    assert f"Plugin local_coursebridge: version 2025010100 is too old: this coursebridge needs {plugin_version()} or later" in result.stdout
