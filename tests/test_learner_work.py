"""builder.learner_work: reflections and checklists decoded from the CMI data an LMS keeps."""

from __future__ import annotations

import pytest

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


@pytest.fixture
def course(course_with_reflection) -> model.Course:
    return load_course(course_with_reflection)


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
        "cmi.comments_from_learner.0.location": "ma-reflexion.1",
        "cmi.comments_from_learner.0.comment": "{lang=fr}Première version",
        "cmi.comments_from_learner.0.timestamp": "2026-12-01T20:02:13.64Z",
        "cmi.comments_from_learner.1.location": "ma-reflexion.2",
        "cmi.comments_from_learner.1.comment": "{lang=fr}Deux\\nlignes, \\{sic}",
        "cmi.comments_from_learner.2.location": "ma-reflexion.1",
        "cmi.comments_from_learner.2.comment": "{lang=fr}Version revue",
        "cmi.comments_from_learner.3.location": "note d'un autre outil",
        "cmi.comments_from_learner.3.comment": "ignorée",
        "cmi.suspend_data": "",
        "score_raw": 90,
    }
    reflection = by_id(learner_work("scorm2004", course, tracks))["ma-reflexion"]
    assert isinstance(reflection, ReflectionWork)
    assert reflection.answers == ["Version revue", "Deux\nlignes, {sic}"]  # a location's last
    assert reflection.pairs[0] == ("Qu'en pensez-vous ?", "Version revue")


def test_scorm2004_accepts_the_run_time_notation_of_collections(course):
    tracks = {
        "cmi.comments_from_learner.N0.location": question_key("ma-reflexion", 1),
        "cmi.comments_from_learner.N0.comment": "{lang=fr}",
    }
    assert by_id(learner_work("scorm2004", course, tracks))["ma-reflexion"].answers == [None, ""]


def test_scorm12_reflections_come_from_the_comments_log(course):
    log = "\n".join([
        "[ma-reflexion.2] Premier jet",
        "[mes-engagements] ✓; —",  # the readable copy of a checklist: suspend_data is read
        "Commentaire tapé ailleurs, sans clé",
        "[ma-reflexion.2] Texte final \\\\ avec barre\\net ligne",
    ])  # fmt: skip
    work = by_id(learner_work("scorm12", course, {"cmi.comments": log}))
    assert work["ma-reflexion"].answers == [None, "Texte final \\ avec barre\net ligne"]
    assert work["mes-engagements"].levels == [None, None]


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_checklists_come_from_suspend_data_of_this_layout(course, version):
    suspend_data = f"1{layout(course)}|_H|;|1;2-1"  # mes-engagements, then auto-evaluation
    work = by_id(learner_work(version, course, {"cmi.suspend_data": suspend_data}))
    ticks, levels = work["mes-engagements"], work["auto-evaluation"]
    assert isinstance(ticks, ChecklistWork)
    assert ticks.levels == [1, None]
    assert ticks.pairs == [("J'anime une séance.", "✓"), ("Je fais un bilan.", None)]
    assert levels.levels == [2, None]
    assert levels.pairs[0] == ("Je sais expliquer ce qu'est une communauté de pratique.", "Oui")


def test_checklists_saved_by_another_layout_are_not_misread(course):
    work = by_id(learner_work("scorm12", course, {"cmi.suspend_data": "1zzzz|_H|;|1;2-1"}))
    assert work["auto-evaluation"].levels == [None, None]


def test_nothing_stored_gives_every_activity_empty_in_course_order(course):
    work = learner_work("scorm12", course, {})
    ids = [entry.activity.id for entry in work]
    assert ids == ["ma-reflexion", "mes-engagements", "auto-evaluation"]
    assert all(value is None for entry in work for _, value in entry.pairs)


def test_an_unknown_version_is_refused(course):
    with pytest.raises(ValueError, match="scorm12 or scorm2004"):
        learner_work("aicc", course, {})
