"""A learner's progress read back from `cmi.suspend_data`, as the SCORM runtime wrote it.

The inverse of scorm.js's `encode` for what reports need: the activity pages visited, each
quiz's attempts and score, and each checklist's levels (docs/scorm.md, "suspend_data"). Quiz
answers are left alone: they reach the LMS as interactions. State saved under another layout
means other positions: it is not decoded rather than misread.
"""

from __future__ import annotations

from dataclasses import dataclass

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
FORMAT = "1"


@dataclass(frozen=True)
class QuizProgress:
    attempts: int
    score: int  # percent, as the runtime showed it for the last attempt


@dataclass(frozen=True)
class Progress:
    visited: tuple[str, ...]  # URLs of the activity pages visited, in course order
    quizzes: dict[str, QuizProgress]  # by quiz id, for quizzes submitted at least once


def decode_progress(suspend_data: str, course_map: dict, pages: list[str]) -> Progress | None:
    """`course_map` from scorm_map.course_map, `pages` the activity pages' URLs in order.
    None when the text was not written by this course's layout."""
    parts = _parts(suspend_data, course_map)
    if parts is None:
        return None
    visited = tuple(pages[i] for i in sorted(_unbits(parts[1])) if i < len(pages))
    quizzes = {}
    for quiz, entry in zip(course_map["quizzes"], parts[2].split(";")):
        if len(entry) >= 3 and entry[0] in B36:
            quizzes[quiz["id"]] = QuizProgress(B36.index(entry[0]), int(entry[1:3], 36))
    return Progress(visited, quizzes)


def decode_checklist_levels(suspend_data: str, course_map: dict) -> dict[str, list[int | None]]:
    """Levels by checklist id (None for an item not rated); empty when the text was not written
    by this course's layout."""
    parts = _parts(suspend_data, course_map)
    if parts is None:
        return {}
    levels = {}
    for checklist, text in zip(course_map["checklists"], parts[3].split(";")):
        text = text[: checklist["items"]]
        levels[checklist["id"]] = [B36.index(c) if c in B36 else None for c in text]
    return levels


def _parts(suspend_data: str, course_map: dict) -> list[str] | None:
    """Header, visited pages, quizzes and checklists, as scorm.js's `decode` splits them."""
    parts = suspend_data.split("|")
    if len(parts) != 4 or parts[0] != FORMAT + course_map["layout"]:
        return None
    return parts


def _unbits(text: str) -> set[int]:
    """Indexes set in a base64url bitset, 6 per character, lowest bit first."""
    return {at * 6 + bit for at, char in enumerate(text) if char in B64 for bit in range(6) if B64.index(char) >> bit & 1}
