"""The report's figures, computed from what was collected and the course model. No I/O here.

- A learner's SCORM result is their latest attempt (the one modified last, across the course's
  SCORM activities, a 1.2 and a 2004 one alike), as the package itself counts its last attempt.
  Time spent adds up every attempt. Score and status come from the tracks, never from the
  gradebook, which shows something else under the "learning objects" grading method.
- Pages visited and quiz attempts come from `cmi.suspend_data`, decoded with the course map.
- Answers come from the interactions (`<quiz-id>--<question-id>`), the latest one per question
  across attempts. An objective's mastery is the share of points earned on the questions that
  assess it (the course's `assesses` links) among those the learner answered.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from statistics import mean

from builder import model
from builder.exporters.scorm_map import course_map
from builder.exporters.scorm_progress import decode_progress
from builder.i18n import Interface
from builder.learner_work import ChecklistWork, ReflectionWork, learner_work
from builder.render import shuffled_matches
from builder.site import build_site
from lms_sync.moodle_text import shown
from lms_sync.report.collect import Attempt, Collected, Learner

NOT_ENROLLED, NOT_STARTED, IN_PROGRESS, COMPLETED, PASSED, FAILED = (
    "not_enrolled", "not_started", "in_progress", "completed", "passed", "failed")
STATUSES = (NOT_ENROLLED, NOT_STARTED, IN_PROGRESS, COMPLETED, PASSED, FAILED)
LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"  # scorm.js's choice identifiers
SCORM_VERSIONS = {"1.2": "scorm12", "2004": "scorm2004"}  # as learner_work names them
INTERACTION = re.compile(r"^cmi\.interactions[._](\d+)\.(id|result|student_response|learner_response)$")
NO_GROUP = ""


@dataclass(frozen=True)
class Answer:
    correct: bool
    response: str  # as the LMS stored it: "a,c", "a[,]c", "t", "true", "a.b,b.a", text


@dataclass
class LearnerFigures:
    learner: Learner
    status: str
    attempts: int = 0
    first_access: int | None = None  # the first launch of the course's SCORM activity
    score: float | None = None
    completed: bool = False
    passed: bool = False
    progress: float | None = None  # 0 to 1: pages visited and graded quizzes submitted
    time_spent: int = 0  # seconds, every attempt
    pages_visited: tuple[str, ...] = ()
    quizzes: dict[str, tuple[int, int]] = field(default_factory=dict)  # quiz id -> (score %, attempts)
    answers: dict[str, Answer] = field(default_factory=dict)  # question id -> latest answer
    mastery: dict[str, float | None] = field(default_factory=dict)  # objective id -> 0..1
    posts: int = 0  # posts in the discussion prompts' threads
    work: list[ReflectionWork | ChecklistWork] = field(default_factory=list)  # only when asked: personal

    @property
    def started(self) -> bool:
        return self.status not in (NOT_ENROLLED, NOT_STARTED)


@dataclass
class GroupFigures:
    name: str
    enrolled: int
    started: int
    completed: int
    passed: int
    mean_score: float | None
    mastery: dict[str, float | None]  # objective id -> mean of members' mastery


@dataclass
class QuestionFigures:
    quiz: model.Quiz
    question: model.Question
    answered: int
    correct: int
    common_wrong: tuple[str, int] | None  # (answer as the learner saw it, how many chose it)

    @property
    def success_rate(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass
class ObjectiveFigures:
    objective: model.Objective
    questions: list[str]  # ids of the questions assessing it
    activities: list[model.Activity]  # the other activities assessing it (in the room, not in Moodle)
    mean_mastery: float | None
    mastered: int  # learners at or above the passing score
    measured: int  # learners with at least one answer assessing it


@dataclass
class PromptFigures:
    activity: model.Discussion
    forum: str | None  # None when no thread of it was found in Moodle
    posters: dict[str, int]  # group name -> learners who posted ("" for learners in no group)
    replies: dict[str, int]  # group name -> posts by learners
    members: dict[str, int]
    who: dict[str, list[Learner]]  # group name -> the learners who posted, in roster order


@dataclass
class Report:
    course: model.Course
    moodle_course: str  # its full name in Moodle
    learners: list[LearnerFigures]
    groups: list[GroupFigures]
    everyone: GroupFigures  # every learner reported on, named ""
    questions: list[QuestionFigures]
    objectives: list[ObjectiveFigures]
    prompts: list[PromptFigures]
    pages_total: int
    passing_score: int
    learner_texts: bool = False  # whether `work` was read (--include-learner-texts)


def compute(course: model.Course, collected: Collected, learner_texts: bool = False) -> Report:
    """`learner_texts`: also each learner's reflections and self-assessments (personal: only when asked)."""
    site = build_site(course, Interface(course.language).strings)
    data = course_map(course, site)
    pages = [page.url for page in site.activity_pages]
    graded = {quiz.id for quiz in course.graded_quizzes}
    learners = [_learner(course, collected, learner, data, pages, graded) for learner in collected.learners]
    if learner_texts:
        for figures, latest in zip(learners, (_latest(collected, learner) for learner in collected.learners)):
            work = learner_work(SCORM_VERSIONS[latest.version], course, latest.tracks, data) if latest else []
            if any(value is not None for item in work for _, value in item.pairs):  # else nothing to show
                figures.work = work
    _count_posts(learners, collected)
    return Report(
        course=course,
        moodle_course=shown(collected.course.fullname),
        learners=learners,
        groups=_groups(course, learners),
        everyone=group_figures(course, "", learners),
        questions=_questions(course, learners, data),
        objectives=_objectives(course, learners),
        prompts=_prompts(course, collected, learners),
        pages_total=len(pages),
        passing_score=course.passing_score,
        learner_texts=learner_texts,
    )


