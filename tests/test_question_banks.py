"""Question banks: the Moodle XML parsed back with lxml and the GIFT with a port of Moodle's
GIFT reader (tests/gift_parser.py) must give back every question of the course: text,
answers, which are right, feedback and points, after the normalisation docs/question-banks.md
describes (HTML-escaped plain texts, `\\*` for a literal asterisk in short answers)."""

from __future__ import annotations

import html
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

import gift_parser
from builder import model
from builder.exporters import get_exporter
from builder.exporters.questions import QuestionRenderer, day_category
from builder.loader import load_course
from builder.render import SiteRenderer
from builder.scaffold import create_course
from conftest import COURSES
from nasty_course import NASTY, add_nasty_day
from test_imscc import loadable


@dataclass
class Expected:
    """What Moodle should hold for one question, built from the course model."""

    question: model.Question
    category: str
    text: str
    right: str
    wrong: str
    choice_feedback: list[str]


def expected_questions(course: model.Course, file_url=lambda path: path) -> list[Expected]:
    render = QuestionRenderer(SiteRenderer(course), file_url).html
    return [
        Expected(question, day_category(course, day), render(question.text),
                 render(question.feedback.correct), render(question.feedback.incorrect),
                 [render(choice.feedback) for choice in getattr(question, "choices", [])])
        for day, _, quiz in course.activities() if isinstance(quiz, model.Quiz)
        for question in quiz.questions
    ]  # fmt: skip


def shared_fractions(question: model.MultipleChoice) -> list[float]:
    right = sum(c.correct for c in question.choices)
    return [
        1 / right if c.correct else -1 / (len(question.choices) - right) for c in question.choices
    ]


def literal(short_answer: str) -> str:
    """Moodle reads `*` in short answers as a wildcard and `\\*` as an asterisk."""
    return short_answer.replace("\\*", "*")


