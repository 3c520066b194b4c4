"""Browser fixtures shared by every browser test: Debian's chromium driven by Playwright,
and folders served over http on 127.0.0.1.

The browser is the system's (/usr/bin/chromium); nothing is ever downloaded. Tests using
these fixtures carry `@pytest.mark.browser`; they are skipped when chromium is missing.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course

from .lms_player import Lms

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BROWSER_TESTS = Path(__file__).parent
SCORM_AGAIN = BROWSER_TESTS / "node_modules" / "scorm-again" / "dist"


@pytest.fixture(scope="session")
def browser():
    """One headless chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page in its own context (no storage shared between tests)."""
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep test output clean
        pass


@pytest.fixture
def serve_folder() -> Iterator[Callable[[Path], str]]:
    """`serve_folder(path)` serves the folder on a free port of 127.0.0.1 and returns its
    base URL (ending with '/'); every server is shut down after the test."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def scorm_player(tmp_path: Path) -> Callable[[Path], Path]:
    """`scorm_player(package_folder)`: a folder with the test LMS player (player.html,
    scorm-again's Scorm12API and Scorm2004API) and the package under `package/`."""
    if not SCORM_AGAIN.exists():
        pytest.skip("scorm-again missing: run 'npm ci --prefix tests/browser'")

    def assemble(package: Path) -> Path:
        root = tmp_path / "player"
        root.mkdir()
        shutil.copy(BROWSER_TESTS / "player.html", root / "player.html")
        (root / "scorm-again").mkdir()
        for name in ("scorm12.min.js", "scorm2004.min.js"):
            shutil.copy(SCORM_AGAIN / name, root / "scorm-again" / name)
        shutil.copytree(package, root / "package")
        return root

    return assemble


@pytest.fixture
def lms(page, serve_folder, scorm_player, tmp_path):
    """`lms(course_folder, version)` builds the package and opens the test player."""

    def open_player(folder: Path, version: str) -> Lms:
        output = get_exporter(version).build(load_course(folder), tmp_path / "dist").output
        extracted = tmp_path / "package"
        with zipfile.ZipFile(output) as package:
            package.extractall(extracted)
            manifest = package.read("imsmanifest.xml")
        root = scorm_player(extracted)
        return Lms(page, serve_folder(root), version, manifest, root / "package")

    return open_player
