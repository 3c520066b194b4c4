"""`coursebridge check`: is a SCORM package or Common Cartridge (ours or another tool's)
safe to open, complete, valid, and fit for Moodle?

The zip is vetted from its central directory first: an archive too large to check is refused
whole; an unsafe entry (its path, a link, its compression ratio) or an encrypted one is
reported and never read, and the rest is checked. Only the manifest and the cartridge's XML descriptors are read, with
bounded reads and a parser that loads no DTD.
"""

from __future__ import annotations

from pathlib import Path

from builder.errors import UserError
from builder.package_check.archive import Archive
from builder.package_check.findings import Finding, Report
from builder.package_check.manifest import check_manifest


def require_package_file(path: Path) -> None:
    """Raise UserError unless `path` is a file that can be checked."""
    if path.is_dir():
        raise UserError(f"{path}: is a folder; zip its contents first, or give the package's .zip")
    if not path.is_file():
        raise UserError(f"{path}: no such file; give the path of a .zip (or .imscc) package")


def check_package(path: Path) -> Report:
    require_package_file(path)
    report = Report(path)
    archive = Archive(path, report)
    try:
        if archive.usable:
            check_manifest(archive, report)
    finally:
        archive.close()
    return report


__all__ = ["Finding", "Report", "check_package", "require_package_file"]
