"""The course map the SCORM runtime (scorm.js) needs, and the suspend_data budget.

The runtime keeps the learner's state in `cmi.suspend_data`, keyed by position (page,
quiz, question, checklist) rather than by identifier so that a whole course fits in
SCORM 1.2's 4096 characters. The map gives those positions, plus what the runtime needs
to encode answers and compute the score. Its `layout` fingerprint changes whenever the
positions would mean something else, so state saved by another layout is never misread.

The encoding is described in docs/scorm.md; `suspend_data_bound` mirrors it.
"""

from __future__ import annotations

import hashlib
import json
import math

from builder import model
from builder.i18n import Interface
from builder.render import shuffled_matches
from builder.site import Site

SCORM12_SUSPEND_DATA_LIMIT = 4096
# Encoding constants shared with scorm.js (see docs/scorm.md, "suspend_data").
HEADER = 1 + 4  # format version + layout fingerprint
SHORT_TEXT_KEPT = 40  # UTF-16 code units of a wrong short answer kept for restoring
ESCAPED_UNIT = 6  # worst case for one code unit: %uXXXX
QUIZ_ENTRY_HEAD = 3  # attempts (1 char) + score (2 chars)
SINGLE_CHARACTER_INDEXES = 36  # base 36 digits; also SCORM's limit of choice identifiers
# Interface strings the runtime shows (a failed page load or save, a session already ended).
RUNTIME_STRINGS = ("page_unavailable", "retry", "session_ended", "save_failed")


def course_map(course: model.Course, site: Site) -> dict:
    """Positions and answer keys, in the order the runtime encodes them."""
    quizzes = [_quiz_entry(course, quiz) for quiz in course.activities_of(model.Quiz)]
    checklists = [
        {"id": checklist.id, "items": len(checklist.items)}
        for checklist in course.activities_of(model.Checklist)
    ]
    # What decoding depends on; passing scores and points are read afresh, so may change.
    positions = [
        [page.url for page in site.activity_pages],
        [[quiz["id"], quiz["questions"]] for quiz in quizzes],
        checklists,
    ]
    digest = hashlib.sha256(json.dumps(positions, sort_keys=True, ensure_ascii=False).encode())
    layout = _base36(int(digest.hexdigest(), 16) % 36**4).rjust(4, "0")
    return {
        "layout": layout,
        "passing": course.passing_score,
        "quizzes": quizzes,
        "checklists": checklists,
        # Levels as the learner reads them, for the readable copy of their ticks (not part
        # of the layout: rewording a level changes no position).
        "levels": [checklist.scale for checklist in course.activities_of(model.Checklist)],
        "strings": {key: Interface(course.language)(key) for key in RUNTIME_STRINGS},
    }


def _quiz_entry(course: model.Course, quiz: model.Quiz) -> dict:
    passing = quiz.passing_score if quiz.passing_score is not None else course.passing_score
    return {
        "id": quiz.id,
        "graded": quiz.graded,
        "points": quiz.max_points,
        "passing": passing,
        "questions": [_question_entry(question) for question in quiz.questions],
    }


def _question_entry(question: model.Question) -> dict:
    entry: dict = {"type": question.type}
    if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
        entry["choices"] = len(question.choices)
    elif isinstance(question, model.Matching):
        entry["pairs"] = len(question.pairs)
        entry["options"] = shuffled_matches(question)
    elif isinstance(question, model.ShortAnswer):
        entry["answers"] = question.answers
        entry["caseSensitive"] = question.case_sensitive
    return entry


def map_script(data: dict) -> bytes:
    """The map as a script defining `window.CourseBridgeCourse` (loaded before scorm.js)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c")
    return f"window.CourseBridgeCourse={text};\n".encode()


def suspend_data_bound(data: dict, page_count: int) -> int:
    """The longest suspend_data the runtime can write for this course (every answer given,
    every wrong short answer as long and as exotic as possible, every checklist filled)."""
    visited = math.ceil(page_count / 6)
    quizzes = sum(
        QUIZ_ENTRY_HEAD + sum(map(_answer_bound, quiz["questions"])) for quiz in data["quizzes"]
    )
    checklists = sum(checklist["items"] for checklist in data["checklists"])
    separators = 3 + max(len(data["quizzes"]) - 1, 0) + max(len(data["checklists"]) - 1, 0)
    return HEADER + visited + quizzes + checklists + separators


def _answer_bound(question: dict) -> int:
    kind = question["type"]
    if kind == "multiple":
        return math.ceil(question["choices"] / 6)
    if kind == "matching":
        return question["pairs"]
    if kind == "short":
        return SHORT_TEXT_KEPT * ESCAPED_UNIT + 1
    return 1  # single, truefalse


def encoding_warnings(course: model.Course) -> list[str]:
    """Questions whose answers SCORM cannot record in full."""
    warnings = []
    for quiz in course.activities_of(model.Quiz):
        for question in quiz.questions:
            count = 0
            if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
                count = len(question.choices)
            elif isinstance(question, model.Matching):
                count = max(len(question.pairs), len(shuffled_matches(question)))
            if count > SINGLE_CHARACTER_INDEXES:
                warnings.append(
                    f"quiz '{quiz.id}', question '{question.id}': {count} choices; SCORM "
                    f"identifies at most {SINGLE_CHARACTER_INDEXES}, so answers beyond them "
                    "are neither reported nor restored; split the question"
                )
    return warnings


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text
