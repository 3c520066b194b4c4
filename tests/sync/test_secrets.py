"""A recognisable token run through every sync/moodle command at every log level never shows up
in stdout, stderr, logs, the journal or any file the commands write."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from moodle_double import Faults
from moodle_double.functions import FUNCTIONS

from .conftest import Cli

TOKEN = "SECRET-TOKEN-5f1e2d3c4b5a69788796a5b4c3d2e1f0"


@pytest.fixture
def secret_cli(moodle, workdir) -> Cli:
    moodle.site.add_token(TOKEN, moodle.site.admin.id, moodle.site.tokens[moodle.ADMIN_TOKEN].functions)
    secret = Cli(moodle, workdir, TOKEN)
    config = workdir / "moodle.yaml"  # no waiting between retries
    config.write_text("backoff: 0\ntimeout: 5\nretries: 12\n")  # reads outlast the injected faults
    config.chmod(0o600)
    secret.env["COURSEBRIDGE_MOODLE_CONFIG"] = str(config)
    return secret


def commands(workdir):
    sync = str(workdir / "sync.yaml")
    passwords = str(workdir / "passwords.csv")
    return [
        ["moodle", "doctor"],
        ["sync", "plan", sync],
        ["sync", "plan", sync, "--json", "--prune"],
        ["sync", "apply", sync, "--passwords-file", passwords],
        ["sync", "apply", sync, "--prune", "--update-users"],
        ["sync", "plan", sync, "--url", "http://127.0.0.1:9"],  # connection refused
        ["sync", "plan", sync, "--url", "http://moodle.example.org"],  # plain http refused
    ]


@pytest.mark.parametrize("level", [logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR])
@pytest.mark.parametrize("debug", [False, True])
def test_the_token_never_appears(secret_cli: Cli, caplog, level, debug):
    caplog.set_level(level)
    text = (secret_cli.workdir / "sync.yaml").read_text()
    (secret_cli.workdir / "sync.yaml").write_text(text.replace("match_by: username", "match_by: username\n  passwords: generate"))
    secret_cli.moodle.faults = Faults(rate=0.3, kinds=("http500", "malformed", "null"), seed=level)
    outputs = []
    for args in commands(secret_cli.workdir):
        result = secret_cli(*(args + (["--debug"] if debug else [])))
        outputs += [result.stdout, result.stderr]
    outputs.append(caplog.text)
    written = [path for path in secret_cli.workdir.rglob("*") if path.is_file()]
    assert any(path.name.endswith(".journal.jsonl") for path in written)
    for output in outputs + [path.read_text(errors="replace") for path in written]:
        assert TOKEN not in output
        assert TOKEN[:20] not in output


def test_generated_passwords_go_only_to_a_private_file(secret_cli: Cli):
    text = (secret_cli.workdir / "sync.yaml").read_text()
    (secret_cli.workdir / "sync.yaml").write_text(text.replace("match_by: username", "match_by: username\n  passwords: generate"))
    refused = secret_cli.apply()
    assert refused.exit_code == 1 and "--passwords-file" in refused.stderr
    passwords = secret_cli.workdir / "out" / "passwords.csv"
    passwords.parent.mkdir()
    result = secret_cli.apply("--passwords-file", str(passwords))
    assert result.exit_code == 0, result.output
    rows = dict(line.split(",") for line in passwords.read_text().splitlines())
    assert set(rows) == {"alice", "bob", "chloe", "fatima"}  # david signs in through oauth2: no password
    assert passwords.stat().st_mode & 0o777 == 0o600
    alice = secret_cli.moodle.site.user_by("username", "alice")
    assert alice.password == rows["alice"] and alice.preferences == {"auth_forcepasswordchange": "1"}
    journal = (secret_cli.workdir / "sync.journal.jsonl").read_text()
    assert all(password not in journal + result.output for password in rows.values())


def generate_passwords(cli: Cli) -> None:
    sync = cli.workdir / "sync.yaml"
    sync.write_text(sync.read_text().replace("match_by: username", "match_by: username\n  passwords: generate"))


def test_each_password_is_on_disk_before_the_call_that_creates_its_user(cli: Cli, monkeypatch):
    generate_passwords(cli)
    passwords = cli.workdir / "passwords.csv"
    create_users = FUNCTIONS["core_user_create_users"]
    seen_at_call = []

    def create_and_look(site, token, params):
        seen_at_call.append((passwords.read_text(), [(u["username"], u["password"]) for u in params["users"] if "password" in u]))
        return real_create(site, token, params)

    real_create = create_users.run
    monkeypatch.setattr(create_users, "run", create_and_look)
    assert cli.apply("--passwords-file", str(passwords)).exit_code == 0
    assert sum(len(sent) for _, sent in seen_at_call) == 4  # alice, bob, chloe, fatima; david uses oauth2
    for on_disk, sent in seen_at_call:
        assert all(f"{username},{password}\n" in on_disk for username, password in sent)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda work: Path("/proc/passwords.csv"), "cannot write it (No such file or directory); give a path in a folder you can write"),
        (lambda work: work / "missing" / "passwords.csv", "there is no folder"),
        (lambda work: work, "is a folder; give the path of a file"),
        (lambda work: shared(work / "shared.csv"), "others may read it (mode 644); run `chmod 600"),
        (lambda work: linked(work / "link.csv", work / "private.csv"), "is a symbolic link; give the path of the file itself"),
    ],
    ids=["proc", "missing-folder", "folder", "group-readable", "symlink"],
)
def test_a_bad_passwords_file_is_refused_before_any_call(cli: Cli, make, says):
    generate_passwords(cli)
    path = make(cli.workdir)
    result = cli.apply("--passwords-file", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [result.stderr.strip()] and result.stderr.startswith(f"error: --passwords-file {path}: ")
    assert says in result.stderr
    assert sum(cli.moodle.calls.values()) == 0


def shared(path: Path) -> Path:
    path.write_text("alice,Old-password1!\n")
    path.chmod(0o644)
    return path


def linked(link: Path, target: Path) -> Path:
    target.touch(mode=0o600)
    link.symlink_to(target)
    return link


@pytest.mark.parametrize(("existing", "says"), [((), "4 new users need one"), (("alice", "bob", "chloe"), "1 new user needs one")])
def test_generate_without_a_passwords_file_says_how_many_users_need_one(cli: Cli, existing, says):
    generate_passwords(cli)
    for username in existing:
        cli.moodle.site.add_user(username, username.title(), "X", f"{username}@example.org")
    result = cli.apply()
    assert result.exit_code == 1
    assert f"users.passwords is `generate` and {says}: pass --passwords-file FILE" in result.stderr
    assert cli.moodle.write_calls == 0
