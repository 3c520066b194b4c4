"""Fixtures: a Moodle double per test, a copy of the sample sync file, and a CLI runner against them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from moodle_double import MoodleDouble

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def moodle():
    with MoodleDouble() as double:
        yield double


@pytest.fixture
def workdir(tmp_path) -> Path:
    """A writable copy of fixtures/: sync.yaml, roster.csv, trainers.yaml, course/."""
    target = tmp_path / "work"
    shutil.copytree(FIXTURES, target)
    return target


class Cli:
    def __init__(self, moodle: MoodleDouble, workdir: Path, token: str | None = None):
        self.moodle = moodle
        self.workdir = workdir
        self.env = {"MOODLE_URL": moodle.url, "MOODLE_TOKEN": token or moodle.ADMIN_TOKEN, "XDG_CONFIG_HOME": str(workdir / "no-config")}

    def __call__(self, *args: str):
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        return result

    def plan_result(self, *extra: str):
        return self("sync", "plan", str(self.workdir / "sync.yaml"), "--json", *extra)

    def plan(self, *extra: str) -> dict:
        result = self.plan_result(*extra)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def apply(self, *extra: str):
        return self("sync", "apply", str(self.workdir / "sync.yaml"), *extra)


@pytest.fixture
def cli(moodle, workdir) -> Cli:
    return Cli(moodle, workdir)


def targets(plan: dict, kind: str | None = None) -> set[str]:
    return {a["target"] for a in plan["actions"] if kind is None or a["kind"] == kind}
