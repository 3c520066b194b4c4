"""The rules of docs/style-guide-fr.md that a machine can check, on both courses."""

from __future__ import annotations

import re

import pytest

from builder import model
from builder.loader import load_course
from conftest import COURSES, FLAGSHIP

# Lines that hold identifiers, types and paths rather than text a learner reads.
NOT_TEXT = re.compile(r"^\s*-?\s*(id|type|file|include|forum|answers)\s*:|\{include:")
FORBIDDEN = {
    "point médian": re.compile(r"\w·\w"),
    "anglicism": re.compile(r"\b(templates?|check-?lists?|brainstorming|e-?mails?)\b", re.I),
    "'feedback' in text (write 'retours')": re.compile(r"\bfeedback\b(?!\s*:)", re.IGNORECASE),
    "unaccented capital": re.compile(r"\b(Echange|Etat|Evaluation|Equipe)"),
}
FLAGSHIP_FORBIDDEN = {  # generic feminine; 'membre' keeps its grammatical gender
    "'hôte' (write 'hôtesse')": re.compile(r"\bhôtes?\b"),
    "'membre active' (membre is masculine)": re.compile(r"\bmembres? actives?\b"),
}


def text_lines(folder):
    for path in sorted(folder.rglob("*")):
        if path.suffix in (".md", ".yaml") and "moodle" not in path.parts:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                comment = path.suffix == ".yaml" and line.lstrip().startswith("#")
                if not comment and not NOT_TEXT.search(line):
                    yield f"{path.relative_to(folder)}:{number}", line


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_no_point_median_anglicism_or_unaccented_capital(folder):
    rules = FORBIDDEN | (FLAGSHIP_FORBIDDEN if folder == FLAGSHIP else {})
    found = [f"{where}: {rule}: {pattern.search(line)[0]!r}"
             for where, line in text_lines(folder)
             for rule, pattern in rules.items() if pattern.search(line)]
    assert found == []


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_true_false_feedback_states_the_verdict_on_the_statement(folder):
    quizzes = load_course(folder).activities_of(model.Quiz)
    for question in (q for quiz in quizzes for q in quiz.questions):
        if isinstance(question, model.TrueFalse):
            verdict = f"l'affirmation est {'vraie' if question.answer else 'fausse'}."
            feedback = question.feedback
            assert feedback.correct.source.startswith(f"Bonne réponse : {verdict}"), question.id
            assert feedback.incorrect.source.startswith(verdict.capitalize()), question.id


@pytest.mark.parametrize("folder", COURSES, ids=lambda f: f.name)
def test_one_forum_per_course(folder):
    forums = {d.forum for d in load_course(folder).activities_of(model.Discussion)}
    assert len(forums) == 1 and None not in forums, forums
