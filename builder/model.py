"""The typed course model: what every loader produces and every exporter consumes.

Each field's `doc` metadata feeds the format reference (docs/course-format.md), so the
documentation and the model cannot drift apart. Keys in YAML are the field names with
underscores, except where `key` metadata says otherwise.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from builder.errors import Problem

# --- Scalar kinds the loader knows how to read -------------------------------------------


class Id(str):
    """An identifier: a letter, then letters, digits, '-' or '_' (at most 64 characters)."""


class Minutes(int):
    """A duration in minutes, written `90`, `"90 min"`, `"1h30"` or `"2h"`."""


class Percent(int):
    """A whole percentage from 0 to 100."""


class Url(str):
    """An absolute http(s) or mailto URL."""


class CoursePath(str):
    """A file inside the course folder, relative to the YAML file that names it."""


@dataclass(frozen=True)
class Markdown:
    """CommonMark text, inline in YAML or `{include: file.md}`.

    `base` is the course-relative folder of the file the text came from, against which
    its image paths resolve.
    """

    source: str
    base: str = ""

    def __bool__(self) -> bool:
        return bool(self.source.strip())


def doc(text: str, **extra) -> dict:
    return {"doc": text, **extra}


def required(text: str, **extra):
    return field(metadata=doc(text, **extra))


def optional(text: str, default=None, **extra):
    if isinstance(default, list):
        return field(default_factory=list, metadata=doc(text, **extra))
    return field(default=default, metadata=doc(text, **extra))


# --- Course metadata ---------------------------------------------------------------------


@dataclass(kw_only=True)
class Person:
    name: str = required("Full name.")
    role: str | None = optional("What they do in this course, e.g. `Formateur`.")
    email: str | None = optional("Contact address.")


@dataclass(kw_only=True)
class Session:
    start: dt.date = required("First day, `YYYY-MM-DD`.")
    end: dt.date | None = optional("Last day, `YYYY-MM-DD`; defaults to `start`.")
    place: str | None = optional("Where it takes place, e.g. `Paris`.")


@dataclass(kw_only=True)
class CourseDuration:
    days: int = required("Number of days.")
    hours: float = required("Total hours of training.")


@dataclass(kw_only=True)
class Objective:
    id: Id = required("Identifier used by `objectives` and `assesses` lists, e.g. `O1`.")
    text: str = required("The objective, as the official programme words it.")


# --- Trainer material (the trainer's guide only; never in learner outputs) ---------------


@dataclass(kw_only=True)
class GridCriterion:
    criterion: str = required("What is assessed, e.g. a performance criterion of the programme.")
    indicators: Markdown | list[str] = required(
        "What the trainer looks for: Markdown text, or a list of observable indicators."
    )


@dataclass(kw_only=True)
class TrainerMaterial:
    """What the trainer needs to run a part of the course in a room; printed in the guide only."""

    notes: Markdown | None = optional("What the trainer should know: intentions, pitfalls, tips.")
    instructions: Markdown | None = optional("The instructions to give the group, as said.")
    materials: list[str] = optional("What to prepare beforehand.", default=[])
    room: str | None = optional("How to set up the room.")
    groups: str | None = optional("Group sizes and how to form them.")
    expected: Markdown | None = optional("Expected answers, key points the group should reach.")
    grid: list[GridCriterion] = optional("Marking grid: criteria and their indicators.", default=[])
    debrief: list[str] = optional("Questions for the debrief.", default=[])


# --- Activities --------------------------------------------------------------------------


@dataclass(kw_only=True)
class Activity:
    """Common fields of every activity; `type` picks the subclass."""

    TYPES: ClassVar[tuple[str, ...]] = ()

    id: Id = required("Unique identifier in the course; becomes the page's file name.")
    type: str = required("The kind of activity (see the list of activity types).")
    title: str = required("Title shown to learners.")
    duration: Minutes | None = optional("Expected time, e.g. `45` or `\"1h30\"`.")
    objectives: list[Id] = optional("Objectives this activity works on.", default=[])
    trainer: TrainerMaterial | None = optional("Trainer material, for the trainer's guide.")

    @property
    def assessed_objectives(self) -> list[Id]:
        return []


@dataclass(kw_only=True)
class Theory(Activity):
    TYPES = ("theory",)
    body: Markdown = required("The page's content.")


@dataclass(kw_only=True)
class Example(Activity):
    TYPES = ("example",)
    body: Markdown = required("The example, told concretely.")
    source: str | None = optional("Where the example comes from.")


@dataclass(kw_only=True)
class Exercise(Activity):
    """An exercise, a workshop or a case study: work the learners do."""

    TYPES = ("exercise", "workshop", "case-study")
    instructions: Markdown = required("What to do, step by step.")
    grouping: Literal["individual", "pairs", "small-groups", "whole-group"] = optional(
        "How learners work.", default="individual"
    )
    deliverable: Markdown | None = optional("What the work produces.")
    materials: list[str] = optional("What learners need.", default=[])
    debrief: Markdown | None = optional("How the work is shared and discussed afterwards.")
    assesses: list[Id] = optional("Objectives this activity assesses.", default=[])

    @property
    def assessed_objectives(self) -> list[Id]:
        return self.assesses


@dataclass(kw_only=True)
class Discussion(Activity):
    """A discussion prompt; becomes a forum topic in packages and LMS sync."""

    TYPES = ("discussion",)
    prompt: Markdown = required("The question put to the group.")
    forum: str | None = optional("Name of the Moodle forum it is posted in.")
    subject: str | None = optional("Discussion subject; defaults to the title.")

    @property
    def discussion_subject(self) -> str:
        return self.subject or self.title


@dataclass(kw_only=True)
class Feedback:
    correct: Markdown | None = optional("Shown when the answer is right.")
    incorrect: Markdown | None = optional("Shown when the answer is wrong.")


@dataclass(kw_only=True)
class Choice:
    text: str = required("The choice.")
    correct: bool = optional("Whether this choice is right.", default=False)
    feedback: Markdown | None = optional("Shown when the learner picks this choice.")


@dataclass(kw_only=True)
class MatchPair:
    prompt: str = required("Left-hand item.")
    match: str = required("The right-hand item it goes with.")


@dataclass(kw_only=True)
class Question:
    TYPES: ClassVar[tuple[str, ...]] = ()

    id: Id = required("Identifier, unique in the course.")
    type: str = required("The kind of question (see the list of question types).")
    text: Markdown = required("The question.")
    points: float = optional("Points for a right answer.", default=1.0)
    feedback: Feedback = optional("Explanations shown after answering.", default=None)
    assesses: list[Id] = optional("Objectives this question assesses.", default=[])

    def __post_init__(self) -> None:
        if self.feedback is None:
            self.feedback = Feedback()


@dataclass(kw_only=True)
class SingleChoice(Question):
    TYPES = ("single",)
    choices: list[Choice] = required("Choices; exactly one is correct.")


@dataclass(kw_only=True)
class MultipleChoice(Question):
    TYPES = ("multiple",)
    choices: list[Choice] = required("Choices; at least one is correct.")


@dataclass(kw_only=True)
class TrueFalse(Question):
    TYPES = ("truefalse",)
    answer: bool = required("The right answer.")


@dataclass(kw_only=True)
class Matching(Question):
    TYPES = ("matching",)
    pairs: list[MatchPair] = required("At least two pairs; the right-hand items are shuffled.")


@dataclass(kw_only=True)
class ShortAnswer(Question):
    TYPES = ("short",)
    answers: list[str] = required("Accepted answers.")
    case_sensitive: bool = optional("Whether letter case matters.", default=False)


QUESTION_CLASSES: tuple[type[Question], ...] = (
    SingleChoice,
    MultipleChoice,
    TrueFalse,
    Matching,
    ShortAnswer,
)


@dataclass(kw_only=True)
class Quiz(Activity):
    TYPES = ("quiz",)
    intro: Markdown | None = optional("Shown before the questions.")
    questions: list[Question] = required("The questions.")
    passing_score: Percent | None = optional(
        "Score needed to pass this quiz; defaults to the course's `passing_score`."
    )
    attempts: int = optional("How many tries a learner gets; `0` means unlimited.", default=0)
    graded: bool = optional("Whether the quiz counts in the course score.", default=True)

    @property
    def assessed_objectives(self) -> list[Id]:
        return [objective for question in self.questions for objective in question.assesses]

    @property
    def max_points(self) -> float:
        return sum(question.points for question in self.questions)


@dataclass(kw_only=True)
class ChecklistItem:
    text: str = required("A statement the learner rates themselves against.")


@dataclass(kw_only=True)
class Checklist(Activity):
    """A self-assessment checklist."""

    TYPES = ("checklist",)
    intro: Markdown | None = optional("Shown before the items.")
    items: list[ChecklistItem] = required("The statements.")
    scale: list[str] = optional(
        "Levels a learner picks from for each item; none means simple tick boxes.", default=[]
    )
    assesses: list[Id] = optional("Objectives this self-assessment covers.", default=[])

    @property
    def assessed_objectives(self) -> list[Id]:
        return self.assesses


@dataclass(kw_only=True)
class Reflection(Activity):
    TYPES = ("reflection",)
    intro: Markdown | None = optional("Shown before the questions.")
    questions: list[str] = required("Questions for the learner to think about.")


@dataclass(kw_only=True)
class Resource(Activity):
    """A downloadable file or a link; give exactly one of `file` and `url`."""

    TYPES = ("resource",)
    description: Markdown | None = optional("What it is and how to use it.")
    file: CoursePath | None = optional("A file in the course folder.")
    url: Url | None = optional("A web address.")


ACTIVITY_CLASSES: tuple[type[Activity], ...] = (
    Theory,
    Example,
    Exercise,
    Discussion,
    Quiz,
    Checklist,
    Reflection,
    Resource,
)


# --- Programme structure -------------------------------------------------------------------


@dataclass(kw_only=True)
class Sequence:
    id: Id = required("Identifier, unique in the course.")
    title: str = required("Title as in the programme.")
    start: dt.time | None = optional("Start time `HH:MM`; defaults to the end of what precedes.")
    duration: Minutes | None = optional("Length; defaults to the time until the next item.")
    objectives: list[Id] = optional("Objectives this sequence addresses.", default=[])
    summary: Markdown | None = optional("What happens in this sequence.")
    activities: list[Activity] = optional("The activities, in order.", default=[])
    trainer: TrainerMaterial | None = optional("Trainer material, for the trainer's guide.")


@dataclass(kw_only=True)
class Break:
    title: str = required("E.g. `Pause` or `Déjeuner`.")
    start: dt.time = required("Start time `HH:MM`.")
    duration: Minutes = required("Length.")


@dataclass(kw_only=True)
class Day:
    id: Id = required("Identifier, unique in the course.")
    title: str = required("E.g. `Jour 1`.")
    date: dt.date | None = optional("Date of this day in the session.")
    start: dt.time = optional("When the day starts.", default=dt.time(9, 0))
    end: dt.time | None = optional("When the day ends; sequences must fit.")
    summary: Markdown | None = optional("Introduction to the day.")
    sequences: list[Sequence] = required("The sequences, in programme order.")
    breaks: list[Break] = optional("Breaks and lunch.", default=[])


@dataclass
class Slot:
    """A timed item of a day's timetable: a sequence or a break."""

    start: dt.time
    end: dt.time
    sequence: Sequence | None = None
    break_: Break | None = None
    breaks: list[Slot] = field(default_factory=list)  # pauses within a sequence's span
    past_midnight: bool = False  # the end was clamped to 23:59

    @property
    def title(self) -> str:
        return self.sequence.title if self.sequence else self.break_.title


