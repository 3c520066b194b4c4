"""`gift`: every question of the course in GIFT, one category per day.

Written for Moodle's GIFT importer (question/format/gift/format.php): `~ = # { } :` and
the backslash are escaped with a backslash, line breaks written `\\n`, so each question is
a few lines and no line of it can read as a `//` comment. Texts are HTML (`[html]`), as
rendered for the web; GIFT has no points, no images and, except for true/false and short
answers, no right/wrong feedback: those go to the general feedback, labelled.
"""

from __future__ import annotations

from builder import model
from builder.course_text import CourseText
from builder.exporters.base import Exporter, FormatNote
from builder.exporters.questions import (
    QuestionRenderer,
    RenderedChoice,
    RenderedQuestion,
    choice_feedback,
    day_category,
    escaped,
    fraction_warnings,
    labelled_feedback,
    moodle_short_answer,
    multiple_response_fractions,
    percent,
)
from builder.i18n import Interface

SPECIAL = str.maketrans({
    "\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:",
    "\n": "\\n", "\r": "",
})  # fmt: skip
# Moodle's importer swaps escaped characters for these placeholders while it parses.
PLACEHOLDERS = ("&&058;", "&&035;", "&&061;", "&&123;", "&&125;", "&&126;", "&&010", "&&092;")


class GiftExporter(Exporter):
    name = "gift"
    description = "question bank in GIFT (Question bank > Import), one category per day"

    def output_name(self, course: model.Course) -> str:
        # .txt is what Moodle's GIFT import accepts and any editor opens; .gift says what it is.
        return f"{course.id}-questions.gift.txt"

    def write(self, course: model.Course, target, warnings: list[str]) -> None:
        target.write_text(GiftBank(course, warnings).text(), encoding="utf-8", newline="\n")


def gift_escape(text: str) -> str:
    return text.translate(SPECIAL)


def gift_text(text: str, text_format: str = "html", declare: bool = False) -> str:
    """Escaped text, with its format declared when asked or when a leading `[` would
    otherwise be read as a format."""
    prefix = f"[{text_format}]" if declare or text.startswith("[") else ""
    return prefix + gift_escape(text)


class GiftBank:
    def __init__(self, course: model.Course, warnings: list[str]):
        self.course = course
        self.warnings = warnings
        self.ui = Interface(course.language)
        self.renderer = QuestionRenderer(CourseText(course), self.file_reference)
        self.rendering = ""  # id of the question being rendered
        self.showing_files: set[str] = set()

    def file_reference(self, course_path: str) -> str:
        self.showing_files.add(self.rendering)
        return course_path

    def text(self) -> str:
        questions = []
        for day, _, activity in self.course.activities():
            if isinstance(activity, model.Quiz):
                for question in activity.questions:
                    self.rendering = question.id
                    questions.append(self.renderer.render(question, activity, day))
        self.warnings += fraction_warnings(questions) + self.limits(questions)
        title = f"{self.course.title} {self.course.version}"
        blocks = [f"// {title}: questions by day, for Moodle's GIFT import"]
        day = None
        for question in questions:
            if question.day is not day:
                day = question.day
                blocks.append(f"$CATEGORY: {day_category(self.course, day)}")
            blocks.append(self.question(question))
        return "\n\n".join(blocks) + "\n"

    def limits(self, questions: list[RenderedQuestion]) -> list[str]:
        """What GIFT cannot hold: files, points, Moodle's own placeholders."""
        warnings = [
            f"question '{question_id}' shows a file: GIFT cannot carry files, "
            "use the Moodle XML question bank"
            for question_id in sorted(self.showing_files)
        ]
        points = [f"{q.id} ({q.question.points:g})" for q in questions if q.question.points != 1]
        if points:
            warnings.append(FormatNote.naming(points, lambda listed: (
                f"GIFT has no points, every question is worth 1 in Moodle: {listed}; "
                "the Moodle XML question bank keeps them"
            )))
        warnings += [
            f"question '{question.id}': Moodle's GIFT import turns '&&0..;' sequences into "
            "characters; use the Moodle XML question bank"
            for question in questions
            if any(mark in text for text in plain_texts(question.question) for mark in PLACEHOLDERS)
        ]
        return warnings

    # -- one question --

    def question(self, question: RenderedQuestion) -> str:
        source = question.question
        text = gift_text(question.text, declare=True)
        head = f"// [id:{source.id}]\n::{gift_escape(source.id)}::{text}"
        if isinstance(source, model.TrueFalse):
            return f"{head}{{{self.true_false(question)}}}"
        if isinstance(source, model.SingleChoice):
            lines = [self.single_choice(question, choice) for choice in question.choices]
        elif isinstance(source, model.MultipleChoice):
            lines = self.multiple_response(question)
        elif isinstance(source, model.Matching):
            lines = self.matching(question)
        else:
            lines = self.short_answer(question)
        body = "\n".join(f"\t{line}" for line in lines if line)
        return f"{head}{{\n{body}\n}}"

    def single_choice(self, question: RenderedQuestion, choice: RenderedChoice) -> str:
        # A weight in front keeps a choice starting with `%` from being read as one.
        mark = "=" if choice.correct else ("~%0%" if choice.html.startswith("%") else "~")
        return f"{mark}{gift_text(choice.html)}{self.feedback(choice_feedback(question, choice))}"

    def multiple_response(self, question: RenderedQuestion) -> list[str]:
        fractions = multiple_response_fractions(question.question)
        lines = [
            f"~%{percent(fraction)}%{gift_text(choice.html)}{self.feedback(choice.feedback)}"
            for choice, fraction in zip(question.choices, fractions)
        ]
        return [*lines, self.general_feedback(labelled_feedback(question, self.ui))]

    def true_false(self, question: RenderedQuestion) -> str:
        """`TRUE#feedback if wrong#feedback if right`"""
        text = "TRUE" if question.question.answer else "FALSE"
        if question.incorrect_feedback or question.correct_feedback:
            text += self.feedback(question.incorrect_feedback) or "#"
        return text + self.feedback(question.correct_feedback)

    def matching(self, question: RenderedQuestion) -> list[str]:
        lines = [
            f"={gift_text(escaped(pair.prompt))} -> {gift_escape(pair.match)}"
            for pair in question.question.pairs
        ]
        return [*lines, self.general_feedback(labelled_feedback(question, self.ui))]

    def short_answer(self, question: RenderedQuestion) -> list[str]:
        right = self.feedback(question.correct_feedback)
        lines = [
            f"=%100%{gift_text(moodle_short_answer(answer), 'plain')}{right}"
            for answer in question.question.answers
        ]
        if question.incorrect_feedback:  # `*` alone matches any other answer
            lines.append(f"=%0%*{self.feedback(question.incorrect_feedback)}")
        return lines

    def feedback(self, html: str) -> str:
        return f"#{gift_text(html)}" if html else ""

    def general_feedback(self, html: str) -> str:
        return f"####{gift_text(html)}" if html else ""


def plain_texts(question: model.Question) -> list[str]:
    """The texts written as they are, not as HTML."""
    if isinstance(question, model.ShortAnswer):
        return question.answers
    if isinstance(question, model.Matching):
        return [pair.match for pair in question.pairs]
    return []
