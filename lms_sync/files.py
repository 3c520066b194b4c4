"""The files apply writes, such as its journal.

They are opened before the first call to Moodle, so a bad path is one line naming its option
rather than an error once Moodle has changed.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TextIO

from builder.errors import UserError


def open_for_append(path: Path, option: str) -> TextIO:
    """`path` opened to append text; UserError naming `option` when it cannot be."""
    # O_NONBLOCK: a FIFO without a reader fails at once instead of hanging; regular files ignore it.
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as error:
        raise UserError(f"{option} {path}: {_cannot_open(error, path)}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UserError(f"{option} {path}: is not a regular file; give the path of a file")
    return open(fd, "a", encoding="utf-8")


def _cannot_open(error: OSError, path: Path) -> str:
    if error.errno == errno.EISDIR:
        return "is a folder; give the path of a file"
    if error.errno == errno.ENOENT and not path.parent.is_dir():
        return f"there is no folder {path.parent}; create it or give another path"
    return f"cannot write it ({error.strerror}); give a path in a folder you can write"

