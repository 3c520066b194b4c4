"""The flagship's own sync definition (course_src/.../moodle/) against the Moodle double."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import Cli, targets

FLAGSHIP = Path(__file__).resolve().parents[2] / "course_src" / "animer-communaute-apprenante"
REGIONS = {"UNA Bretagne", "UNA Occitanie", "UNA Grand Est", "UNA Auvergne-Rhône-Alpes",
           "UNA Hauts-de-France", "UNA Provence-Alpes-Côte d'Azur"}


@pytest.fixture
def flagship_cli(moodle, tmp_path) -> Cli:
    course = tmp_path / "animer-communaute-apprenante"
    shutil.copytree(FLAGSHIP, course)
    return Cli(moodle, course / "moodle")


def test_flagship_plan_creates_the_session(flagship_cli: Cli):
    plan = flagship_cli.plan()
    assert plan["counts"]["create user"] == 13
    assert plan["counts"]["add cohort member"] == 12
    assert plan["counts"]["enrol"] == 13
    assert targets(plan, "create group") == REGIONS


def test_flagship_apply_then_rerun_writes_nothing(flagship_cli: Cli):
    moodle = flagship_cli.moodle
    assert flagship_cli.apply().exit_code == 0
    site = moodle.site
    course = next(c for c in site.courses.values() if c.shortname == "UNA-CDP-2026")
    assert "communautés de pratiques UNA" in course.summary
    trainer = site.user_by("username", "vrenaud")
    assert course.enrolments[trainer.id] == {3}  # editingteacher
    moodle.reset_counts()
    assert flagship_cli.plan()["actions"] == []
    assert flagship_cli.apply().exit_code == 0
    assert moodle.write_calls == 0
