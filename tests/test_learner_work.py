"""builder.learner_work: reflections and checklists decoded from the CMI data an LMS keeps."""

from __future__ import annotations

import pytest
from conftest import FLAGSHIP

from builder import model
from builder.exporters.scorm_map import course_map
from builder.i18n import Interface
from builder.learner_work import (
    ChecklistWork,
    ReflectionWork,
    escape_text,
    learner_work,
    question_key,
    unescape_text,
)
from builder.loader import load_course
from builder.site import build_site


@pytest.fixture(scope="module")
def course() -> model.Course:
    return load_course(FLAGSHIP)


def layout(course: model.Course) -> str:
    return course_map(course, build_site(course, Interface("fr").strings))["layout"]


def by_id(work) -> dict:
    return {entry.activity.id: entry for entry in work}


@pytest.mark.parametrize("text", [
    "", "simple", "deux\nlignes", "{commence par une accolade}", "\\n littéral", "a\\{b}\\",
    "fin de ligne\r\nWindows", "émoji 🙂 et « guillemets »",
])  # fmt: skip
def test_escaping_keeps_one_line_and_round_trips(text):
    escaped = escape_text(text)
    assert "\n" not in escaped and "\r" not in escaped and not escaped.startswith("{")
    assert unescape_text(escaped) == text.replace("\r\n", "\n")


def test_scorm2004_reflections_come_from_comments_from_learner(course):
    tracks = {
        "cmi.comments_from_learner.0.location": "j1-reflexion-notions.1",
        "cmi.comments_from_learner.0.comment": "{lang=fr}Première version",
        "cmi.comments_from_learner.0.timestamp": "2026-12-01T20:02:13.64Z",
        "cmi.comments_from_learner.1.location": "j2-reflexion.7",
        "cmi.comments_from_learner.1.comment": "{lang=fr}Deux\\nlignes, \\{sic}",
        "cmi.comments_from_learner.2.location": "j1-reflexion-notions.1",
        "cmi.comments_from_learner.2.comment": "{lang=fr}Version revue",
        "cmi.comments_from_learner.3.location": "j1-reflexion-journee.2",
        "cmi.comments_from_learner.3.comment": "{lang=fr}",
        "cmi.comments_from_learner.4.location": "note d'un autre outil",
        "cmi.comments_from_learner.4.comment": "ignorée",
        "cmi.suspend_data": "",
        "score_raw": 90,
    }
    work = by_id(learner_work("scorm2004", course, tracks))
    notions = work["j1-reflexion-notions"]
    assert isinstance(notions, ReflectionWork)
    assert notions.answers == ["Version revue"] + [None] * 5  # the last comment of a location
    assert work["j2-reflexion"].answers[6] == "Deux\nlignes, {sic}"
    assert work["j1-reflexion-journee"].answers[1] == ""  # emptied by the learner
    assert notions.pairs[0] == (notions.activity.questions[0], "Version revue")


def test_scorm2004_accepts_the_run_time_notation_of_collections(course):
    tracks = {
        "cmi.comments_from_learner.N0.location": question_key("j2-reflexion", 0),
        "cmi.comments_from_learner.N0.comment": "{lang=fr}Texte",
    }
    assert by_id(learner_work("scorm2004", course, tracks))["j2-reflexion"].answers[0] == "Texte"


def test_scorm12_reflections_come_from_the_comments_log(course):
    log = "\n".join([
        "[j1-reflexion-notions.2] Premier jet",
        "[j2-reflexion.1] Une ligne\\net une autre",
        "Commentaire tapé ailleurs, sans clé",
        "[j1-reflexion-notions.2] Texte final \\\\ avec barre",
    ])  # fmt: skip
    work = by_id(learner_work("scorm12", course, {"cmi.comments": log}))
    assert work["j1-reflexion-notions"].answers[1] == "Texte final \\ avec barre"
    assert work["j2-reflexion"].answers[0] == "Une ligne\net une autre"
    assert work["j1-reflexion-journee"].answers == [None] * 5


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_checklists_come_from_suspend_data_of_this_layout(course, version):
    suspend_data = f"1{layout(course)}|_H|;;|32-1;2"
    work = by_id(learner_work(version, course, {"cmi.suspend_data": suspend_data}))
    first, second = work["j1-auto-evaluation"], work["j2-auto-evaluation"]
    assert isinstance(first, ChecklistWork)
    assert first.levels == [3, 2, None, 1] + [None] * 7
    assert first.pairs[0] == (first.activity.items[0].text, first.activity.scale[3])
    assert second.levels == [2] + [None] * 6


def test_checklists_saved_by_another_layout_are_not_misread(course):
    work = by_id(learner_work("scorm12", course, {"cmi.suspend_data": "1zzzz|_H|;;|32-1;2"}))
    assert work["j1-auto-evaluation"].levels == [None] * 11


def test_nothing_stored_gives_every_activity_empty(course):
    work = learner_work("scorm12", course, {})
    kinds = [type(entry).__name__ for entry in work]
    assert kinds == ["ReflectionWork", "ChecklistWork", "ReflectionWork", "ReflectionWork", "ChecklistWork"]
    assert all(value is None for entry in work for _, value in entry.pairs)


def test_an_unknown_version_is_refused(course):
    with pytest.raises(ValueError, match="scorm12 or scorm2004"):
        learner_work("aicc", course, {})