def _learner(course: model.Course, collected: Collected, learner: Learner, data: dict, pages: list[str], graded: set[str]) -> LearnerFigures:
    if learner.moodle_id is None:
        return LearnerFigures(learner, NOT_ENROLLED)
    attempts = _attempts(collected, learner)
    if not attempts:
        return LearnerFigures(learner, NOT_STARTED)
    latest = attempts[-1]
    figures = LearnerFigures(learner, IN_PROGRESS, attempts=len(attempts))
    figures.first_access = min(int(attempt.tracks.get("x.start.time", 0)) for attempt in attempts) or None
    figures.time_spent = sum(seconds(str(attempt.tracks.get("total_time", ""))) for attempt in attempts)
    score = latest.tracks.get("score_raw", "")
    figures.score = float(score) if score != "" else None
    state = decode_progress(str(latest.tracks.get("cmi.suspend_data", "")), data, pages)
    if state is not None:
        figures.pages_visited = state.visited
        figures.quizzes = {quiz_id: (quiz.score, quiz.attempts) for quiz_id, quiz in state.quizzes.items()}
        done = len(state.visited) + len(graded & set(state.quizzes))
        figures.progress = done / (len(pages) + len(graded)) if pages or graded else 1.0
    else:
        measure = latest.tracks.get("cmi.progress_measure")
        figures.progress = float(measure) if measure not in (None, "") else None
    status = str(latest.tracks.get("status", ""))
    success = str(latest.tracks.get("cmi.success_status", status))  # 1.2 has one status for both
    figures.completed = figures.progress == 1 if figures.progress is not None else status in (COMPLETED, PASSED, FAILED)
    figures.passed = success == PASSED
    figures.status = success if success in (PASSED, FAILED) else COMPLETED if figures.completed else IN_PROGRESS
    figures.answers = latest_answers(attempts)
    figures.mastery = _mastery(course, figures.answers)
    return figures


def _attempts(collected: Collected, learner: Learner) -> list[Attempt]:
    """Every attempt of the learner in the course's SCORM activities, the one modified last at the end."""
    if learner.moodle_id is None:
        return []
    return sorted(
        (attempt for activity in collected.activities for attempt in collected.attempts.get((activity.id, learner.moodle_id), [])),
        key=lambda attempt: int(attempt.tracks.get("timemodified", 0)),
    )


def _latest(collected: Collected, learner: Learner) -> Attempt | None:
    attempts = _attempts(collected, learner)
    return attempts[-1] if attempts else None


def seconds(duration: str) -> int:
    """SCORM 1.2 `HHHH:MM:SS.SS` or 2004 `PT#H#M#S` (ISO 8601) in whole seconds; 0 if unreadable."""
    clock = re.fullmatch(r"(\d+):(\d{2}):(\d{2})(?:\.\d+)?", duration)
    if clock:
        return int(clock[1]) * 3600 + int(clock[2]) * 60 + int(clock[3])
    iso = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?", duration)
    if iso and duration not in ("P", "PT"):
        days, hours, minutes, secs = (float(part) if part else 0 for part in iso.groups())
        return int(days * 86400 + hours * 3600 + minutes * 60 + secs)
    return 0


def latest_answers(attempts: list[Attempt]) -> dict[str, Answer]:
    """Question id -> the latest answer, interactions read in attempt then index order."""
    answers: dict[str, Answer] = {}
    for attempt in attempts:
        rows: dict[int, dict[str, str]] = {}
        for element, value in attempt.tracks.items():
            found = INTERACTION.match(element)
            if found:
                rows.setdefault(int(found[1]), {})[found[2]] = str(value)
        for index in sorted(rows):
            row = rows[index]
            question = row.get("id", "").partition("--")[2]
            if question:
                response = row.get("student_response", row.get("learner_response", ""))
                answers[question] = Answer(row.get("result") == "correct", response)
    return answers


def _mastery(course: model.Course, answers: dict[str, Answer]) -> dict[str, float | None]:
    earned: Counter = Counter()
    possible: Counter = Counter()
    for quiz in course.activities_of(model.Quiz):
        for question in quiz.questions:
            answer = answers.get(question.id)
            if answer is None:
                continue
            for objective in question.assesses:
                possible[objective] += question.points
                earned[objective] += question.points if answer.correct else 0
    return {o.id: earned[o.id] / possible[o.id] if possible[o.id] else None for o in course.objectives}


def _mean(values) -> float | None:
    values = [value for value in values if value is not None]
    return mean(values) if values else None


