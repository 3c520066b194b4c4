"""Formats built in a forked copy of the build's process while the build goes on.

The printed documents take seconds of WeasyPrint each, the rest of a build about one: when a
build has more than one format, each exporter that asks for it (`Exporter.own_process`) builds
in a child of its own, on another core. The child does exactly what the build would have done
(same course, same exporter, writing into the same folder, atomically), so the outputs are
the same bytes; the build collects each result in its turn, so its messages come in the same
order too.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from pathlib import Path

from builder.errors import UserError
from builder.exporters.base import BuildResult, Exporter
from builder.model import Course


class BackgroundBuild:
    """`exporter.build(course, dist)` in a forked child; `result()` waits for it."""

    def __init__(self, exporter: Exporter, course: Course, dist: Path):
        self.name = exporter.name
        reader, writer = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(reader)
            _build_and_exit(writer, exporter, course, dist)
        os.close(writer)  # so the reader sees the end when the child exits
        self.reader = os.fdopen(reader, "rb")
        self.done = False

    def result(self) -> BuildResult:
        """The child's BuildResult, or what it raised, raised here."""
        try:
            result, error = pickle.load(self.reader)
        except EOFError:  # killed before it could answer (out of memory, a signal)
            result, error = None, UserError(
                f"the {self.name} build stopped without finishing (its process was killed); "
                f"try again, or build it alone: -f {self.name}"
            )
        finally:
            self._end()
        if error is not None:
            raise error
        return result

    def stop(self) -> None:
        """Interrupt the child, if not collected yet (the build failed): it cleans up, as an
        interrupted build does, and exits."""
        if not self.done:
            try:
                os.kill(self.pid, signal.SIGINT)
            except ProcessLookupError:
                pass
            self._end()

    def _end(self) -> None:
        self.reader.close()
        os.waitpid(self.pid, 0)
        self.done = True


def start_in_background(course: Course, dist: Path, exporters: list[Exporter]) -> dict[str, BackgroundBuild]:
    """The exporters of this build that want a process of their own, each started in one, by
    name; none when the build has only one format (nothing to do meanwhile), or when this
    process cannot fork safely (no fork on this platform, or other threads running, as in a
    preview server)."""
    if len(exporters) < 2 or not fork_is_safe():
        return {}
    return {exporter.name: BackgroundBuild(exporter, course, dist)
            for exporter in exporters if exporter.own_process}  # fmt: skip


def fork_is_safe() -> bool:
    """Whether this process may fork a child that does its work: only where fork exists, and
    only while no other thread runs (the child would get none of them, and any lock one held
    stays held in the child: a preview server's, a browser driver's)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def _build_and_exit(writer: int, exporter: Exporter, course: Course, dist: Path) -> None:
    """In the child: build, send the outcome, and exit without running the parent's code that
    follows the fork (the rest of its build, its exit handlers)."""
    status = 1
    try:
        try:
            outcome = (exporter.build(course, dist), None)
        except BaseException as error:  # an interrupt too: the parent reports it
            outcome = (None, error)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # from here on, only answering is left
        try:
            message = pickle.dumps(outcome)
        except Exception as error:  # what does not pickle goes back as text
            sent = outcome[1] if outcome[1] is not None else outcome[0]
            message = pickle.dumps((None, RuntimeError(f"{exporter.name}: {sent!r} ({error})")))
        with os.fdopen(writer, "wb") as pipe:
            pipe.write(message)
        status = 0
    finally:
        os._exit(status)
