"""The one small interface every output format implements."""

from __future__ import annotations

import os
import shutil
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from builder.errors import UserError
from builder.model import Course


# Names a note lists before "and N more" (`build --verbose` shows them all).
NAMES_SHOWN = 10


class FormatNote(str):
    """A build message about the output format, not the course: what the format cannot carry
    and what to set by hand in the LMS. Shown as a note; `--strict` does not fail on it.
    The note is its whole text; `brief` is how `build` shows it unless asked for every name."""

    brief: str

    def __new__(cls, text: str, brief: str | None = None) -> FormatNote:
        note = super().__new__(cls, text)
        note.brief = text if brief is None else brief
        return note

    @classmethod
    def naming(cls, names: list[str], say: Callable[[str], str]) -> FormatNote:
        """The note `say(listed)` names `names` in: all of them, and in its brief the first
        few and how many more, so that a big course's notes stay readable."""
        brief = None
        if len(names) > NAMES_SHOWN + 1:  # "and 1 more" would save nothing
            hidden = len(names) - NAMES_SHOWN
            brief = say(f"{', '.join(names[:NAMES_SHOWN])} and {hidden} more (--verbose lists them)")
        return cls(say(", ".join(names)), brief)


@dataclass
class BuildResult:
    output: Path
    warnings: list[str] = field(default_factory=list)  # FormatNote entries are notes

    @property
    def problems(self) -> list[str]:
        """Warnings about the course itself, which its author can fix."""
        return [w for w in self.warnings if not isinstance(w, FormatNote)]


class Exporter(ABC):
    """One output format: `name` for --format, `build` writes `output_path` atomically."""

    name: ClassVar[str]
    description: ClassVar[str]
    # Slow enough (seconds) to build in a process of its own beside the rest of a build.
    own_process: ClassVar[bool] = False

    @abstractmethod
    def output_name(self, course: Course) -> str:
        """File or folder name of the output inside the build folder."""

    @abstractmethod
    def write(self, course: Course, target: Path, warnings: list[str]) -> None:
        """Write the output at `target` (a path that does not exist yet)."""

    def build(self, course: Course, dist: Path) -> BuildResult:
        """Write into a temporary sibling, then swap it in: a failed build loses nothing."""
        final = dist / self.output_name(course)
        warnings: list[str] = []
        try:
            dist.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=dist, prefix=f".{self.name}-") as scratch:
                staged = Path(scratch) / final.name
                self.write(course, staged, warnings)
                _replace(staged, final)
        except OSError as error:
            where = error.filename or dist
            raise UserError(
                f"cannot build the {self.name} output: {where}: {error.strerror or error}; "
                "check that the output folder (-o) is writable and the course's files readable"
            ) from None
        return BuildResult(final, warnings)


def _replace(staged: Path, final: Path) -> None:
    if final.is_dir() and not final.is_symlink():
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
        os.replace(staged, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staged, final)