def group_names(learner: LearnerFigures) -> tuple[str, ...]:
    return learner.learner.groups or (NO_GROUP,)


def _groups(course: model.Course, learners: list[LearnerFigures]) -> list[GroupFigures]:
    names = sorted({name for learner in learners for name in group_names(learner)}, key=lambda name: (name == NO_GROUP, name))
    return [group_figures(course, name, [learner for learner in learners if name in group_names(learner)]) for name in names]


def group_figures(course: model.Course, name: str, members: list[LearnerFigures]) -> GroupFigures:
    return GroupFigures(
        name=name,
        enrolled=sum(learner.status != NOT_ENROLLED for learner in members),
        started=sum(learner.started for learner in members),
        completed=sum(learner.completed for learner in members),
        passed=sum(learner.passed for learner in members),
        mean_score=_mean(learner.score for learner in members),
        mastery={o.id: _mean(learner.mastery.get(o.id) for learner in members) for o in course.objectives},
    )


def _questions(course: model.Course, learners: list[LearnerFigures], data: dict) -> list[QuestionFigures]:
    found = []
    ui = Interface(course.language)
    for quiz in course.activities_of(model.Quiz):
        for question in quiz.questions:
            answers = [learner.answers[question.id] for learner in learners if question.id in learner.answers]
            wrong = Counter(answer_label(question, answer.response, ui) for answer in answers if not answer.correct)
            common = min(wrong.items(), key=lambda item: (-item[1], item[0])) if wrong else None
            found.append(QuestionFigures(quiz, question, len(answers), sum(answer.correct for answer in answers), common))
    return found


def answer_label(question: model.Question, response: str, ui: Interface) -> str:
    """A stored response in the learner's words: choices' texts, true/false, matched pairs, text."""
    items = [item for item in re.split(r"\[,\]|,", response) if item] if not isinstance(question, model.ShortAnswer) else []
    if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
        texts = [question.choices[LETTERS.index(item)].text for item in items if item in LETTERS and LETTERS.index(item) < len(question.choices)]
        return " + ".join(texts) or ui.label("report", "no_answer")
    if isinstance(question, model.TrueFalse):
        return ui.label("report", "value_true") if response in ("t", "true") else ui.label("report", "value_false")
    if isinstance(question, model.Matching):
        options = shuffled_matches(question)
        pairs = []
        for item in items:
            left, _, right = re.split(r"(\[\.\]|\.)", item, maxsplit=1) if "." in item else (item, "", "")
            if left in LETTERS and right in LETTERS and LETTERS.index(left) < len(question.pairs) and LETTERS.index(right) < len(options):
                pairs.append(f"{question.pairs[LETTERS.index(left)].prompt} → {options[LETTERS.index(right)]}")
        return " ; ".join(pairs) or ui.label("report", "no_answer")
    return response.strip() or ui.label("report", "no_answer")


def _objectives(course: model.Course, learners: list[LearnerFigures]) -> list[ObjectiveFigures]:
    found = []
    passing = course.passing_score / 100
    for objective in course.objectives:
        questions = [q.id for quiz in course.activities_of(model.Quiz) for q in quiz.questions if objective.id in q.assesses]
        others = [a for _, _, a in course.activities() if not isinstance(a, model.Quiz) and objective.id in a.assessed_objectives]
        values = [learner.mastery.get(objective.id) for learner in learners]
        measured = [value for value in values if value is not None]
        found.append(ObjectiveFigures(objective, questions, others, _mean(measured), sum(value >= passing for value in measured), len(measured)))
    return found


def _count_posts(learners: list[LearnerFigures], collected: Collected) -> None:
    by_id = {learner.learner.moodle_id: learner for learner in learners if learner.learner.moodle_id is not None}
    for thread in collected.threads:
        for post in thread.posts:
            if post.author in by_id:
                by_id[post.author].posts += 1


def _prompts(course: model.Course, collected: Collected, learners: list[LearnerFigures]) -> list[PromptFigures]:
    by_id = {learner.learner.moodle_id: learner for learner in learners if learner.learner.moodle_id is not None}
    enrolled = [learner for learner in learners if learner.status != NOT_ENROLLED]
    members = Counter(name for learner in enrolled for name in group_names(learner))
    found = []
    for activity in course.activities_of(model.Discussion):
        threads = [thread for thread in collected.threads if thread.activity == activity.id]
        order = sorted(members, key=lambda name: (name == NO_GROUP, name))
        posters: dict[str, set[int]] = {name: set() for name in members}
        replies: Counter = Counter({name: 0 for name in members})
        for thread in threads:
            for post in thread.posts:
                learner = by_id.get(post.author)
                if learner is None:
                    continue
                for name in group_names(learner):
                    posters[name].add(post.author)
                    replies[name] += 1
        who = {name: [l.learner for l in learners if l.learner.moodle_id in posters[name]] for name in order}
        found.append(PromptFigures(
            activity, threads[0].forum if threads else None,
            {name: len(posters[name]) for name in order}, {name: replies[name] for name in order}, {name: members[name] for name in order},
            who,
        ))
    return found
