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
JUNK = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$)")


class Archive:
    """The entries of a zip whose central directory passed the safety checks."""

    def __init__(self, path: Path, report: Report):
        self.report = report
        self.zip: zipfile.ZipFile | None = None
        self.names: set[str] = set()
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            report.error("zip", "not a zip archive, or a damaged one", "export the package again")
            return
        except OSError as error:
            report.error("zip", f"cannot read the file ({error.strerror})", "check its permissions")
            return
        if not self._entries_are_safe(self.zip.infolist()):
            self.zip.close()
            self.zip = None
            return
        self.names = {info.filename for info in self.zip.infolist() if not info.is_dir()}

    @property
    def usable(self) -> bool:
        return self.zip is not None

    def close(self) -> None:
        if self.zip:
            self.zip.close()

    def _entries_are_safe(self, entries: list[zipfile.ZipInfo]) -> bool:
        """Refuse archives that would exhaust or escape; report, but keep, junk files."""
        report = self.report
        if len(entries) > MAX_ENTRIES:
            report.error(
                "zip",
                f"{len(entries)} entries (limit {MAX_ENTRIES})",
                "this is not a course package, or a damaged one",
            )
            return False
        total = sum(info.file_size for info in entries)
        if total > MAX_TOTAL_SIZE:
            report.error(
                "zip",
                f"expands to {total // 1024**2} MiB (limit "
                f"{MAX_TOTAL_SIZE // 1024**2} MiB): a zip bomb or a damaged archive",
                "do not upload it",
            )
            return False
        safe = True
        seen: set[str] = set()
        for info in entries:
            name = info.filename
            where = f"zip: {name}"
            if _unsafe_path(name):
                report.error(
                    where,
                    "unsafe path (absolute, '..' or backslash)",
                    "rebuild the zip with relative paths and '/' separators",
                )
                safe = False
            if stat.S_ISLNK(info.external_attr >> 16):
                report.error(where, "symbolic link", "replace it with the file it points to")
                safe = False
            if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                report.error(
                    where,
                    f"compression ratio above {MAX_RATIO}:1, a likely zip bomb",
                    "do not upload it",
                )
                safe = False
            if name in seen:
                report.error(where, "appears twice in the zip", "rebuild the zip")
            seen.add(name)
            if info.flag_bits & 0x1:
                report.error(
                    where,
                    "encrypted",
                    "LMSs cannot read encrypted entries: zip again without a password",
                )
            if JUNK.search(name):
                report.warning(
                    where,
                    "operating-system junk file",
                    "zip the package folder's contents without it",
                )
        return safe

    def read(self, name: str, limit: int = MAX_XML_SIZE) -> bytes | None:
        """The entry's bytes, or None (with a finding) when it cannot be read safely."""
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
        except (NotImplementedError, RuntimeError) as error:
            self.report.error(
                f"zip: {name}",
                f"unreadable entry ({error})",
                "zip it again with the ordinary 'deflate' method and no password",
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
