"""A Moodle double holding a finished session of the fixture course (fixtures/): learners in every
state, a SCORM 1.2 and a SCORM 2004 activity, posts in a general and a separate-groups forum.

| learner | group | what they did |
| --- | --- | --- |
| ajoly | Nord | 1.2: passed, 100; both quizzes, every page; a reflection written twice, a box ticked |
| bnoel | Nord | 1.2: two attempts (50 min); failed at 50 on the second (evaluation taken twice) |
| cpetit | Nord | 2004: in progress, two pages |
| dleroy | Sud | 2004: passed, 75 (matching question wrong); one reflection answer |
| efaure | Sud | never opened the module; posted in the forum |
| fmoreau | Sud | not enrolled (unenrolled after the sync) |
| gvidal | (none) | 1.2: failed, 25 |
| hformat | (teacher) | left out of the report |
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.exporters.scorm_map import course_map
from builder.i18n import Interface
from builder.loader import load_course
from builder.site import build_site
from moodle_double import MoodleDouble
from moodle_double.report_reads import SCORM_12, SCORM_2004, add_attempt, add_post, add_scorm

from .learners import Given, scorm_elements, suspend_data

FIXTURES = Path(__file__).parent / "fixtures"
DAY = int(dt.datetime(2026, 3, 2, tzinfo=dt.UTC).timestamp())
HOUR = 3600
ALL_PAGES = list(range(8))
COURSE = load_course(FIXTURES / "course")
COURSE_MAP = course_map(COURSE, build_site(COURSE, Interface("fr").strings))
MATCH_OPTIONS = next(q for quiz in COURSE_MAP["quizzes"] for q in quiz["questions"] if q["type"] == "matching")["options"]


@dataclass
class Session:
    moodle: MoodleDouble
    workdir: Path

    @property
    def sync_file(self) -> Path:
        return self.workdir / "sync.yaml"

    def run(self, *args: str):
        env = {"MOODLE_URL": self.moodle.url, "MOODLE_TOKEN": self.moodle.ADMIN_TOKEN, "XDG_CONFIG_HOME": str(self.workdir / "no-config")}
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    def report(self, *extra: str):
        return self.run("report", str(self.sync_file), "-o", str(self.workdir / "out"), "--timezone", "UTC", *extra)


def answers_of(quiz: str, *given: tuple[str, str, str, bool]) -> list[Given]:
    return [Given(quiz, question, kind, response, correct) for question, kind, response, correct in given]


def evaluation(objectif: bool, regles: bool, roles: bool, mot: bool) -> list[Given]:
    """The right matching is the course's pairs; the wrong one swaps them (the runtime shuffles the options)."""
    right, wrong = ("a.a,b.b", "a.b,b.a") if MATCH_OPTIONS == ["Garantit le cadre", "Partage une situation"] else ("a.b,b.a", "a.a,b.b")
    return answers_of(
        "evaluation",
        ("q-objectif", "choice", "b" if objectif else "a", objectif),
        ("q-regles", "choice", "a,b" if regles else "a,b,c", regles),
        ("q-roles", "matching", right if roles else wrong, roles),
        ("q-mot", "fill-in", "tour de table" if mot else "chacun son tour", mot),
    )


def seed_session(moodle: MoodleDouble, workdir: Path) -> None:
    session = Session(moodle, workdir)
    assert session.run("sync", "apply", str(session.sync_file)).exit_code == 0  # course, users, groups
    site = moodle.site
    course = next(c for c in site.courses.values() if c.shortname == "RF-2026")
    site.add_forum(course.id, "Présentations")
    site.add_forum(course.id, "Forum des échanges", groupmode=1)
    assert session.run("sync", "apply", str(session.sync_file)).exit_code == 0  # the prompts' discussions
    user = {u.username: u for u in site.users.values()}
    del course.enrolments[user["fmoreau"].id]
    for name, last in (("ajoly", 9), ("bnoel", 30), ("cpetit", 2), ("dleroy", 10), ("efaure", 5), ("gvidal", 8)):
        user[name].lastaccess = DAY + last * HOUR

    data = COURSE_MAP
    v12 = add_scorm(site, course.id, "Module (SCORM 1.2)", SCORM_12, identifier="bilan-demo")
    v2004 = add_scorm(site, course.id, "Module (SCORM 2004)", SCORM_2004, identifier="bilan-demo")
    practice = answers_of("entrainement", ("e-vrai-faux", "true-false", "f", True))

    def attempt(scorm, name, start, hours, state, status, score, time, given=(), texts=None):
        version = "1.2" if scorm is v12 else "2004"
        elements = {**scorm_elements(version, state, status, score, time, list(given)), **(texts or {})}
        add_attempt(scorm, user[name].id, elements, DAY + start * HOUR, DAY + (start + hours) * HOUR)

    attempt(v12, "ajoly", 8, 1, suspend_data(data, ALL_PAGES, {"entrainement": (1, 100), "evaluation": (1, 100)}, {"auto-evaluation": "1"}),
            "passed", 100, "00:45:00.00", practice + evaluation(True, True, True, True),
            {"cmi.comments": "[reflexion.1] Un tour de table\\nchronométré\n[reflexion.1] Un tour de table\\npuis des binômes"})
    attempt(v12, "bnoel", 9, 1, suspend_data(data, [0, 1, 2], {}), "incomplete", None, "00:20:00")
    attempt(v12, "bnoel", 28, 1, suspend_data(data, ALL_PAGES, {"evaluation": (2, 50)}),
            "failed", 50, "00:30:00.00", evaluation(False, False, True, True))
    attempt(v2004, "cpetit", 1, 1, suspend_data(data, [0, 1], {}), "incomplete", None, "PT10M")
    attempt(v2004, "dleroy", 9, 1, suspend_data(data, ALL_PAGES, {"evaluation": (1, 75)}),
            "completed/passed", 75, "PT1H5M30S", evaluation(True, True, False, True),
            {"cmi.comments_from_learner.0.location": "reflexion.2", "cmi.comments_from_learner.0.comment": "{lang=fr}Les monopoles de parole"})
    attempt(v12, "gvidal", 7, 1, suspend_data(data, ALL_PAGES, {"evaluation": (1, 25)}),
            "failed", 25, "00:40:00", evaluation(False, False, False, True))

    discussions = {(site.forums[d.forum].name, d.groupid): d.id for d in site.discussions.values()}
    groups = {g.name: g.id for g in site.groups.values()}
    presentations = discussions["Présentations", -1]
    add_post(site, presentations, user["ajoly"].id, "<p>Bonjour</p>", DAY + 8 * HOUR)
    add_post(site, presentations, user["dleroy"].id, "<p>Bonjour à toutes et tous</p>", DAY + 9 * HOUR)
    add_post(site, presentations, user["ajoly"].id, "<p>Et mes attentes…</p>", DAY + 10 * HOUR)
    add_post(site, discussions["Forum des échanges", groups["Groupe Nord"]], user["bnoel"].id, "<p>Une situation</p>", DAY + 29 * HOUR)
    add_post(site, discussions["Forum des échanges", groups["Groupe Nord"]], user["cpetit"].id, "<p>Une autre</p>", DAY + 2 * HOUR)
    add_post(site, discussions["Forum des échanges", groups["Groupe Sud"]], user["efaure"].id, "<p>Chez nous</p>", DAY + 5 * HOUR)


@pytest.fixture
def session(tmp_path) -> Session:
    workdir = tmp_path / "work"
    shutil.copytree(FIXTURES, workdir)
    with MoodleDouble() as moodle:
        seed_session(moodle, workdir)
        moodle.reset_counts()
        yield Session(moodle, workdir)