# --- Reference material --------------------------------------------------------------------


@dataclass(kw_only=True)
class GlossaryEntry:
    term: str = required("The term.")
    definition: Markdown = required("What it means in this course.")
    see_also: list[str] = optional("Related terms of the glossary.", default=[])


@dataclass(kw_only=True)
class Work:
    """A bibliography entry, rendered in APA style."""

    TYPES: ClassVar[tuple[str, ...]] = ("book", "article", "chapter", "report", "web", "thesis")

    id: Id = required("Key for citing it as `[@id]` in Markdown.")
    type: Literal["book", "article", "chapter", "report", "web", "thesis"] = required(
        "Kind of work."
    )
    authors: list[str] = required("Authors as `Surname, I.`, in order.")
    year: int = required("Year of publication.")
    title: str = required("Title of the work.")
    publisher: str | None = optional("Publisher (books, reports, theses).")
    place: str | None = optional("Place of publication.")
    container: str | None = optional("Journal (article) or book title (chapter).")
    editors: list[str] = optional("Editors of the book a chapter is in.", default=[])
    volume: str | None = optional("Journal volume.")
    issue: str | None = optional("Journal issue.")
    pages: str | None = optional("Page range, e.g. `12-34`.")
    edition: str | None = optional("Edition, e.g. `2e éd.`.")
    url: Url | None = optional("Where to find it online.")
    doi: str | None = optional("DOI, without the `https://doi.org/` prefix.")
    note: str | None = optional("Why it is worth reading.")


