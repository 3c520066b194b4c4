"""Errors meant for the person running coursebridge, not for a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem the user can fix; the CLI prints it on one line and exits non-zero.

    Subclasses set `exit_code`. The message must say what is wrong and how to fix it.
    """

    exit_code = 1


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file, 1-based as editors show it."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One located problem: `file:line:col: path.in.document: what is wrong; what is expected`."""

    location: Location
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location.file else ""
        path = f"{self.path}: " if self.path else ""
        return f"{where}{path}{self.message}"


class CourseError(UserError):
    """The course sources are invalid; carries every problem found in one run."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.location, p.path, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))
