"""`guide`: the trainer's guide (guide de l'animateur), as print-ready HTML and PDF.

Each day's timetable, then each sequence with its objectives, its run (activity by activity,
timed), what to prepare, the instructions to give, the trainer's notes, expected answers and
marking grids, debrief questions, and the answer key of every quiz.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from builder import model
from builder.printed import PrintedDay, PrintExporter, PrintRenderer, TocEntry


@dataclass
class KeyChoice:
    text: str
    correct: bool
    feedback: model.Markdown | None


@dataclass
class AnswerKey:
    """A question's choices marked right or wrong, or (without choices) its right answers."""

    question: model.Question
    answers: list[str] = field(default_factory=list)
    choices: list[KeyChoice] = field(default_factory=list)


@dataclass
class GuideSequence:
    slot: model.Slot
    objectives: list[model.Objective]
    run: list[model.RunRow]

    @property
    def sequence(self) -> model.Sequence:
        return self.slot.sequence

    @property
    def detailed(self) -> list[model.RunRow]:
        """The activities the guide says more about than the run's line: theory pages and
        examples only when they come with trainer material."""
        return [row for row in self.run if row.activity and (
            row.activity.trainer or not isinstance(row.activity, (model.Theory, model.Example)))]


@dataclass
class MaterialNeed:
    """Something to prepare, and every part of the course that needs it."""

    item: str
    uses: list[str]


class GuideExporter(PrintExporter):
    name = "guide"
    description = "trainer's guide: timetable, instructions, notes, answers (PDF + print HTML)"
    template = "print/guide.html.j2"

    def context(self, course: model.Course, renderer: PrintRenderer) -> dict:
        days = [_guide_day(course, day) for day in course.days]
        return {
            "days": days,
            "toc": _toc(days, renderer),
            "materials": materials_to_prepare(course, renderer.ui("whole_session")),
            "answer_key": lambda question: answer_key(question, renderer),
        }


def _guide_day(course: model.Course, day: model.Day) -> PrintedDay:
    timetable = model.day_schedule(day)
    by_id = {objective.id: objective for objective in course.objectives}
    sequences = [
        GuideSequence(slot, [by_id[o] for o in slot.sequence.objectives if o in by_id],
                      model.sequence_run(slot))
        for slot in timetable if slot.sequence
    ]
    return PrintedDay(day, timetable, sequences)


def _toc(days: list[PrintedDay], renderer: PrintRenderer) -> list[TocEntry]:
    entries = [TocEntry("session", renderer.ui("prepare_session"), 1)]
    for guide_day in days:
        entries.append(TocEntry(f"day-{guide_day.day.id}", guide_day.day.title, 1))
        entries += [TocEntry(f"seq-{s.sequence.id}", s.sequence.title, 2)
                    for s in guide_day.sequences]
    return entries


def materials_to_prepare(course: model.Course, whole_session: str) -> list[MaterialNeed]:
    """Every material the course names, once, with the parts that use it, in course order."""
    needs: dict[str, list[str]] = {}

    def need(items: list[str], where: str) -> None:
        for item in items:
            uses = needs.setdefault(item, [])
            if where not in uses:
                uses.append(where)

    need(_trainer_materials(course), whole_session)
    for day in course.days:
        for sequence in day.sequences:
            need(_trainer_materials(sequence), sequence.title)
            for activity in sequence.activities:
                need(_trainer_materials(activity) + getattr(activity, "materials", []),
                     activity.title)
    return [MaterialNeed(item, uses) for item, uses in needs.items()]


def _trainer_materials(owner) -> list[str]:
    return owner.trainer.materials if owner.trainer else []


def answer_key(question: model.Question, renderer: PrintRenderer) -> AnswerKey:
    ui = renderer.ui
    if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
        return AnswerKey(question, choices=[KeyChoice(c.text, c.correct, c.feedback)
                                            for c in question.choices])
    if isinstance(question, model.TrueFalse):
        return AnswerKey(question, [ui("answer_true") if question.answer else ui("answer_false")])
    if isinstance(question, model.Matching):
        return AnswerKey(question, [ui("matched", prompt=p.prompt, match=p.match)
                                    for p in question.pairs])
    if isinstance(question, model.ShortAnswer):
        return AnswerKey(question, list(question.answers))
    raise TypeError(f"no answer key for question type {question.type!r}")
