"""The files apply writes: its journal and the generated passwords.

Both are opened before the first call to Moodle, so a bad path is one line naming its option
rather than an error once Moodle has changed. The passwords file must stay private: it is created
mode 600, never opened through a symbolic link, and refused when others may read it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import TextIO

from builder.errors import UserError


def open_for_append(path: Path, option: str, *, private: bool = False) -> TextIO:
    """`path` opened to append text; UserError naming `option` when it cannot be, or is not private enough."""
    # O_NONBLOCK: a FIFO without a reader fails at once instead of hanging; regular files ignore it.
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NONBLOCK | (os.O_NOFOLLOW if private else 0)
    try:
        fd = os.open(path, flags, 0o600 if private else 0o666)
    except OSError as error:
        raise UserError(f"{option} {path}: {_cannot_open(error, path)}") from None
    mode = os.fstat(fd).st_mode
    problem = None
    if not stat.S_ISREG(mode):
        problem = "is not a regular file; give the path of a file"
    elif private and mode & (stat.S_IRWXG | stat.S_IRWXO):
        problem = f"others may read it (mode {stat.S_IMODE(mode):o}); run `chmod 600 {path}` or give a new file"
    if problem:
        os.close(fd)
        raise UserError(f"{option} {path}: {problem}")
    return open(fd, "a", encoding="utf-8")


def _cannot_open(error: OSError, path: Path) -> str:
    if error.errno == errno.EISDIR:
        return "is a folder; give the path of a file"
    if error.errno == errno.ELOOP:
        return "is a symbolic link; give the path of the file itself"
    if error.errno == errno.ENOENT and not path.parent.is_dir():
        return f"there is no folder {path.parent}; create it or give another path"
    return f"cannot write it ({error.strerror}); give a path in a folder you can write"


class PasswordsFile:
    """Generated passwords as `username,password` lines, each on disk before the call that creates its user.

    A creation that fails leaves its line; the next run writes a new one, so a user's last line is the one in force.
    """

    def __init__(self, path: Path):
        self.path = path
        self._file = open_for_append(path, "--passwords-file", private=True)

    def write(self, username: str, password: str) -> None:
        self._file.write(f"{username},{password}\n")
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PasswordsFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
