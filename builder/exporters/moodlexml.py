"""`moodlexml`: every question of the course in Moodle XML, one category per day.

Written for Moodle's importer (question/format/xml/format.php): HTML texts, combined
right/partly right/wrong feedback, per-answer feedback, points as `defaultgrade`, grades
from Moodle's list, images embedded as base64 files. lxml escapes every text.
"""

from __future__ import annotations

import base64
import posixpath

from lxml import etree

from builder import model
from builder.course_text import CourseText
from builder.exporters.base import Exporter
from builder.exporters.questions import (
    QuestionRenderer,
    RenderedQuestion,
    day_category,
    escaped,
    fraction_warnings,
    moodle_short_answer,
    multiple_response_fractions,
    percent,
)

PLUGINFILE = "@@PLUGINFILE@@/"
MATCHING_MINIMUM_ANSWERS = 3  # qtype_match refuses fewer, and Moodle stops importing there


class MoodleXmlExporter(Exporter):
    name = "moodlexml"
    description = "question bank in Moodle XML (Question bank > Import), one category per day"

    def output_name(self, course: model.Course) -> str:
        return f"{course.id}-questions.xml"

    def write(self, course: model.Course, target, warnings: list[str]) -> None:
        target.write_bytes(QuestionBank(course, warnings).xml())


def matching_warnings(questions: list[RenderedQuestion]) -> list[str]:
    return [
        f"question '{question.id}' (matching) has {len(question.question.pairs)} pairs: Moodle requires "
        f"at least {MATCHING_MINIMUM_ANSWERS} answers and stops importing at this question; add a pair"
        for question in questions
        if isinstance(question.question, model.Matching)
        and len({pair.match for pair in question.question.pairs}) < MATCHING_MINIMUM_ANSWERS
    ]


class QuestionBank:
    def __init__(self, course: model.Course, warnings: list[str]):
        self.course = course
        self.warnings = warnings
        self.files: dict[str, str] = {}  # URL in the texts -> course path
        self.renderer = QuestionRenderer(CourseText(course), self.embedded_file)

    def embedded_file(self, course_path: str) -> str:
        url = PLUGINFILE + course_path
        self.files[url] = course_path
        return url

    def xml(self) -> bytes:
        questions = list(self.renderer.questions(self.course))
        self.warnings += fraction_warnings(questions) + matching_warnings(questions)
        quiz = etree.Element("quiz")
        day = None
        for question in questions:
            if question.day is not day:
                day = question.day
                quiz.append(etree.Comment(f" {day.id} "))
                self.category(quiz, day_category(self.course, day))
            quiz.append(self.question(question))
        return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def category(self, quiz: etree._Element, path: str) -> None:
        node = etree.SubElement(quiz, "question", type="category")
        etree.SubElement(etree.SubElement(node, "category"), "text").text = path

    # -- one question --

    def question(self, question: RenderedQuestion) -> etree._Element:
        source = question.question
        kind = {model.SingleChoice: "multichoice", model.MultipleChoice: "multichoice",
                model.TrueFalse: "truefalse", model.Matching: "matching",
                model.ShortAnswer: "shortanswer"}[type(source)]  # fmt: skip
        node = etree.Element("question", type=kind)
        etree.SubElement(etree.SubElement(node, "name"), "text").text = source.id
        self.text(node, "questiontext", question.text)
        self.text(node, "generalfeedback", "")
        etree.SubElement(node, "defaultgrade").text = f"{source.points:g}"
        etree.SubElement(node, "idnumber").text = source.id
        if isinstance(source, (model.SingleChoice, model.MultipleChoice)):
            self.multichoice(node, question)
        elif isinstance(source, model.TrueFalse):
            for value in (True, False):
                right = value == source.answer
                feedback = question.correct_feedback if right else question.incorrect_feedback
                self.answer(
                    node,
                    "true" if value else "false",
                    1.0 if right else 0.0,
                    feedback,
                    "plain_text",
                )
        elif isinstance(source, model.Matching):
            self.matching(node, question)
        else:
            self.short_answer(node, question)
        return node

    def multichoice(self, node: etree._Element, question: RenderedQuestion) -> None:
        single = isinstance(question.question, model.SingleChoice)
        etree.SubElement(node, "single").text = "true" if single else "false"
        etree.SubElement(node, "shuffleanswers").text = "false"  # the author's order, as on the web
        etree.SubElement(node, "answernumbering").text = "abc"
        self.combined_feedback(node, question)
        if single:
            fractions = [1.0 if choice.correct else 0.0 for choice in question.choices]
        else:
            fractions = multiple_response_fractions(question.question)
        for choice, fraction in zip(question.choices, fractions):
            self.answer(node, choice.html, fraction, choice.feedback, "html")

    def matching(self, node: etree._Element, question: RenderedQuestion) -> None:
        etree.SubElement(node, "shuffleanswers").text = "true"
        self.combined_feedback(node, question)
        for pair in question.question.pairs:
            subquestion = self.text(node, "subquestion", escaped(pair.prompt))
            etree.SubElement(etree.SubElement(subquestion, "answer"), "text").text = pair.match

    def short_answer(self, node: etree._Element, question: RenderedQuestion) -> None:
        source: model.ShortAnswer = question.question
        etree.SubElement(node, "usecase").text = "1" if source.case_sensitive else "0"
        for answer in source.answers:
            self.answer(
                node, moodle_short_answer(answer), 1.0, question.correct_feedback, "plain_text"
            )
        if question.incorrect_feedback:  # `*` alone matches any other answer
            self.answer(node, "*", 0.0, question.incorrect_feedback, "plain_text")

    # -- building blocks --

    def combined_feedback(self, node: etree._Element, question: RenderedQuestion) -> None:
        """The course has right and wrong feedback: partly right is not right."""
        self.text(node, "correctfeedback", question.correct_feedback)
        self.text(node, "partiallycorrectfeedback", question.incorrect_feedback)
        self.text(node, "incorrectfeedback", question.incorrect_feedback)
        etree.SubElement(node, "shownumcorrect")

    def answer(
        self, node: etree._Element, text: str, fraction: float, feedback: str, text_format: str
    ) -> None:
        answer = self.text(node, "answer", text, text_format)
        answer.set("fraction", percent(fraction))
        self.text(answer, "feedback", feedback)

    def text(
        self, parent: etree._Element, tag: str, html: str, text_format: str = "html"
    ) -> etree._Element:
        node = etree.SubElement(parent, tag, format=text_format)
        etree.SubElement(node, "text").text = html
        for url, course_path in sorted(self.files.items()):
            if url in html:
                folder, name = posixpath.split(url[len(PLUGINFILE) :])
                file = etree.SubElement(
                    node,
                    "file",
                    name=name,
                    path=f"/{folder}/" if folder else "/",
                    encoding="base64",
                )
                file.text = base64.b64encode((self.course.root / course_path).read_bytes()).decode(
                    "ascii"
                )
        return node