def joined(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


@pytest.fixture(scope="module")
def nasty_course(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("banks") / "cours"
    create_course(folder, "Cours piège")
    add_nasty_day(folder)
    return folder


def build(folder: Path, dist: Path, name: str):
    course = load_course(folder)
    return course, get_exporter(name).build(course, dist)


# -- Moodle XML --


def read_moodle_xml(path: Path) -> list[dict]:
    def text(node, tag):
        found = node.find(tag)
        return found.findtext("text").strip() if found is not None else None

    questions, category = [], None
    for node in etree.parse(str(path)).getroot().iterfind("question"):
        if node.get("type") == "category":
            category = node.findtext("category/text")
            continue
        questions.append({
            "category": category, "type": node.get("type"), "name": node.findtext("name/text"),
            "idnumber": node.findtext("idnumber"), "text": text(node, "questiontext"),
            "format": node.find("questiontext").get("format"), "points": float(node.findtext("defaultgrade")),
            "single": node.findtext("single"), "usecase": node.findtext("usecase"),
            "right": text(node, "correctfeedback"), "partly": text(node, "partiallycorrectfeedback"),
            "wrong": text(node, "incorrectfeedback"),
            "answers": [(a.findtext("text").strip(), float(a.get("fraction")) / 100, text(a, "feedback"))
                        for a in node.iterfind("answer")],
            "pairs": [(s.findtext("text"), s.findtext("answer/text")) for s in node.iterfind("subquestion")],
        })  # fmt: skip
    return questions


def assert_moodle_xml_round_trip(course: model.Course, path: Path) -> None:
    expected = expected_questions(course, lambda path: f"@@PLUGINFILE@@/{path}")
    read = read_moodle_xml(path)
    assert [q["name"] for q in read] == [e.question.id for e in expected]
    for got, want in zip(read, expected):
        source = want.question
        assert (got["idnumber"], got["category"], got["format"]) == (
            source.id,
            want.category,
            "html",
        )
        assert (got["text"], got["points"]) == (want.text, source.points), source.id
        if isinstance(source, (model.SingleChoice, model.MultipleChoice)):
            assert (
                got["type"] == "multichoice"
                and got["single"] == str(isinstance(source, model.SingleChoice)).lower()
            )
            fractions = (
                shared_fractions(source)
                if isinstance(source, model.MultipleChoice)
                else [float(c.correct) for c in source.choices]
            )
            assert [html.unescape(text) for text, _, _ in got["answers"]] == [
                c.text.strip() for c in source.choices
            ]
            assert [fraction for _, fraction, _ in got["answers"]] == pytest.approx(
                fractions, abs=1e-7
            )
            assert [feedback for _, _, feedback in got["answers"]] == want.choice_feedback
            assert (got["right"], got["partly"], got["wrong"]) == (
                want.right,
                want.wrong,
                want.wrong,
            )
        elif isinstance(source, model.TrueFalse):
            assert got["type"] == "truefalse"
            assert got["answers"] == [("true", float(source.answer), want.right if source.answer else want.wrong),
                                      ("false", float(not source.answer), want.wrong if source.answer else want.right)]  # fmt: skip
        elif isinstance(source, model.Matching):
            assert got["type"] == "matching"
            assert [(html.unescape(p), m) for p, m in got["pairs"]] == [
                (p.prompt, p.match) for p in source.pairs
            ]
            assert (got["right"], got["wrong"]) == (want.right, want.wrong)
        else:
            assert (got["type"], got["usecase"]) == ("shortanswer", str(int(source.case_sensitive)))
            answers = [
                (literal(text), fraction, feedback) for text, fraction, feedback in got["answers"]
            ]
            wildcard = [("*", 0.0, want.wrong)] if want.wrong else []
            assert answers == [(answer, 1.0, want.right) for answer in source.answers] + wildcard


def test_moodle_xml_round_trips_every_nasty_question(nasty_course: Path, tmp_path: Path):
    course, result = build(nasty_course, tmp_path, "moodlexml")
    assert result.output.name == f"{course.id}-questions.xml"
    assert_moodle_xml_round_trip(course, result.output)
    assert result.warnings == []


def test_moodle_xml_keeps_characters_and_embeds_images(nasty_course: Path, tmp_path: Path):
    folder = shutil.copytree(nasty_course, tmp_path / "cours")
    day = folder / "days" / "jour-2.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "Cochez les bonnes réponses #1", "Cochez ![le schéma](../images/schema.png)"), encoding="utf-8")  # fmt: skip
    course, result = build(folder, tmp_path, "moodlexml")
    root = etree.parse(str(result.output)).getroot()
    single = root.xpath("question[name/text='q-single']")[0]
    assert html.unescape(single.findtext("answer/text")) == f"Bonne {NASTY}"
    multiple = root.xpath("question[name/text='q-multiple']/questiontext")[0]
    assert '<img src="@@PLUGINFILE@@/images/schema.png" alt="le schéma">' in multiple.findtext(
        "text"
    )
    file = multiple.find("file")
    assert (file.get("name"), file.get("path"), file.get("encoding")) == (
        "schema.png",
        "/images/",
        "base64",
    )
    assert_moodle_xml_round_trip(course, result.output)


@pytest.mark.parametrize("folder", COURSES, ids=lambda folder: folder.name)
def test_moodle_xml_round_trips_the_real_courses(folder: Path, tmp_path: Path):
    loadable(folder)
    course, result = build(folder, tmp_path, "moodlexml")
    assert_moodle_xml_round_trip(course, result.output)


def test_moodle_xml_round_trips_the_scaffold(course_dir: Path, tmp_path: Path):
    course, result = build(course_dir, tmp_path, "moodlexml")
    assert_moodle_xml_round_trip(course, result.output)


# -- GIFT --


def assert_gift_round_trip(course: model.Course, path: Path, ui_labels: tuple[str, str]) -> None:
    expected = expected_questions(course)
    read = gift_parser.parse(path.read_text(encoding="utf-8"))
    assert [q.name for q in read] == [e.question.id for e in expected]
    for got, want in zip(read, expected):
        source = want.question
        assert (got.idnumber, got.category, got.text.format, got.text.text) == (
            source.id,
            want.category,
            "html",
            want.text,
        )
        labelled = "\n".join(f"<p><strong>{html.escape(label, quote=False)}</strong></p>\n{text}"
                             for label, text in zip(ui_labels, (want.right, want.wrong)) if text)  # fmt: skip
        if isinstance(source, model.SingleChoice):
            assert (got.qtype, got.single) == ("multichoice", True)
            assert [(html.unescape(a.text.text), a.fraction) for a in got.answers] == [
                (c.text.strip(), float(c.correct)) for c in source.choices
            ]
            assert [a.feedback.text for a in got.answers] == [
                joined(fb, want.right if c.correct else want.wrong)
                for c, fb in zip(source.choices, want.choice_feedback)
            ]
        elif isinstance(source, model.MultipleChoice):
            assert (got.qtype, got.single) == ("multichoice", False)
            assert [html.unescape(a.text.text) for a in got.answers] == [
                c.text.strip() for c in source.choices
            ]
            assert [a.fraction for a in got.answers] == pytest.approx(
                shared_fractions(source), abs=1e-7
            )
            assert [a.feedback.text for a in got.answers] == want.choice_feedback
            assert got.general_feedback.text == labelled
        elif isinstance(source, model.TrueFalse):
            assert (got.qtype, got.true_answer) == ("truefalse", source.answer)
            right, wrong = (
                (got.feedback_true, got.feedback_false)
                if source.answer
                else (got.feedback_false, got.feedback_true)
            )
            assert (right.text, wrong.text) == (want.right, want.wrong)
        elif isinstance(source, model.Matching):
            assert got.qtype == "match"
            assert [(html.unescape(p.text), m) for p, m in got.subquestions] == [
                (p.prompt.strip(), p.match.strip()) for p in source.pairs
            ]
            assert got.general_feedback.text == labelled
        else:
            assert got.qtype == "shortanswer"
            answers = [(literal(a.text.text), a.fraction, a.feedback.text) for a in got.answers]
            wildcard = [("*", 0.0, want.wrong)] if want.wrong else []
            assert (
                answers
                == [(answer.strip(), 1.0, want.right) for answer in source.answers] + wildcard
            )


LABELS = {"fr": ("Si votre réponse est juste\u00a0:", "Si votre réponse est fausse\u00a0:"),
          "en": ("If your answer is right:", "If your answer is wrong:")}  # fmt: skip


def test_gift_round_trips_every_nasty_question(nasty_course: Path, tmp_path: Path):
    course, result = build(nasty_course, tmp_path, "gift")
    assert result.output.name == f"{course.id}-questions.gift.txt"
    assert_gift_round_trip(course, result.output, LABELS["fr"])
    assert result.warnings == [
        "GIFT has no points, every question is worth 1 in Moodle: q-single (2), q-multiple (1.5); "
        "the Moodle XML question bank keeps them"
    ]


def test_gift_escapes_special_characters_and_never_starts_a_line_with_a_comment(
    nasty_course: Path, tmp_path: Path
):
    content = build(nasty_course, tmp_path, "gift")[1].output.read_text(encoding="utf-8")
    assert "Accolades \\{x\\}, égal \\= tilde \\~ dièse \\# deux-points \\: barre \\\\" in content
    comments = [line for line in content.splitlines() if line.strip().startswith("//")]
    assert all(line.startswith(("// [id:", "// Cours piège")) for line in comments)
    assert "\n\n\n" not in content and "\r" not in content


@pytest.mark.parametrize("folder", COURSES, ids=lambda folder: folder.name)
def test_gift_round_trips_the_real_courses(folder: Path, tmp_path: Path):
    course = loadable(folder)
    assert_gift_round_trip(
        course, build(folder, tmp_path, "gift")[1].output, LABELS[course.language]
    )


def test_gift_warns_about_files_it_cannot_carry(course_dir: Path, tmp_path: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "text: Une communauté de pratique se décrète en une réunion.",
        "text: \"Une communauté ![schéma](../pages/definition.md) se décrète.\""), encoding="utf-8")  # fmt: skip
    warnings = build(course_dir, tmp_path, "gift")[1].warnings
    assert warnings == [
        "question 'q-vrai-faux' shows a file: GIFT cannot carry files, use the Moodle XML question bank"
    ]


def test_english_course_labels_feedback_in_english(course_dir: Path, tmp_path: Path):
    course_file = course_dir / "course.yaml"
    course_file.write_text(
        course_file.read_text(encoding="utf-8").replace("language: fr", "language: en"),
        encoding="utf-8",
    )
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(
        day.read_text(encoding="utf-8").replace("type: single", "type: multiple"), encoding="utf-8"
    )
    course, result = build(course_dir, tmp_path, "gift")
    assert_gift_round_trip(course, result.output, LABELS["en"])
    assert "If your answer is right\\:" in result.output.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["moodlexml", "gift"])
def test_banks_are_reproducible(nasty_course: Path, tmp_path: Path, name: str):
    first = build(nasty_course, tmp_path / "a", name)[1].output.read_bytes()
    assert build(nasty_course, tmp_path / "b", name)[1].output.read_bytes() == first
