"""What the cartridge and the question banks share: every question rendered to HTML once,
and the rules of Moodle's importers they all have to follow (grade fractions, feedback).

Question texts and feedback are Markdown, rendered and sanitised like the web pages; choice
texts, matching items and accepted answers are plain text, escaped where a format wants HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from builder import bibliography, markdown, model
from builder.course_text import CourseText
from builder.i18n import Interface

# Moodle accepts only these answer grades (question_bank::fraction_options_full(), and
# their negatives): an import with any other value is refused.
MOODLE_FRACTIONS = (
    1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25,
    0.2, 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0,
)  # fmt: skip
MOODLE_FRACTION_TOLERANCE = 0.00001  # match_grade_options()


@dataclass(frozen=True)
class RenderedChoice:
    html: str  # the choice's plain text, escaped
    correct: bool
    feedback: str  # HTML, "" when none


@dataclass(frozen=True)
class RenderedQuestion:
    question: model.Question
    quiz: model.Quiz
    day: model.Day
    text: str
    correct_feedback: str
    incorrect_feedback: str
    choices: tuple[RenderedChoice, ...] = ()

    @property
    def id(self) -> str:
        return self.question.id


def outside_citation(works: dict[str, model.Work]) -> Callable[[str], tuple[str, str] | None]:
    """Citations for outputs without the bibliography page: link to the work itself."""

    def citation(key: str) -> tuple[str, str] | None:
        work = works.get(key)
        if not work:
            return None
        address = work.url or (f"https://doi.org/{work.doi}" if work.doi else f"#{work.id}")
        return bibliography.citation_label(work), address

    return citation


class QuestionRenderer:
    """Renders a course's questions, with asset URLs chosen by the output format."""

    def __init__(self, site: CourseText, asset_url: Callable[[str], str]):
        self.site = site
        self.context = markdown.RenderContext(
            asset_url, outside_citation(site.works), site.diagram, heading_offset=1,
            french=site.course.language == "fr",
            styles=(None, ("outside", site.works_key), site.diagram_style),
        )

    def html(self, text: model.Markdown | None) -> str:
        return markdown.render(text, self.context).strip()

    def questions(self, course: model.Course) -> Iterator[RenderedQuestion]:
        for day, _, activity in course.activities():
            if isinstance(activity, model.Quiz):
                for question in activity.questions:
                    yield self.render(question, activity, day)

    def render(
        self, question: model.Question, quiz: model.Quiz, day: model.Day
    ) -> RenderedQuestion:
        choices = ()
        if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
            choices = tuple(
                RenderedChoice(escaped(choice.text), choice.correct, self.html(choice.feedback))
                for choice in question.choices
            )
        return RenderedQuestion(
            question, quiz, day, self.html(question.text),
            self.html(question.feedback.correct), self.html(question.feedback.incorrect), choices,
        )  # fmt: skip


def escaped(text: str) -> str:
    """Plain text as HTML text, the way the web pages show choices and matching items."""
    return html.escape(text, quote=False)


def choice_feedback(question: RenderedQuestion, choice: RenderedChoice) -> str:
    """A single-answer choice's own feedback followed by the question's right/wrong one:
    picking it *is* answering right or wrong, so nothing is lost by folding them."""
    verdict = question.correct_feedback if choice.correct else question.incorrect_feedback
    return "\n".join(part for part in (choice.feedback, verdict) if part)


def labelled_feedback(question: RenderedQuestion, ui: Interface) -> str:
    """Right and wrong feedback as one text shown to everyone, each under its label: for
    formats that can only show general feedback for this kind of question."""
    parts = []
    for label, text in (("feedback_if_right", question.correct_feedback),
                        ("feedback_if_wrong", question.incorrect_feedback)):  # fmt: skip
        if text:
            parts.append(f"<p><strong>{escaped(ui(label))}</strong></p>\n{text}")
    return "\n".join(parts)


def multiple_response_fractions(question: model.MultipleChoice) -> list[float]:
    """Right choices share +100%, wrong ones -100%: ticking every box scores nothing."""
    right = sum(choice.correct for choice in question.choices)
    wrong = len(question.choices) - right
    return [1 / right if choice.correct else -1 / wrong for choice in question.choices]


def is_moodle_fraction(value: float) -> bool:
    return any(
        abs(abs(value) - allowed) < MOODLE_FRACTION_TOLERANCE for allowed in MOODLE_FRACTIONS
    )


def fraction_warnings(questions: list[RenderedQuestion]) -> list[str]:
    """Questions whose grades Moodle would refuse on import (more than 10 right or wrong choices)."""
    return [
        f"question '{question.id}': its choices cannot share 100% in Moodle's list of grades "
        "(at most 10 right and 10 wrong choices); Moodle will refuse to import it"
        for question in questions
        if isinstance(question.question, model.MultipleChoice)
        and not all(map(is_moodle_fraction, multiple_response_fractions(question.question)))
    ]


def percent(fraction: float) -> str:
    """A grade as Moodle writes it: a percentage with at most 5 decimals."""
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".")


def day_category(course: model.Course, day: model.Day) -> str:
    """The category of a day's questions: the course's title, then the day's, as the pages
    show them (French spacing in French)."""
    titles = (course.title, day.title)
    return category_path(*(markdown.typeset(title, course.language) for title in titles))


def category_path(*names: str) -> str:
    """Moodle's category path under the course's bank: names joined by `/`, a `/` inside a
    name doubled and kept off its ends (question/format.php assemble_category_path)."""
    escaped_names = []
    for name in names:
        name = name.replace("/", "//")
        escaped_names.append(
            f"{' ' if name.startswith('/') else ''}{name}{' ' if name.endswith('/') else ''}"
        )
    return "$course$/top/" + "/".join(escaped_names)


def moodle_short_answer(answer: str) -> str:
    """In Moodle's short answers `*` is a wildcard; `\\*` is a literal asterisk."""
    return answer.replace("*", "\\*")
