"""The first page of each learner-facing output: load time and bytes in Chromium.

    python bench/first_page.py

Each output of the flagship course is served on 127.0.0.1 and its index.html loaded five times
in Debian's chromium; the table gives the median load time (navigation start to the load event)
and the bytes of the page with everything it loads (the budget is 100 KB).
"""

from __future__ import annotations

import functools
import http.server
import statistics
import sys
import threading
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from builder.exporters import get_exporter  # noqa: E402
from builder.loader import load_course  # noqa: E402

FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"
RUNS = 5


def measure(browser, url: str) -> tuple[float, int]:
    times, sizes = [], []
    for _ in range(RUNS):
        context = browser.new_context()
        page = context.new_page()
        loaded: list[int] = []
        page.on("response", lambda response: loaded.append(len(response.body())))
        page.goto(url, wait_until="networkidle")
        times.append(page.evaluate(
            "performance.getEntriesByType('navigation')[0].loadEventEnd"))
        sizes.append(sum(loaded))
        context.close()
    return statistics.median(times), max(sizes)


def rows() -> list[list[str]]:
    from playwright.sync_api import sync_playwright

    course = load_course(FLAGSHIP)
    found = []
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for name in ("web", "scorm12", "scorm2004"):
            output = get_exporter(name).build(course, Path(scratch) / name).output
            if zipfile.is_zipfile(output):
                folder = Path(scratch) / f"{name}-tree"
                with zipfile.ZipFile(output) as archive:
                    archive.extractall(folder)
                output = folder
            url = _serve(output)
            milliseconds, size = measure(browser, url + "index.html")
            found.append([f"first page: {name}", f"{milliseconds / 1000:.3f}", "",
                          f"{size / 1024:.1f} KiB", f"{size / (100 * 1024):.0%} of the budget"])
        browser.close()
    return found


def _serve(folder: Path) -> str:
    """Serve `folder` on a free loopback port until the process ends; its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"


if __name__ == "__main__":
    for row in rows():
        print(" | ".join(row))
