"""Errors meant for the person running coursebridge, not for a traceback."""

from __future__ import annotations

import re
from dataclasses import dataclass

# What would break a message's line or disguise it in a terminal: C0 and C1 controls (newline,
# tab, NUL, escape...), DEL, Unicode line separators and the bidirectional controls.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """`text` with each such character written as an escape (`\\n`, `\\x00`, `\\u202e`)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


class UserError(Exception):
    """A problem the user can fix; the CLI prints it on one line and exits non-zero.

    Subclasses set `exit_code`. The message must say what is wrong and how to fix it; whatever
    user text it quotes, it prints as one line.
    """

    exit_code = 1

    def __str__(self) -> str:
        return one_line(super().__str__())


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
        return one_line(f"{where}{path}{self.message}")


class CourseError(UserError):
    """The course sources are invalid; carries every problem found in one run."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.location, p.path, p.message))
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)  # one problem a line
