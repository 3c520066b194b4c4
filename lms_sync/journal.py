"""The journal: one JSON line per event of an apply, appended and flushed as it happens.

Lines: `start` (the plan's counts), `send` (a call about to carry these targets), `result` (each
target's outcome), `end` (the summary). A run killed mid-call leaves a `send` without `result`:
the next plan, read from Moodle, tells what is left. Never holds the token or a password.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from pathlib import Path

from lms_sync.files import open_for_append


class Journal:
    """Opened before anything is read from Moodle, so a bad path stops the run at once; a journal this
    run created and never wrote to (the run failed before its first step) is removed on closing."""

    def __init__(self, path: Path):
        self.path = path
        self.run = uuid.uuid4().hex[:12]
        self._created = not path.exists()
        self._written = False
        self._file = open_for_append(path, "--journal")

    def write(self, event: str, **fields) -> None:
        record = {"time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "run": self.run, "event": event, **fields}
        self._file.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._written = True

    def close(self) -> None:
        self._file.close()
        if self._created and not self._written:
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def default_journal_path(sync_file: Path) -> Path:
    return sync_file.with_name(f"{sync_file.stem}.journal.jsonl")