# --- The course ----------------------------------------------------------------------------


@dataclass(kw_only=True)
class Course:
    id: Id = required("Stable identifier; package identifiers derive from it, never change it.")
    title: str = required("Course title.")
    language: Literal["fr", "en"] = required("Language of the content and of the interface.")
    version: str = required("`MAJOR.MINOR.PATCH`; a new MAJOR starts a new learner history.")
    description: Markdown = required("What the course is about.")
    objectives: list[Objective] = required("Learning objectives.")
    days: list[Day] = required("The programme, day by day.")
    subtitle: str | None = optional("Shown under the title.")
    organisation: str | None = optional("Who runs the course.")
    authors: list[Person] = optional("Who wrote it.", default=[])
    licence: str | None = optional("Licence of the content, e.g. `CC BY-SA 4.0`.")
    audience: Markdown | None = optional("Who it is for.")
    prerequisites: list[str] = optional("What learners need beforehand.", default=[])
    duration: CourseDuration | None = optional("Overall length.")
    sessions: list[Session] = optional("Dates and places.", default=[])
    speakers: Markdown | None = optional("Who teaches it (profile).")
    methods: Markdown | None = optional("Teaching methods.")
    teaching_resources: Markdown | None = optional("Teaching resources used in the room.")
    evaluation: Markdown | None = optional("How learning is assessed.")
    passing_score: Percent = optional("Score (in %) a learner needs to pass.", default=80)
    glossary: list[GlossaryEntry] = optional("Terms and definitions.", default=[])
    bibliography: list[Work] = optional("Works cited and recommended.", default=[])
    trainer: TrainerMaterial | None = optional(
        "Session-wide trainer material (room, materials, groups), for the trainer's guide."
    )
    root: Path | None = field(
        default=None, repr=False, compare=False, metadata={"internal": True, "doc": ""}
    )
    # What the exporters of one build render once and share (see builder/render.py).
    shared_renders: dict = field(
        default_factory=dict, repr=False, compare=False, metadata={"internal": True, "doc": ""}
    )
    # Located problems that do not stop the build (printed as `warning:` lines).
    source_warnings: list[Problem] = field(
        default_factory=list, repr=False, compare=False, metadata={"internal": True, "doc": ""}
    )

    # -- navigation helpers used by every exporter --

    def activities(self):
        """Every activity with its day and sequence, in course order."""
        for day in self.days:
            for sequence in day.sequences:
                for activity in sequence.activities:
                    yield day, sequence, activity

    def activities_of(self, kind: type[Activity]) -> list[Activity]:
        return [activity for _, _, activity in self.activities() if isinstance(activity, kind)]

    @property
    def major_version(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def graded_quizzes(self) -> list[Quiz]:
        return [quiz for quiz in self.activities_of(Quiz) if quiz.graded]


def day_schedule(day: Day) -> list[Slot]:
    """The day's timetable: sequences and breaks with their start and end times, in order.

    A sequence without `start` begins where the previous item ends; one without `duration`
    lasts until the next timed item (a later sequence's start, a break, the end of the day).
    A break wholly inside a sequence's span is listed in that sequence's slot.
    """
    pending = sorted(day.breaks, key=lambda brk: brk.start)
    slots: list[Slot] = []
    cursor = _minutes(day.start)

    def place_breaks_until(moment: int) -> None:
        nonlocal cursor
        while pending and _minutes(pending[0].start) <= moment:
            brk = pending.pop(0)
            start = _minutes(brk.start)
            end = start + int(brk.duration)
            slots.append(Slot(_clock(start), _clock(end), break_=brk, past_midnight=end > LAST_MINUTE))
            cursor = max(cursor, start + int(brk.duration))

    for index, sequence in enumerate(day.sequences):
        place_breaks_until(_minutes(sequence.start) if sequence.start else cursor)
        start = _minutes(sequence.start) if sequence.start else cursor
        if sequence.duration is not None:
            end = start + int(sequence.duration)
        else:
            end = _next_fixed_time(day, index, pending, start)
        end = max(start, end)
        slots.append(Slot(_clock(start), _clock(end), sequence=sequence,
                          past_midnight=end > LAST_MINUTE))
        cursor = max(start, end)
    place_breaks_until(24 * 60)
    return _nest_inner_breaks(sorted(slots, key=lambda slot: slot.start))


@dataclass
class RunRow:
    """A line of a sequence's run: an activity (timed when it has a duration) or a pause."""

    start: dt.time | None
    end: dt.time | None
    activity: Activity | None = None
    pause: Break | None = None


def sequence_run(slot: Slot) -> list[RunRow]:
    """The sequence's activities from its start, one after another, and its pauses at their
    fixed times; an activity a pause interrupts ends that much later."""
    pauses = sorted(slot.breaks, key=lambda pause: pause.start)
    rows: list[RunRow] = []
    cursor = _minutes(slot.start)
    for activity in slot.sequence.activities:
        while pauses and _minutes(pauses[0].start) <= cursor:
            pause = pauses.pop(0)
            rows.append(RunRow(pause.start, pause.end, pause=pause.break_))
            cursor = max(cursor, _minutes(pause.end))
        if not activity.duration:
            rows.append(RunRow(None, None, activity=activity))
            continue
        end = cursor + int(activity.duration)
        interrupting = []
        while pauses and _minutes(pauses[0].start) < end:
            pause = pauses.pop(0)
            interrupting.append(RunRow(pause.start, pause.end, pause=pause.break_))
            end += _minutes(pause.end) - _minutes(pause.start)
        rows.append(RunRow(_clock(cursor), _clock(end), activity=activity))
        rows += interrupting
        cursor = end
    rows += [RunRow(pause.start, pause.end, pause=pause.break_) for pause in pauses]
    return rows


def _nest_inner_breaks(slots: list[Slot]) -> list[Slot]:
    """A break lying wholly within a sequence's span is a pause of that sequence."""
    sequences = [slot for slot in slots if slot.sequence]
    top_level = []
    for slot in slots:
        host = slot.break_ and next(
            (s for s in sequences if s.start < slot.start and slot.end < s.end), None
        )
        if host:
            host.breaks.append(slot)
        else:
            top_level.append(slot)
    return top_level


def _next_fixed_time(day: Day, index: int, pending: list[Break], after: int) -> int:
    """The first time after `after` at which something else is due to start."""
    candidates = [_minutes(s.start) for s in day.sequences[index + 1 :] if s.start]
    candidates += [_minutes(b.start) for b in pending]
    if day.end:
        candidates.append(_minutes(day.end))
    later = [moment for moment in candidates if moment > after]
    return min(later) if later else after


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


LAST_MINUTE = 23 * 60 + 59


def _clock(minutes: int) -> dt.time:
    minutes = min(minutes, LAST_MINUTE)
    return dt.time(minutes // 60, minutes % 60)
