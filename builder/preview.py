"""`coursebridge preview`: serve the web build, rebuild when a source changes, show the new page.

The folder is watched (builder/watch.py: inotify on Linux, else polling); a rebuild loads the
course again (composing again only the YAML files whose text changed), renders again only
the pages that show what changed (builder/build_cache.py) and writes into the site folder
only the files whose bytes changed. The page open in the browser waits on the status
address (long polling), so it hears of a rebuild as soon as the files are written; it then
swaps in its new main text and table of contents, or reloads when more than that changed
(an image, the page's frame). A failed rebuild keeps the last good site online and shows
the problems in the terminal and on the page.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs

from builder.build_cache import RenderCache, attach
from builder.errors import CourseError, UserError
from builder.exporters.web import WebExporter
from builder.loader import load_course
from builder.loader.sources import ComposedFiles
from builder.watch import InotifyWatcher, PollingWatcher, WatchLost, source_snapshot

STATUS_PATH = "/__coursebridge__/status"
WAIT_SECONDS = 20  # a status request waiting for a change answers after this at the latest
RELOAD_SCRIPT = """<script id="coursebridge-reload">
(function () {
  var generation = %d;
  function show(problems) {
    var box = document.getElementById("coursebridge-problems");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "coursebridge-problems";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;left:0;right:0;bottom:0;max-height:40vh;overflow:auto;" +
        "background:#fff0f0;color:#6b0000;border-top:3px solid #a4262c;padding:1rem;z-index:99;" +
        "font:0.9rem/1.4 monospace;white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = problems.join("\\n");
  }
  // The page but its title, main text and table of contents, as served (this script runs
  // before any other changes the page): a new version with the same frame is swapped in.
  function frame(page) {
    var copy = page.documentElement.cloneNode(true), script = copy.querySelector("#coursebridge-reload");
    if (!script || !copy.querySelector("#main") || !copy.querySelector("#toc")) return null;
    while (script.nextSibling) script.nextSibling.remove();
    script.remove();
    copy.querySelectorAll("title").forEach(function (title) { title.remove(); });
    copy.querySelectorAll("#main, #toc").forEach(function (part) { part.replaceChildren(); });
    return copy.outerHTML;
  }
  var served = frame(document);
  // A new build: its version of this page swapped in (no request but the page, the scripts
  // kept running), or the page reloaded when a file other than a page changed since this
  // one was served, when the frame differs, or when anything fails.
  function update(s) {
    if (s.assets > generation || served === null || !window.CourseBridge) { location.reload(); return; }
    fetch(location.href, {cache: "no-store"}).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (text) {
      var incoming = new DOMParser().parseFromString(text, "text/html");
      if (frame(incoming) !== served) throw new Error("another frame");
      ["main", "toc"].forEach(function (id) {
        document.getElementById(id).innerHTML = incoming.getElementById(id).innerHTML;
      });
      document.title = incoming.title;
      generation = s.generation;
      window.CourseBridge.enterPage();
      show(s.problems);
      poll(s.problems.length);
    }).catch(function () { location.reload(); });
  }
  // The server answers at once when its state differs from the one given, else when it
  // changes (or after WAIT_SECONDS): the page updates as soon as a rebuild is done.
  function poll(problems) {
    var query = problems === null ? "" : "?generation=" + generation + "&problems=" + problems;
    fetch("%s" + query, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
      if (s.generation !== generation) { update(s); return; }
      show(s.problems);
      poll(s.problems.length);
    }).catch(function () { setTimeout(function () { poll(null); }, 2000); });
  }
  poll(null);
})();
</script>"""


@dataclass
class PreviewState:
    """What the server shows: the last good build, and the problems of the last attempt."""

    site: Path | None = None
    generation: int = 0
    assets: int = 0  # the last generation that changed a file other than a page: pages reload
    problems: list[str] = field(default_factory=list)
    attempts: int = 0  # builds finished, good or failed
    closing: bool = False  # the server stops: waiting pages are answered
    lock: threading.Condition = field(default_factory=threading.Condition)  # notified by each

    def wait_for_change(self, generation: int, problems: int) -> None:
        """Until the state differs from `generation` with that many `problems`, or the next
        build is done, or the server stops, at most WAIT_SECONDS; called holding the lock."""
        attempts = self.attempts
        self.lock.wait_for(
            lambda: self.attempts != attempts or self.closing
            or (self.generation, len(self.problems)) != (generation, problems),
            WAIT_SECONDS,
        )

    def finished(self) -> None:
        """A build is done: wake the pages waiting for it. Called holding the lock."""
        self.attempts += 1
        self.lock.notify_all()


class PreviewBuilder:
    """Builds the web site into `scratch`/site, again and again, reusing what it can."""

    def __init__(self, course_folder: Path, scratch: Path, report: Callable[[str], None]):
        self.course_folder = course_folder
        self.site = scratch / "site"
        self.report = report
        self.state = PreviewState()
        self.cache = RenderCache()  # the pages of the last build, for the next one
        self.composed = ComposedFiles()  # the YAML files of the last load, for the next one
        self.written: dict[str, bytes] = {}  # the site folder's files, as last written
        self.stages: dict[str, float] = {}  # the last good rebuild's, see `rebuild`

    def rebuild(self) -> None:
        """Load, render and write the site; if it succeeds, `stages` holds when each stage ended
        (time.perf_counter(): "started", "loaded", "rendered", "shown": the pages waiting
        are answered) and the rebuild's CPU time ("cpu", this thread's)."""
        started_cpu = time.thread_time()
        stages = {"started": time.perf_counter()}
        try:
            changed = self._build(stages)
        except CourseError as error:
            self._failed([str(problem) for problem in error.problems])
            return
        except UserError as error:
            self._failed([f"error: {error}"])
            return
        except Exception as error:  # a bug of ours must not stop the server
            self._failed([f"internal error: {type(error).__name__}: {error} (please report it)"])
            return
        self._publish(changed)
        stages["shown"] = time.perf_counter()
        stages["cpu"] = time.thread_time() - started_cpu
        self.stages = stages
        seconds = stages["shown"] - stages["started"]
        self.report(f"built {self.course_folder} (generation {self.state.generation}, "
                    f"{len(changed)} file(s) changed) in {seconds:.2f} s")  # fmt: skip

    def _build(self, stages: dict[str, float]) -> list[str]:
        """The site written; the paths of the files written or removed."""
        course = load_course(self.course_folder, composed=self.composed)
        stages["loaded"] = time.perf_counter()
        attach(course, self.cache)
        files = WebExporter().files(course)
        stages["rendered"] = time.perf_counter()
        changed = write_changed(self.site, files, self.written)
        self.cache.next_build()
        return changed

    def _publish(self, changed: list[str]) -> None:
        """A new generation when a file changed (else the pages have nothing to show anew,
        as after a save without changes), and the pages waiting told."""
        with self.state.lock:
            if changed or self.state.site is None:
                self.state.generation += 1
            if any(not name.endswith(".html") for name in changed):
                self.state.assets = self.state.generation
            self.state.site, self.state.problems = self.site, []
            self.state.finished()

    def _failed(self, problems: list[str]) -> None:
        with self.state.lock:
            self.state.problems = problems
            self.state.finished()
        for line in problems:
            self.report(line)
        self.report(f"{len(problems)} problem(s); the last good version stays online")


def write_changed(folder: Path, files: dict[str, bytes], written: dict[str, bytes]) -> list[str]:
    """Make `folder`, which holds `written` (updated here), hold `files` instead (paths
    relative to it): only the files whose bytes differ are written, each replaced whole so
    that the server never sends half of one. Returns the paths written or removed."""
    changed = []
    try:
        for relative, content in sorted(files.items()):
            if written.get(relative) != content:
                path = folder / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                scratch = path.with_name(f".{path.name}.new")
                scratch.write_bytes(content)
                os.replace(scratch, path)
                written[relative] = content
                changed.append(relative)
        for relative in sorted(written.keys() - files.keys()):
            _remove(folder, relative)
            del written[relative]
            changed.append(relative)
    except OSError as error:
        raise UserError(f"cannot write the preview's site: {error.filename or folder}: "
                        f"{error.strerror or error}; check the space left in {folder.parent}")  # fmt: skip
    return changed


def _remove(folder: Path, relative: str) -> None:
    """The file, and the folders it leaves empty."""
    path = folder / relative
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == folder or any(parent.iterdir()):
            return
        parent.rmdir()


def _number(values: list[str]) -> int:
    return int(values[0]) if values[0].isdigit() else -1


class PreviewHandler(SimpleHTTPRequestHandler):
    state: PreviewState

    def __init__(self, *args, state: PreviewState, **kwargs):
        self.state = state
        with state.lock:
            directory = str(state.site) if state.site else tempfile.gettempdir()
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args) -> None:  # keep the terminal for build news
        pass

    def do_GET(self) -> None:
        if "\x00" in self.path or "%00" in self.path:
            self._send(HTTPStatus.BAD_REQUEST, "text/plain; charset=utf-8", b"bad request")
            return
        path, _, query = self.path.partition("?")
        if path == STATUS_PATH:
            known = parse_qs(query)
            with self.state.lock:
                if "generation" in known and "problems" in known:
                    self.state.wait_for_change(_number(known["generation"]), _number(known["problems"]))
                body = {"generation": self.state.generation, "assets": self.state.assets,
                        "problems": self.state.problems}  # fmt: skip
            self._send(HTTPStatus.OK, "application/json", json.dumps(body).encode())
            return
        if self.state.site is None:
            self._send_problems_page()
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        try:
            content = path.read_bytes()
        except OSError:  # no such file (or a folder): the standard answers
            super().do_GET()
            return
        if path.suffix == ".html":
            script = RELOAD_SCRIPT % (self.state.generation, STATUS_PATH)
            self._send(HTTPStatus.OK, "text/html; charset=utf-8",
                       content.decode().replace("</body>", script + "</body>").encode())
        else:
            self._send_file(path, content)

    def _send_file(self, path: Path, content: bytes) -> None:
        """With a tag of its bytes, to be checked at each use (`no-cache`): an image edited
        shows at once, one unchanged costs the browser no download."""
        tag = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
        unchanged = self.headers.get("If-None-Match") == tag
        self.send_response(HTTPStatus.NOT_MODIFIED if unchanged else HTTPStatus.OK)
        self.send_header("ETag", tag)
        self.send_header("Cache-Control", "no-cache")
        if unchanged:
            self.end_headers()
            return
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def _send_problems_page(self) -> None:
        with self.state.lock:
            problems = "\n".join(self.state.problems)
        page = (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Build failed</title>"
            f"<h1>The course has problems</h1><pre>{html.escape(problems)}</pre>"
            + RELOAD_SCRIPT % (self.state.generation, STATUS_PATH)
        )
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode())

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class PreviewHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A page closed while it waited for its status is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class PreviewServer:
    """Builds, serves on 127.0.0.1, and rebuilds on change until `stop()`; `poll` looks at
    the files every 0.1 s rather than waiting for the system to say they changed."""

    def __init__(self, course_folder: Path, port: int, report: Callable[[str], None] = print,
                 poll: bool = False):
        self.course_folder = course_folder
        self.report = report
        self.poll = poll
        self._scratch = Path(tempfile.mkdtemp(prefix="coursebridge-preview-"))
        self.builder = PreviewBuilder(course_folder, self._scratch, report)
        handler = partial(PreviewHandler, state=self.builder.state)
        try:
            self.httpd = PreviewHTTPServer(("127.0.0.1", port), handler)
        except OSError as error:
            shutil.rmtree(self._scratch, ignore_errors=True)
            raise UserError(f"cannot listen on 127.0.0.1:{port} ({error.strerror}); "
                            "choose another port with --port") from None
        self.watcher: InotifyWatcher | PollingWatcher | None = None
        self._watching: threading.Thread | None = None
        self._stopping = threading.Event()
        self._watcher_lock = threading.Lock()  # `stop` never interrupts a watcher being replaced

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        self.watcher = PollingWatcher()
        if not self.poll and sys.platform == "linux":
            try:
                self.watcher = InotifyWatcher(self.course_folder)
            except WatchLost as lost:
                self.report(f"{lost}; {self.watcher.description} instead")
        before_build = source_snapshot(self.course_folder)  # edits during the build count
        self.builder.rebuild()
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self._watching = threading.Thread(target=self._watch, args=(before_build,), daemon=True)
        self._watching.start()

    def _watch(self, seen: dict[str, tuple[int, int]]) -> None:
        while self._changed():
            current = source_snapshot(self.course_folder)
            if current != seen:
                seen = current
                self.builder.rebuild()

    def _changed(self) -> bool:
        """Whether the folder may have changed (False: stopping)."""
        try:
            return self.watcher.wait()
        except WatchLost as lost:
            with self._watcher_lock:
                if self._stopping.is_set():
                    return False
                self.watcher.close()
                self.watcher = PollingWatcher()
            self.report(f"{lost}; {self.watcher.description} from now on")
            return True

    def stop(self) -> None:
        with self._watcher_lock:
            self._stopping.set()
            if self.watcher:
                self.watcher.interrupt()
        if self._watching:
            self._watching.join()  # a rebuild under way ends first
        if self.watcher:
            self.watcher.close()
        with self.builder.state.lock:
            self.builder.state.closing = True
            self.builder.state.lock.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def serve_until_interrupted(self) -> None:
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()
