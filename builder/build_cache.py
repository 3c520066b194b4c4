"""The build cache: what a build reuses from the previous one, in DIST/.coursebridge-cache/.

Two levels, both keyed by content and by the tool's own files (its version, code, theme and
translations), so the folder is safe to delete and never serves another version's output:

- the build record: the key of the last build's sources, formats and SOURCE_DATE_EPOCH, and
  what its outputs looked like when written; when neither changed, `build` only repeats the
  last build's messages;
- rendered pages: each page's HTML under the hash of what it shows (its activity, and the
  course's outline that every page's navigation shows, see `course_outline`, hashed once per
  build by `outline_key`), so after an edit only the pages that show what changed are
  rendered again.

Outputs are byte-identical to a clean build's (tests compare them). Only the standard
library is imported here: an unchanged build imports nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from builder import __version__

CACHE_FOLDER = ".coursebridge-cache"
RECORD_FILE = "build.json"
RENDERS_FILE = "renders.json"
FORMAT = 1  # of the files above; another value is read as an empty cache


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The hash of this version of coursebridge's builder: every file of the package."""
    digest = hashlib.sha256(f"coursebridge {__version__} {FORMAT}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(*parts: object) -> str:
    """A content key: the tool's fingerprint and the parts' reprs (model objects are
    dataclasses, whose repr shows every field)."""
    digest = hashlib.sha256(tool_fingerprint().encode())
    for part in parts:
        digest.update(repr(part).encode() + b"\0")
    return digest.hexdigest()


# -- rendered pages --


@dataclass(frozen=True)
class Rendered:
    html: str
    assets: tuple[str, ...]  # course files the page names: packaged even when it is not rendered


class RenderCache:
    """Rendered pages by content key. Keeps what the current build used, so it never grows
    beyond one build's pages."""

    def __init__(self, previous: dict[str, Rendered] | None = None):
        self.previous = previous or {}
        self.current: dict[str, Rendered] = {}

    def get(self, key: str) -> Rendered | None:
        found = self.current.get(key) or self.previous.get(key)
        if found:
            self.current[key] = found
        return found

    def put(self, key: str, html: str, assets: set[str]) -> None:
        self.current[key] = Rendered(html, tuple(sorted(assets)))

    def next_build(self) -> None:
        """For a long-running process (preview): the next build reuses this one's pages."""
        self.previous, self.current = self.current, {}

    @classmethod
    def load(cls, dist: Path) -> RenderCache:
        data = _read_json(dist / CACHE_FOLDER / RENDERS_FILE)
        entries = data.get("pages", {}) if data.get("tool") == tool_fingerprint() else {}
        return cls({key: Rendered(html, tuple(assets)) for key, (html, assets) in entries.items()})

    def save(self, dist: Path) -> None:
        pages = {key: [found.html, list(found.assets)] for key, found in sorted(self.current.items())}
        _write_json(dist / CACHE_FOLDER / RENDERS_FILE, {"tool": tool_fingerprint(), "pages": pages})


def attach(course, cache: RenderCache) -> None:
    """Renderers of `course` take and put their pages in `cache`."""
    course.shared_renders["cache"] = cache


def cache_of(course) -> RenderCache:
    """The cache attached to `course`, or one for this build only."""
    return course.shared_renders.setdefault("cache", RenderCache())


def outline_key(course) -> str:
    """The hash of the course's outline, computed once per build: every page's key includes
    it, and the outline grows with the course, so hashing it for each page would make a
    build's time grow with the square of the course's size."""
    if "outline" not in course.shared_renders:
        course.shared_renders["outline"] = fingerprint(course_outline(course))
    return course.shared_renders["outline"]


def course_outline(course) -> str:
    """Everything of the course but its activities' content, which only their own pages show:
    the metadata, glossary and bibliography, days and sequences, each activity's type, id and
    title (the programme, the table of contents and the pager show them)."""
    days = []
    for day in course.days:
        sequences = [
            (_fields(sequence, "activities"), [(a.type, a.id, a.title) for a in sequence.activities])
            for sequence in day.sequences
        ]
        days.append((_fields(day, "sequences"), sequences))
    return repr((_fields(course, "days"), days))


def _fields(thing, skipped: str) -> list:
    return [(f.name, getattr(thing, f.name)) for f in dataclasses.fields(thing)
            if f.repr and f.name != skipped]  # fmt: skip


# -- the build record --


class BuildRecord:
    """The last successful build of a folder: its key, its outputs' files and its messages."""

    def __init__(self, dist: Path):
        self.dist = dist
        self.path = dist / CACHE_FOLDER / RECORD_FILE

    def key(self, course_folder: Path, formats: list[str]) -> str | None:
        """Hash of the tool, the formats, SOURCE_DATE_EPOCH, the paths as given (the messages
        name them) and every file of the course folder (but the build folder, when inside)."""
        digest = hashlib.sha256(tool_fingerprint().encode())
        given = [formats, os.environ.get("SOURCE_DATE_EPOCH", ""), str(course_folder), str(self.dist)]
        digest.update(json.dumps(given).encode())
        skipped = self.dist.resolve()
        try:
            for path in sorted(course_folder.rglob("*")):
                if path.is_file() and skipped not in path.resolve().parents:
                    digest.update(b"\0" + path.relative_to(course_folder).as_posix().encode())
                    digest.update(b"\0" + path.read_bytes())
        except OSError:  # unreadable: no key, so the build runs and its loader says what is wrong
            return None
        return digest.hexdigest()

    def replay(self, key: str) -> dict | None:
        """The last build's `messages` (as [stream, text]) and its count of `problems`, when
        it had this key and its outputs are still as it wrote them; otherwise None."""
        data = _read_json(self.path)
        if data.get("key") != key:
            return None
        if any(_signature(self.dist / name) != files for name, files in data["outputs"].items()):
            return None
        return data

    def save(self, key: str, outputs: list[Path], messages: list[tuple[str, str]],
             problems: int) -> None:  # fmt: skip
        signatures = {path.name: _signature(path) for path in outputs}
        _write_json(self.path, {"key": key, "outputs": signatures, "messages": messages,
                                "problems": problems})  # fmt: skip


def _signature(output: Path) -> list:
    """Each file of an output (a file or a folder) with its size and modification time."""
    files = sorted(output.rglob("*")) if output.is_dir() else [output]
    try:
        return [[path.relative_to(output.parent).as_posix(), path.stat().st_size,
                 path.stat().st_mtime_ns] for path in files if not path.is_dir()]  # fmt: skip
    except OSError:  # deleted meanwhile
        return []


def _read_json(path: Path) -> dict:
    """The file's object; an empty one when it is missing, unreadable or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def _write_json(path: Path, data: dict) -> None:
    """Written beside, then swapped in: a killed build leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False,
                                     prefix=f".{path.name}-") as scratch:  # fmt: skip
        json.dump({"format": FORMAT, **data}, scratch, ensure_ascii=False)
    os.replace(scratch.name, path)
