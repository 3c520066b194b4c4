"""Reading a zip that may be hostile: sizes and paths are checked from the central
directory before anything is decompressed, and every read is bounded."""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from pathlib import Path

from builder.package_check.findings import Report

MAX_ENTRIES = 20_000
MAX_TOTAL_SIZE = 2 * 1024**3  # uncompressed; Moodle's upload limits are far below
MAX_RATIO = 100  # compression ratio above which a large entry is a likely zip bomb
RATIO_CHECKED_FROM = 1024**2  # small entries may compress very well legitimately
MAX_XML_SIZE = 16 * 1024**2  # manifest and resource descriptors we parse
ENCRYPTED = 0x1  # general-purpose flag bit 0: the entry needs a password
JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")


class Archive:
    """A zip whose size and entry count are plausible. Its unsafe or encrypted entries are
    reported and listed in `refused`: they count as present, but are never read."""

    def __init__(self, path: Path, report: Report):
        self.report = report
        self.zip: zipfile.ZipFile | None = None
        self.names: set[str] = set()
        self.refused: set[str] = set()
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            report.error("zip", *_not_a_zip(path))
            return
        except OSError as error:
            report.error("zip", f"cannot read the file ({error.strerror})", "check its permissions")
            return
        entries = self.zip.infolist()
        if not self._is_plausible(entries):
            self.zip.close()
            self.zip = None
            return
        self.refused = {info.filename for info in entries if not self._entry_is_readable(info)}
        self._report_odd_entries(entries)
        self.names = {info.filename for info in entries if not info.is_dir()}

    @property
    def usable(self) -> bool:
        return self.zip is not None

    def close(self) -> None:
        if self.zip:
            self.zip.close()

    def _is_plausible(self, entries: list[zipfile.ZipInfo]) -> bool:
        """Refuse, whole, archives too large to be checked without exhausting the machine."""
        if len(entries) > MAX_ENTRIES:
            self.report.error(
                "zip",
                f"{len(entries)} entries (limit {MAX_ENTRIES})",
                "this is not a course package, or a damaged one",
            )
            return False
        total = sum(info.file_size for info in entries)
        if total > MAX_TOTAL_SIZE:
            self.report.error(
                "zip",
                f"expands to {total // 1024**2} MiB (limit "
                f"{MAX_TOTAL_SIZE // 1024**2} MiB): a zip bomb or a damaged archive",
                "do not upload it",
            )
            return False
        return True

    def _entry_is_readable(self, info: zipfile.ZipInfo) -> bool:
        """Report an entry that would escape the package's folder, exhaust the machine, or
        that needs a password."""
        where = f"zip: {info.filename}"
        readable = True
        if _unsafe_path(info.filename):
            self.report.error(
                where,
                "unsafe path (absolute, '..' or backslash)",
                "rebuild the zip with relative paths and '/' separators",
            )
            readable = False
        if stat.S_ISLNK(info.external_attr >> 16):
            self.report.error(where, "symbolic link", "replace it with the file it points to")
            readable = False
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            self.report.error(
                where,
                f"compression ratio above {MAX_RATIO}:1, a likely zip bomb",
                "do not upload it",
            )
            readable = False
        if info.flag_bits & ENCRYPTED:
            self.report.error(
                where,
                "encrypted",
                "LMSs cannot read encrypted entries: zip again without a password",
            )
            readable = False
        return readable

    def _report_odd_entries(self, entries: list[zipfile.ZipInfo]) -> None:
        """Duplicate entries are errors; operating-system junk is a warning."""
        seen: set[str] = set()
        for info in entries:
            name = info.filename
            where = f"zip: {name}"
            if name in seen:
                self.report.error(where, "appears twice in the zip", "rebuild the zip")
            seen.add(name)
            if JUNK.search(name):
                self.report.warning(
                    where,
                    "operating-system junk file",
                    "zip the package folder's contents without it",
                )

    def read(self, name: str, limit: int = MAX_XML_SIZE) -> bytes | None:
        """The entry's bytes, or None when it cannot be read safely (a refused entry has its
        finding already; the others get one here)."""
        if name in self.refused:
            return None
        info = self.zip.getinfo(name)
        if info.file_size > limit:
            self.report.error(
                f"zip: {name}",
                f"{info.file_size // 1024**2} MiB, too large to "
                f"check (limit {limit // 1024**2} MiB)",
                "reduce it",
            )
            return None
        try:
            with self.zip.open(info) as entry:
                data = entry.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            self.report.error(
                f"zip: {name}", f"damaged entry ({error})", "export the package again"
            )
            return None
        except NotImplementedError as error:
            self.report.error(
                f"zip: {name}",
                f"unreadable entry ({error})",
                "zip it again with the ordinary 'deflate' method",
            )
            return None
        if len(data) > limit:
            self.report.error(
                f"zip: {name}",
                "larger than the zip declares",
                "the archive is damaged or forged: do not upload it",
            )
            return None
        return data


def _unsafe_path(name: str) -> bool:
    return (
        name.startswith(("/", "\\"))
        or re.match(r"^[A-Za-z]:", name) is not None
        or "\\" in name
        or ".." in name.split("/")
    )


ACCEPTED = "check takes a SCORM package (.zip) or a Common Cartridge (.imscc), both zip archives"


def _not_a_zip(path: Path) -> tuple[str, str]:
    """What the file is instead, from its first bytes, and what to do with it."""
    with path.open("rb") as file:
        head = file.read(4096)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"PK"):
        return "a damaged zip archive", "export the package again"
    if text.startswith(b"<") and b"<quiz" in head:
        return (f"a Moodle XML question bank, not a package; {ACCEPTED}",
                "import it at More > Question banks > Import in the Moodle course")
    if text.startswith(b"<") and b"<manifest" in head:
        return (f"a manifest alone, not a package; {ACCEPTED}",
                "zip the package's folder, with imsmanifest.xml at the root of the zip")
    if head.startswith(b"%PDF"):
        return f"a PDF document, not a package; {ACCEPTED}", "give the package's .zip"
    if not head:
        return f"an empty file, not a package; {ACCEPTED}", "export the package again"
    return f"not a zip archive; {ACCEPTED}", "give the package's .zip, or export it again"
