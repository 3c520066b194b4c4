"""Quizzes as QTI 1.2 assessments in the Common Cartridge 1.1 profile.

The structures are the ones Moodle's CC importer reads (backup/cc/entity11.quiz.class.php)
and its own CC exporter writes: `cc_profile` and `cc_weighting` in the item metadata, a
`SCORE` set to 100 by the condition of the right answer, per-answer feedback displayed by
the condition naming the answer, and general feedback by conditions with `continue="Yes"`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from lxml import etree

from builder.exporters.base import FormatNote
from builder import markdown, model
from builder.exporters.questions import (
    RenderedChoice,
    RenderedQuestion,
    choice_feedback,
    escaped,
    labelled_feedback,
)
from builder.i18n import Interface
from builder.render import shuffled_matches

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{QTI} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
RESPONSE = "response1"
MOODLE_MAX_WEIGHT = 99  # Moodle reads cc_weighting as a whole number from 0 to 99
PROFILE_MAX_ATTEMPTS = 5  # the CC 1.1 profile allows 1-5 or "unlimited"


def element(
    parent: etree._Element | None, tag: str, text: str | None = None, **attributes
) -> etree._Element:
    name = f"{{{QTI}}}{tag}"
    node = (
        etree.Element(name, nsmap={None: QTI}) if parent is None else etree.SubElement(parent, name)
    )
    for key, value in attributes.items():
        node.set(key.rstrip("_"), value)
    if text is not None:
        node.text = text
    return node


def metadata(parent: etree._Element, fields: dict[str, str]) -> None:
    block = element(parent, "qtimetadata")
    for label, entry in fields.items():
        field_ = element(block, "qtimetadatafield")
        element(field_, "fieldlabel", label)
        element(field_, "fieldentry", entry)


def html_material(parent: etree._Element, html: str) -> None:
    element(element(parent, "material"), "mattext", html, texttype="text/html")


def cartridge_weight(points: float) -> int:
    """The nearest weight Moodle can read; 0 stays 0, any other value at least 1."""
    if points == 0:
        return 0
    return min(MOODLE_MAX_WEIGHT, max(1, math.floor(points + 0.5)))


@dataclass
class AssessmentWriter:
    """Writes one quiz; `warnings` collects what the profile or Moodle cannot carry."""

    ui: Interface
    warnings: list[str] = field(default_factory=list)
    # The matching questions written so far, as `matching_note` names them.
    matchings: list[str] = field(default_factory=list)

    def assessment(
        self, quiz: model.Quiz, questions: list[RenderedQuestion], intro: str
    ) -> etree._Element:
        root = element(None, "questestinterop")
        root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
        title = markdown.typeset(quiz.title, self.ui.language)
        assessment = element(root, "assessment", ident=f"A.{quiz.id}", title=title)
        metadata(assessment, {
            "cc_profile": "cc.exam.v0p1",
            "qmd_assessmenttype": "Examination",
            "qmd_scoretype": "Percentage",
            "qmd_feedbackpermitted": "Yes",
            "cc_maxattempts": self.attempts(quiz),
        })  # fmt: skip
        if intro:
            html_material(element(assessment, "rubric"), intro)
        section = element(assessment, "section", ident=f"S.{quiz.id}")
        for question in questions:
            self.items(section, question)
        return root

    def attempts(self, quiz: model.Quiz) -> str:
        if not quiz.attempts:
            return "unlimited"
        if quiz.attempts > PROFILE_MAX_ATTEMPTS:
            self.warnings.append(FormatNote(
                f"quiz '{quiz.id}': {quiz.attempts} attempts is more than the CC 1.1 profile's "
                f"{PROFILE_MAX_ATTEMPTS}; Moodle applies it, other platforms may not"
            ))
        return str(quiz.attempts)

    # -- one question, one or more items --

    def items(self, section: etree._Element, question: RenderedQuestion) -> None:
        source = question.question
        if isinstance(source, model.Matching):
            self.matching(section, question)
            return
        weight = cartridge_weight(source.points)
        if weight != source.points:
            self.warnings.append(FormatNote(
                f"question '{question.id}': Moodle weighs questions in whole points from 0 to "
                f"{MOODLE_MAX_WEIGHT}: {source.points:g} point(s) written as {weight}"
            ))
        if isinstance(source, model.SingleChoice):
            self.single_choice(
                section, question, question.id, question.text, question.choices, source.points
            )
        elif isinstance(source, model.MultipleChoice):
            self.multiple_response(section, question)
        elif isinstance(source, model.TrueFalse):
            self.true_false(section, question)
        else:
            self.fill_in_the_blank(section, question)

    def item(
        self, section: etree._Element, ident: str, profile: str, points: float
    ) -> etree._Element:
        item = element(section, "item", ident=ident, title=ident)
        weight = str(cartridge_weight(points))
        metadata(element(item, "itemmetadata"), {"cc_profile": profile, "cc_weighting": weight})
        return item

    def single_choice(self, section, question: RenderedQuestion, ident: str, text: str,
                      choices: tuple[RenderedChoice, ...], points: float) -> None:  # fmt: skip
        item = self.item(section, ident, "cc.multiple_choice.v0p1", points)
        idents = self.choice_list(item, text, choices, "Single")
        processing = self.processing(item)
        for choice_ident, choice in zip(idents, choices):
            feedback = choice_feedback(question, choice)
            condition = self.condition(processing, choice_ident)
            if choice.correct:
                self.score(condition)
            if feedback:
                self.feedback(item, condition, f"{choice_ident}_fb", feedback)
        self.drop_silent_conditions(processing)

    def multiple_response(self, section, question: RenderedQuestion) -> None:
        item = self.item(
            section, question.id, "cc.multiple_response.v0p1", question.question.points
        )
        idents = self.choice_list(item, question.text, question.choices, "Multiple")
        processing = self.processing(item)
        self.general_feedback(item, processing, labelled_feedback(question, self.ui))
        right = element(processing, "respcondition", title="Correct", continue_="No")
        combination = element(element(right, "conditionvar"), "and")
        for choice_ident, choice in zip(idents, question.choices):
            parent = combination if choice.correct else element(combination, "not")
            element(parent, "varequal", choice_ident, respident=RESPONSE, case="Yes")
        self.score(right)
        for choice_ident, choice in zip(idents, question.choices):
            if choice.feedback:
                condition = self.condition(processing, choice_ident)
                self.feedback(item, condition, f"{choice_ident}_fb", choice.feedback)

    def true_false(self, section, question: RenderedQuestion) -> None:
        item = self.item(section, question.id, "cc.true_false.v0p1", question.question.points)
        presentation = element(item, "presentation")
        html_material(presentation, question.text)
        labels = element(element(presentation, "response_lid", ident=RESPONSE, rcardinality="Single"),
                         "render_choice", shuffle="No")  # fmt: skip
        # Moodle's importer requires exactly these two identifiers.
        for value, label in (("true", "answer_true"), ("false", "answer_false")):
            html_material(element(labels, "response_label", ident=value), escaped(self.ui(label)))
        processing = self.processing(item)
        right = "true" if question.question.answer else "false"
        wrong = "false" if question.question.answer else "true"
        condition = self.condition(processing, right)
        self.score(condition)
        if question.correct_feedback:
            self.feedback(item, condition, "correct_fb", question.correct_feedback)
        if question.incorrect_feedback:
            self.feedback(
                item, self.condition(processing, wrong), "incorrect_fb", question.incorrect_feedback
            )

    def fill_in_the_blank(self, section, question: RenderedQuestion) -> None:
        source: model.ShortAnswer = question.question
        item = self.item(section, question.id, "cc.fib.v0p1", source.points)
        presentation = element(item, "presentation")
        html_material(presentation, question.text)
        response = element(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        element(response, "render_fib", fibtype="String", prompt="Box")
        processing = self.processing(item)
        # Moodle keeps no feedback on the right answers of a cc.fib item: say both, labelled.
        self.general_feedback(item, processing, labelled_feedback(question, self.ui))
        right = element(processing, "respcondition", title="Correct", continue_="No")
        accepted = element(right, "conditionvar")
        case = "Yes" if source.case_sensitive else "No"
        for answer in source.answers:
            element(accepted, "varequal", answer, respident=RESPONSE, case=case)
        self.score(right)
        if source.case_sensitive:
            self.warnings.append(FormatNote(
                f"question '{question.id}': Moodle's CC import makes short answers case-insensitive; "
                "tick 'Case sensitivity' on the question in Moodle"
            ))

    def matching(self, section, question: RenderedQuestion) -> None:
        """No CC profile matches pairs: one single-choice item per pair, each offering every
        right-hand item, is the closest form that is still graded automatically."""
        source: model.Matching = question.question
        matches = shuffled_matches(source)
        share = source.points / len(source.pairs)
        for number, pair in enumerate(source.pairs, start=1):
            text = f"{question.text}\n<p><strong>{escaped(pair.prompt)}</strong></p>"
            choices = tuple(
                RenderedChoice(escaped(match), match == pair.match, "") for match in matches
            )
            self.single_choice(section, question, f"{question.id}.{number}", text, choices, share)
        self.matchings.append(f"'{question.id}' ({len(source.pairs)} pairs, "
                              f"{cartridge_weight(share)} point(s) each in Moodle, {share:.3g} "
                              "in the course)")  # fmt: skip

    def matching_note(self) -> FormatNote | None:
        """One note for every matching question written: a big course has hundreds."""
        if not self.matchings:
            return None
        return FormatNote.naming(self.matchings, lambda listed: (
            f"matching questions {listed}: CC 1.1 has no matching questions; each pair is written "
            "as a single-choice question: adjust their maximum marks in the quiz, or use the "
            "Moodle XML question bank, which keeps them as matching questions"
        ))

    # -- building blocks --

    def choice_list(
        self, item, text: str, choices: tuple[RenderedChoice, ...], cardinality: str
    ) -> list[str]:
        presentation = element(item, "presentation")
        html_material(presentation, text)
        response = element(presentation, "response_lid", ident=RESPONSE, rcardinality=cardinality)
        render = element(response, "render_choice", shuffle="No")
        idents = [f"c{number}" for number in range(1, len(choices) + 1)]
        for ident, choice in zip(idents, choices):
            html_material(element(render, "response_label", ident=ident), choice.html)
        return idents

    def processing(self, item) -> etree._Element:
        processing = element(item, "resprocessing")
        element(element(processing, "outcomes"), "decvar", varname="SCORE", vartype="Decimal",
                minvalue="0", maxvalue="100")  # fmt: skip
        return processing

    def condition(self, processing, choice_ident: str) -> etree._Element:
        condition = element(processing, "respcondition", continue_="No")
        element(element(condition, "conditionvar"), "varequal", choice_ident, respident=RESPONSE)
        return condition

    def drop_silent_conditions(self, processing) -> None:
        """Conditions that neither score nor show feedback say nothing."""
        for condition in processing.findall(f"{{{QTI}}}respcondition"):
            if len(condition) == 1:
                processing.remove(condition)

    def score(self, condition) -> None:
        element(condition, "setvar", "100", varname="SCORE", action="Set")

    def general_feedback(self, item, processing, html: str) -> None:
        if html:
            condition = element(
                processing, "respcondition", title="General feedback", continue_="Yes"
            )
            element(element(condition, "conditionvar"), "other")
            self.feedback(item, condition, "general_fb", html)

    def feedback(self, item, condition, ident: str, html: str) -> None:
        element(condition, "displayfeedback", feedbacktype="Response", linkrefid=ident)
        if item.find(f"{{{QTI}}}itemfeedback[@ident='{ident}']") is None:
            feedback = element(item, "itemfeedback", ident=ident)
            html_material(element(feedback, "flow_mat"), html)
