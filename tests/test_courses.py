"""The two courses of course_src/: faithful to their programme, complete, and clean builds."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from builder import model
from builder.coverage import coverage_matrix
from builder.exporters import EXPORTERS, get_exporter
from builder.loader import load_course
from builder.markdown import scan
from conftest import COURSES, FLAGSHIP, SECOND_COURSE

OBJECTIVES = [
    "Renforcer ses capacités d'animation d'un collectif dans la durée",
    "Identifier les rôles et les postures qui soutiennent une coopération ouverte et évolutive",
    "Construire une feuille de route partagée",
    "Structurer des espaces et des temps d'apprentissages collectifs",
    "Outiller les dynamiques d'apprentissage, de régulation et d'évaluation continue",
]
SEQUENCES = [
    ["Notions et pratiques", "Animer l'intelligence collective"],
    ["Organiser la communauté de pratique", "Rédiger une feuille de route",
     "Formaliser la fonction d'animation d'une communauté de pratiques"],
]
BIBLIOGRAPHY_003 = {("Wenger", 1998), ("Wenger", 2002), ("Lave", 1991), ("Lévy", 1994),
                    ("Bandura", 1977), ("Paquelin", 2009), ("Cristol", 2017)}
PLACEHOLDERS = re.compile(r"\b(TODO|TBD|FIXME|XXX|lorem|ipsum)\b|\[\.\.\.\]",  # templates may say "à compléter"
                          re.IGNORECASE)


@pytest.fixture(scope="module")
def flagship() -> model.Course:
    return load_course(FLAGSHIP)


@pytest.fixture(scope="module")
def second() -> model.Course:
    return load_course(SECOND_COURSE)


def test_programme_items_are_faithful(flagship):
    assert flagship.title == "Animer dans la durée une communauté apprenante"
    assert [o.text for o in flagship.objectives] == OBJECTIVES
    assert flagship.audience.source.strip() == "Coordinatrices des unions territoriales UNA"
    assert flagship.prerequisites == [
        "Exercer les fonctions de coordinatrices au sein d'une union territoriale du réseau UNA"]
    assert (flagship.duration.days, flagship.duration.hours) == (2, 14)
    session = flagship.sessions[0]
    assert (session.start, session.end, session.place) == (
        dt.date(2026, 1, 14), dt.date(2026, 1, 15), "Paris")
    assert "Consultant et formateur sur les communautés de pratiques" in flagship.speakers.source
    assert "exercices d'application et des études de cas" in flagship.evaluation.source
    for heading in ("Apports théoriques", "Exemples", "Ateliers pratiques"):
        assert heading in flagship.methods.source
    assert [[s.title for s in day.sequences] for day in flagship.days] == SEQUENCES


def test_days_run_from_nine_to_five_with_lunch(flagship):
    for day in flagship.days:
        slots = model.day_schedule(day)
        assert slots[0].start == dt.time(9, 0) and slots[-1].end == dt.time(17, 0)
        assert any(s.break_ and s.start == dt.time(12, 30) for s in slots), day.id
        pauses = [p for s in slots if s.sequence for p in s.breaks]
        assert len(pauses) >= 1, day.id


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_every_objective_addressed_and_assessed(folder):
    matrix = coverage_matrix(load_course(folder))
    assert matrix.percent == 100, matrix.gaps


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_builds_to_every_format_without_warning(folder, tmp_path):
    course = load_course(folder)
    for name in [n for n in EXPORTERS if n not in ("guide", "workbook")]:  # see test_print.py
        assert get_exporter(name).build(course, tmp_path).problems == [], name


def test_a_quiz_per_day_with_mixed_questions_and_explaining_feedback(flagship):
    for day in flagship.days:
        quizzes = [a for s in day.sequences for a in s.activities if isinstance(a, model.Quiz)]
        practice = [q for q in quizzes if not q.graded]
        assert practice, day.id
        questions = practice[0].questions
        assert len(questions) >= 8
        assert len({q.type for q in questions}) >= 4
        for question in questions:
            assert question.feedback.correct and question.feedback.incorrect, question.id
            assert len(question.feedback.incorrect.source) > 40, question.id  # explains
            assert question.assesses, question.id


def test_final_assessment_covers_every_objective(flagship):
    final = [q for q in flagship.graded_quizzes]
    assert len(final) == 1
    assessed = {o for q in final[0].questions for o in q.assesses}
    assert assessed == {o.id for o in flagship.objectives}
    case_studies = [a for _, _, a in flagship.activities() if a.type == "case-study"]
    assert case_studies and set(case_studies[0].assesses) == assessed
    final_checklist = next(c for c in flagship.activities_of(model.Checklist) if c.id == "j2-auto-evaluation")
    assert len(final_checklist.items) == 7 and final_checklist.scale  # the 7 criteria of 003


def test_the_three_tools_of_003_are_downloadable(flagship):
    files = {r.file for r in flagship.activities_of(model.Resource) if r.file}
    for tool in ("grille-cartographie", "modele-partage-pratique", "checklist-contribution"):
        assert any(tool in path for path in files), tool


def test_discussions_cover_experiences_charter_and_roadmap(flagship):
    titles = " ".join(d.title.lower() for d in flagship.activities_of(model.Discussion))
    for topic in ("expérience", "charte", "feuille de route"):
        assert topic in titles


def test_glossary_bibliography_and_diagram(flagship):
    assert len(flagship.glossary) >= 15
    works = {(w.authors[0].split(",")[0], w.year) for w in flagship.bibliography}
    assert BIBLIOGRAPHY_003 <= works
    diagrams = [d for _, _, a in flagship.activities() if isinstance(a, model.Theory)
                for d in scan(a.body).diagrams]
    assert any("Formateur" in d.source and "Enrichissement mutuel" in d.source and d.alt
               for d in diagrams)


def test_second_course_has_the_expected_parts(second):
    assert len(second.days) == 1
    types = {a.type for _, _, a in second.activities()}
    assert {"theory", "discussion", "quiz", "reflection"} <= types
    assert types & {"exercise", "workshop"}
    quiz = second.activities_of(model.Quiz)[0]
    assert len(quiz.questions) >= 5 and len({q.type for q in quiz.questions}) >= 3
    assert "Erasmus+" in second.description.source


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_no_placeholder_text(folder):
    for path in folder.rglob("*"):
        if path.suffix in (".yaml", ".md", ".csv"):
            text = path.read_text(encoding="utf-8")
            assert not PLACEHOLDERS.search(text), f"{path}: {PLACEHOLDERS.search(text)[0]}"


def test_activities_fill_each_sequence_of_the_flagship_exactly(flagship):
    """The timetable holds: each sequence's timed activities add up to its span minus its pauses."""
    for day in flagship.days:
        for slot in model.day_schedule(day):
            if slot.sequence:
                span = (dt.datetime.combine(day.date, slot.end) - dt.datetime.combine(day.date, slot.start))
                pauses = sum(int(p.break_.duration) for p in slot.breaks)
                timed = sum(int(a.duration or 0) for a in slot.sequence.activities)
                assert timed == span.seconds // 60 - pauses, slot.sequence.id


