"""The build cache: what a build reuses from the previous one, in DIST/.coursebridge-cache/.

Three levels, all keyed by content and by the tool as installed (its version, code, theme and
translations, and the versions of the libraries that shape its output), so the folder is safe
to delete and never serves another version's output:

- the build record: the key of the last build's sources, formats and SOURCE_DATE_EPOCH, and
  what its outputs looked like when written; when neither changed, `build` only repeats the
  last build's messages;
- rendered pages: each page's HTML under the hash of what it shows (its activity, and the
  course's outline that every page's navigation shows, see `course_outline`, hashed once per
  build by `outline_key`), so after an edit only the pages that show what changed are
  rendered again;
- printed documents: each document's last PDF, under the hash of everything its bytes depend
  on (`pdf_key`), so WeasyPrint runs only when what the document prints has changed.

Outputs are byte-identical to a clean build's (tests compare them). Only the standard
library is imported here: an unchanged build imports nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import os
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from builder import __version__

CACHE_FOLDER = ".coursebridge-cache"
RECORD_FILE = "build.json"
RENDERS_FILE = "renders.json"
PDF_FOLDER = "pdf"  # <document>/<key>.<hash of the PDF>.pdf
FORMAT = 1  # of the files above; another value is read as an empty cache


# The libraries whose versions shape what a build writes: templates, Markdown, sanitising,
# XML. An upgrade of one must not let a cached page or a build record outlive it.
SHAPING_LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "nh3", "lxml", "yaml")


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The hash of this coursebridge as installed: every file of the builder package, and the
    versions of the libraries that shape its output (`installed_packages`)."""
    digest = hashlib.sha256(f"coursebridge {__version__} {FORMAT}".encode())
    package = Path(__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(package).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    digest.update(json.dumps(installed_packages(SHAPING_LIBRARIES)).encode())
    return digest.hexdigest()


def installed_packages(modules: tuple[str, ...]) -> list[str]:
    """The distributions (name and version, from their .dist-info folders' names) installed
    where these modules are, found without importing them."""
    folders = set()
    for module in modules:
        spec = importlib.util.find_spec(module)
        if spec is not None and spec.origin is not None:
            folders.add(Path(spec.origin).parent.parent)
    return sorted(entry.name for folder in folders for entry in os.scandir(folder)
                  if entry.name.endswith(".dist-info"))  # fmt: skip


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

    def key(self, course_folder: Path, formats: list[str], verbose: bool) -> str | None:
        """Hash of the tool, the formats, SOURCE_DATE_EPOCH, the paths as given and --verbose
        (the messages show them) and every file of the course folder (but the build folder,
        when inside)."""
        digest = hashlib.sha256(tool_fingerprint().encode())
        given = [formats, os.environ.get("SOURCE_DATE_EPOCH", ""), str(course_folder),
                 str(self.dist), verbose]  # fmt: skip
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


# -- printed documents --


class PdfCache:
    """The last PDF of each printed document (by name: guide, workbook) built into `dist`,
    under its `pdf_key`; one per document, so it never holds more than the documents built.
    Without `dist` (--no-cache, or an exporter built outside `build`) it keeps nothing."""

    def __init__(self, dist: Path | None = None):
        self.folder = dist / CACHE_FOLDER / PDF_FOLDER if dist else None

    def get(self, document: str, key: str) -> bytes | None:
        """The PDF kept under `key`, if its bytes are still those written (the file is named
        after their hash too: a damaged or truncated file is laid out again, never shipped)."""
        if self.folder is None:
            return None
        for path in (self.folder / document).glob(f"{key}.*.pdf"):
            try:
                pdf = path.read_bytes()
            except OSError:
                return None
            return pdf if path.name == _pdf_name(key, pdf) else None
        return None

    def put(self, document: str, key: str, pdf: bytes) -> None:
        if self.folder is None:
            return
        folder = self.folder / document
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.pdf"):
            old.unlink(missing_ok=True)
        _replace_with(folder / _pdf_name(key, pdf), pdf)


def _pdf_name(key: str, pdf: bytes) -> str:
    return f"{key}.{hashlib.sha256(pdf).hexdigest()[:32]}.pdf"


def attach_pdfs(course, cache: PdfCache) -> None:
    course.shared_renders["pdf cache"] = cache


def pdf_cache_of(course) -> PdfCache:
    """The PDF cache attached to `course`, or one that keeps nothing."""
    return course.shared_renders.get("pdf cache") or PdfCache()


def pdf_key(html: str, files: dict[str, bytes]) -> str:
    """What a PDF's bytes depend on: the HTML, the files it loads (path -> content: its
    stylesheet, its images), SOURCE_DATE_EPOCH (its creation date), this coursebridge and the
    engine (`engine_fingerprint`)."""
    digest = hashlib.sha256(f"{tool_fingerprint()} {engine_fingerprint()}".encode())
    digest.update(b"\0" + os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    digest.update(b"\0" + html.encode())
    for path, content in sorted(files.items()):
        digest.update(b"\0" + path.encode() + b"\0" + content)
    return digest.hexdigest()


# Where fontconfig finds its configuration and fonts (Linux, macOS), and the system libraries
# that shape, break and subset text for WeasyPrint.
FONT_FOLDERS = ("/etc/fonts", "/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts",
                "~/.local/share/fonts", "~/.config/fontconfig", "/Library/Fonts",
                "~/Library/Fonts", "/System/Library/Fonts")  # fmt: skip
TEXT_LIBRARIES = ("libpango", "libharfbuzz", "libfontconfig", "libfreetype", "libfribidi")


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """The PDF engine as installed, without importing it: the names and versions of the
    Python packages installed beside WeasyPrint, and the size and modification time of every
    font and fontconfig file and of the text libraries (a font installed, a library upgraded:
    the next build lays the documents out again)."""
    packages = installed_packages(("weasyprint",))
    if not packages:
        return "no engine"  # html_to_pdf says what to install
    fonts = [_signature(Path(folder).expanduser()) for folder in FONT_FOLDERS]
    libraries = sorted(_signature(Path(entry.path)) for folder in _library_folders()
                       for entry in os.scandir(folder) if entry.name.startswith(TEXT_LIBRARIES))  # fmt: skip
    return hashlib.sha256(json.dumps([packages, fonts, libraries]).encode()).hexdigest()


def _library_folders() -> list[str]:
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    folders = [f"/usr/lib/{multiarch}", "/usr/lib", "/usr/lib64", "/usr/local/lib",
               "/opt/homebrew/lib", f"{sys.prefix}/lib"]  # fmt: skip
    return [folder for folder in dict.fromkeys(folders) if os.path.isdir(folder)]


def _read_json(path: Path) -> dict:
    """The file's object; an empty one when it is missing, unreadable or not ours."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("format") == FORMAT else {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _replace_with(path, json.dumps({"format": FORMAT, **data}, ensure_ascii=False).encode())


def _replace_with(path: Path, content: bytes) -> None:
    """Written beside, then swapped in: a killed build leaves the old file or the new one."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=f".{path.name}-") as scratch:
        scratch.write(content)
    os.replace(scratch.name, path)
