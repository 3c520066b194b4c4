"""Watching a course folder: inotify on Linux and polling elsewhere both notice every kind of
change, a burst of events is one wake-up, and interrupting ends the wait."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from builder import watch
from builder.watch import InotifyWatcher, PollingWatcher, WatchLost

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="inotify is Linux's")
WATCHERS = [pytest.param("inotify", marks=linux_only), "polling"]


class Waiting:
    """`watcher.wait()` in a thread, once: `woke` is set when it returns."""

    started: list[threading.Thread] = []  # joined before their watcher is closed

    def __init__(self, watcher):
        self.watcher = watcher
        self.result: list[bool] = []
        self.woke = threading.Event()
        self.started.append(threading.Thread(target=self._wait, daemon=True))
        self.started[-1].start()

    def _wait(self) -> None:
        self.result.append(self.watcher.wait())
        self.woke.set()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page.md").write_text("# Page\n", encoding="utf-8")
    return tmp_path


def watching(made):
    yield made
    made.interrupt()  # ends the waits still under way
    while Waiting.started:
        Waiting.started.pop().join(5)
    made.close()


@pytest.fixture(params=WATCHERS)
def watcher(request, folder: Path):
    yield from watching(InotifyWatcher(folder) if request.param == "inotify" else PollingWatcher(0.05))


@pytest.fixture
def inotify(folder: Path):
    yield from watching(InotifyWatcher(folder))


def edit(folder: Path) -> None:
    (folder / "pages" / "page.md").write_text("# Page modifiée\n", encoding="utf-8")


def make_folder_and_file(folder: Path) -> None:
    (folder / "images" / "new").mkdir(parents=True)
    (folder / "images" / "new" / "photo.png").write_bytes(b"\x89PNG")


def remove(folder: Path) -> None:
    (folder / "pages" / "page.md").unlink()


def rename(folder: Path) -> None:  # as editors save: a copy written, then renamed over
    (folder / "pages" / ".page.md.tmp").write_text("# Page\n\nNouvelle.\n", encoding="utf-8")
    os.replace(folder / "pages" / ".page.md.tmp", folder / "pages" / "page.md")


@pytest.mark.parametrize("change", [edit, make_folder_and_file, remove, rename])
def test_a_change_wakes_the_watcher(watcher, change, folder: Path):
    before = watch.source_snapshot(folder)
    waiting = Waiting(watcher)
    change(folder)
    assert waiting.woke.wait(5) and waiting.result == [True]
    assert watch.source_snapshot(folder) != before


@linux_only
def test_inotify_waits_for_a_change_then_for_quiet(inotify, folder: Path):
    waiting = Waiting(inotify)
    assert not waiting.woke.wait(0.3)  # nothing changed: it keeps waiting
    started = time.monotonic()
    edit(folder)
    assert waiting.woke.wait(5)
    assert time.monotonic() - started >= watch.SETTLE_SECONDS


@linux_only
def test_inotify_watches_folders_created_after_it_started(inotify, folder: Path):
    waiting = Waiting(inotify)
    (folder / "annexes").mkdir()
    assert waiting.woke.wait(5)
    waiting = Waiting(inotify)
    (folder / "annexes" / "fiche.md").write_text("# Fiche\n", encoding="utf-8")
    assert waiting.woke.wait(5) and waiting.result == [True]


@linux_only
def test_a_burst_of_writes_is_one_wake_up(inotify, folder: Path, monkeypatch):
    monkeypatch.setattr(watch, "SETTLE_SECONDS", 0.5)  # a busy machine may pause the writes
    monkeypatch.setattr(watch, "SETTLE_LIMIT", 5)
    waiting = Waiting(inotify)
    for number in range(10):
        (folder / "pages" / "page.md").write_text(f"# Version {number}\n", encoding="utf-8")
    assert waiting.woke.wait(5)
    waiting = Waiting(inotify)  # the burst's events were all read by the first wait
    assert not waiting.woke.wait(0.3)


def test_interrupting_ends_the_wait(watcher):
    def wait_until_interrupted() -> None:
        while watcher.wait():
            pass

    waiting = threading.Thread(target=wait_until_interrupted)
    waiting.start()
    time.sleep(0.2)
    assert waiting.is_alive()
    watcher.interrupt()
    waiting.join(5)
    assert not waiting.is_alive()


@linux_only
def test_the_folder_moved_away_is_a_lost_watch(folder: Path, tmp_path_factory):
    watched = folder / "cours"
    watched.mkdir()
    watcher = InotifyWatcher(watched)
    try:
        watched.rename(tmp_path_factory.mktemp("ailleurs") / "cours")
        with pytest.raises(WatchLost, match="moved or deleted"):
            while watcher.wait():
                pass
    finally:
        watcher.close()


@linux_only
def test_no_watch_left_is_a_lost_watch(folder: Path, monkeypatch):
    import ctypes
    import errno

    class FullLibc:  # as when fs.inotify.max_user_watches is reached
        def __init__(self, real):
            self.inotify_init1 = real.inotify_init1

        def inotify_add_watch(self, *args):
            ctypes.set_errno(errno.ENOSPC)
            return -1

    real = ctypes.CDLL(None, use_errno=True)
    monkeypatch.setattr(watch.ctypes, "CDLL", lambda *args, **kwargs: FullLibc(real))
    with pytest.raises(WatchLost, match="max_user_watches"):
        InotifyWatcher(folder)
