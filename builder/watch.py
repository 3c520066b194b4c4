"""Noticing that a course folder changed, for `coursebridge preview`.

On Linux the kernel says so at once (inotify, through ctypes: no dependency); elsewhere, or
with `--poll` (network and shared folders, whose changes the kernel does not see), the
folder is looked at every 0.1 s. Either way a watcher only says that something may have
changed: the preview compares `source_snapshot`s to know whether it did, so a spurious event
costs one look at the folder and an event lost to a full queue still ends in a rebuild.
"""

from __future__ import annotations

import ctypes
import errno
import os
import select
import stat
import struct
import threading
import time
from pathlib import Path

POLL_SECONDS = 0.1
# A save is often several events (truncate, write, close; or write a copy, rename, delete
# the backup): the watcher waits until the folder has been quiet this long, so one save is
# one rebuild of complete files, and no longer than SETTLE_LIMIT, so constant writing
# still rebuilds.
SETTLE_SECONDS = 0.02
SETTLE_LIMIT = 0.25

# <sys/inotify.h>
IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_ISDIR = 0x01000000, 0x40000000
WATCHED = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
           | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)  # fmt: skip
EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows


class WatchLost(Exception):
    """The kernel can no longer watch the folder (moved or deleted, or no watch left)."""


def source_snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Modification time and size of every file under `folder`."""
    snapshot = {}
    for path in folder.rglob("*"):
        if path.name.startswith("."):
            continue
        try:  # editors create and delete temporary files while we look
            status = path.stat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode):
            snapshot[str(path)] = (status.st_mtime_ns, status.st_size)
    return snapshot


class PollingWatcher:
    """Says every `seconds` that the folder may have changed."""

    description = f"looking at the files every {POLL_SECONDS} s"

    def __init__(self, seconds: float = POLL_SECONDS):
        self.seconds = seconds
        self._interrupted = threading.Event()

    def wait(self) -> bool:
        """True after `seconds`; False once `interrupt()` was called."""
        return not self._interrupted.wait(self.seconds)

    def interrupt(self) -> None:
        self._interrupted.set()

    def close(self) -> None:
        pass


class InotifyWatcher:
    """Linux inotify on every folder of the tree, those created later included."""

    description = "notified of changes by the system (inotify)"

    def __init__(self, root: Path):
        self._libc = ctypes.CDLL(None, use_errno=True)  # the C library Python runs on
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:  # the user's inotify instances are all in use
            raise WatchLost(f"no inotify instance left: {os.strerror(ctypes.get_errno())}")
        self._wake_reader, self._wake_writer = os.pipe()
        self._poll = select.poll()
        self._poll.register(self._fd, select.POLLIN)
        self._poll.register(self._wake_reader, select.POLLIN)
        self._root = root
        self._folders: dict[int, Path] = {}  # watch descriptor -> folder
        try:
            self._watch_tree(root)
        except WatchLost:
            self.close()
            raise
        self._root_watch = next(iter(self._folders))

    def wait(self) -> bool:
        """Block until something changed under the folder and it has been quiet for
        SETTLE_SECONDS (True), or until `interrupt()` (False). Raises WatchLost."""
        if not self._readable(None):
            return False
        settled_by = time.monotonic() + SETTLE_LIMIT
        while True:
            self._read_events()
            quiet = min(SETTLE_SECONDS, settled_by - time.monotonic())
            if quiet <= 0 or not self._readable(quiet):
                return not self._interrupted()

    def interrupt(self) -> None:
        os.write(self._wake_writer, b"x")

    def close(self) -> None:
        for fd in (self._fd, self._wake_reader, self._wake_writer):
            os.close(fd)

    def _readable(self, timeout: float | None) -> bool:
        """Whether events wait to be read (False once interrupted)."""
        ready = dict(self._poll.poll(None if timeout is None else timeout * 1000))
        return self._fd in ready and not self._interrupted()

    def _interrupted(self) -> bool:
        return bool(dict(self._poll.poll(0)).get(self._wake_reader))

    def _read_events(self) -> None:
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except BlockingIOError:
                return
            offset = 0
            while offset < len(data):
                watch, mask, _, length = EVENT.unpack_from(data, offset)
                name = data[offset + EVENT.size: offset + EVENT.size + length].rstrip(b"\0")
                offset += EVENT.size + length
                self._follow(watch, mask, os.fsdecode(name))

    def _follow(self, watch: int, mask: int, name: str) -> None:
        """Keep the watches on the tree as it is: new folders added, removed ones dropped."""
        if mask & IN_Q_OVERFLOW:  # events were lost: folders created meanwhile too
            self._watch_tree(self._root)
        elif watch == self._root_watch and mask & (IN_MOVE_SELF | IN_IGNORED):
            raise WatchLost(f"{self._root} was moved or deleted")
        elif mask & IN_IGNORED:
            self._folders.pop(watch, None)
        elif mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO) and watch in self._folders:
            self._watch_tree(self._folders[watch] / name)

    def _watch_tree(self, top: Path) -> None:
        for folder, _, _ in os.walk(top):
            path = os.fsencode(folder)
            watch = self._libc.inotify_add_watch(self._fd, path, WATCHED | IN_ONLYDIR)
            if watch >= 0:
                self._folders[watch] = Path(folder)
                continue
            error = ctypes.get_errno()
            if error == errno.ENOSPC:
                raise WatchLost("no inotify watch left (sysctl fs.inotify.max_user_watches)")
            if error not in (errno.ENOENT, errno.ENOTDIR) or folder == str(self._root):
                raise WatchLost(f"cannot watch {folder}: {os.strerror(error)}")
            # else it vanished while we looked: nothing to watch