def test_the_flagship_opens_day_2_and_closes_with_expectations_and_satisfaction(flagship):
    day_2 = flagship.days[1]
    assert day_2.sequences[0].activities[0].id == "j2-ouverture"
    closing = [a.id for a in day_2.sequences[-1].activities[-2:]]
    assert closing == ["j2-bilan-attentes", "j2-satisfaction"]
    bilan = next(a for a in flagship.activities_of(model.Exercise) if a.id == "j2-bilan-attentes")
    assert "Mes attentes" in bilan.instructions.source  # the panel written on day 1's opening


def test_the_case_study_is_assessed_with_a_criteria_grid(flagship):
    case = next(a for a in flagship.activities_of(model.Exercise) if a.type == "case-study")
    grid = case.instructions.source.split("# Grille d'évaluation")[1]
    criteria = [line for line in grid.splitlines() if line.startswith("| **")]
    assert len(criteria) == 6
    for objective in range(1, 6):
        assert f"(objectif {objective})" in grid
    assert "acquis" in grid and "en cours" in grid


def test_the_periphery_is_an_accepted_answer_for_the_first_phase(flagship):
    final = flagship.graded_quizzes[0]
    phase = next(q for q in final.questions if q.id == "qf-phase")
    assert {"consommatrice passive", "périphérie", "la périphérie"} <= set(phase.answers)
