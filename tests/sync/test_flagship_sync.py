"""The flagship's own sync definition (course_src/.../moodle/) against the Moodle double."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.loader import load_course
from builder.model import Discussion

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


@pytest.fixture
def by_hand_cli(flagship_cli: Cli) -> Cli:
    """The flagship's sync file without its content: section, as when the cartridge is restored by hand."""
    sync = flagship_cli.workdir / "sync.yaml"
    text = sync.read_text(encoding="utf-8")
    sync.write_text(text[: text.index("content:\n")] + text[text.index("users:\n") :], encoding="utf-8")
    return flagship_cli


def restore_cartridge_forums(cli: Cli) -> dict[str, str]:
    """What restoring the flagship's Common Cartridge adds: one general forum per discussion prompt, named after
    the activity's title (docs/imscc.md). Returns each discussion's subject -> its forum's name."""
    site = cli.moodle.site
    course = next(c for c in site.courses.values() if c.shortname == "UNA-CDP-2026")
    posted_in = {}
    for activity in load_course(cli.workdir.parent).activities_of(Discussion):
        site.add_forum(course.id, activity.title)
        posted_in[activity.discussion_subject] = activity.title
    return posted_in


def test_flagship_discussions_go_to_the_forums_the_cartridge_created(by_hand_cli: Cli):
    assert by_hand_cli.apply().exit_code == 0
    posted_in = restore_cartridge_forums(by_hand_cli)
    assert len(posted_in) == 3
    plan = by_hand_cli.plan()
    assert plan["notes"] == []
    assert targets(plan) == {f"{forum}: {subject}" for subject, forum in posted_in.items()}

    assert by_hand_cli.apply().exit_code == 0
    site = by_hand_cli.moodle.site
    forum_names = {forum.id: forum.name for forum in site.forums.values()}
    assert {(forum_names[d.forum], d.subject) for d in site.discussions.values()} == {(f, s) for s, f in posted_in.items()}
    by_hand_cli.moodle.reset_counts()
    assert by_hand_cli.apply().exit_code == 0
    assert by_hand_cli.moodle.write_calls == 0


def test_flagship_without_forums_says_how_to_get_them_and_not_that_moodle_matches(by_hand_cli: Cli):
    assert by_hand_cli.apply().exit_code == 0
    notes = by_hand_cli.plan()["notes"]
    assert len(notes) == 3
    assert "course UNA-CDP-2026 has no forum 'Forum des participantes' or \"Partager ses expériences d'animation\"" in notes[0]
    assert "restore the course's Common Cartridge into it (it creates the forum \"Partager ses expériences d'animation\")" in notes[0]
    again = by_hand_cli.apply()
    assert again.exit_code == 0
    assert "Nothing to do; 3 notes above need attention." in again.stdout
    assert "matches" not in again.output
    text = by_hand_cli("sync", "plan", str(by_hand_cli.workdir / "sync.yaml"))
    assert "No changes for UNA-CDP-2026; 3 notes below need attention." in text.stdout
    assert "matches" not in text.output
