"""Reproducible zip files: sorted entries, fixed timestamps and permissions.

The timestamp is SOURCE_DATE_EPOCH when set (https://reproducible-builds.org/specs/
source-date-epoch/), else a fixed date, so the same sources give byte-identical packages.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

from builder.errors import UserError

DEFAULT_EPOCH = 946684800  # 2000-01-01T00:00:00Z
ZIP_MINIMUM = dt.datetime(1980, 1, 1)


def build_timestamp() -> tuple[int, int, int, int, int, int]:
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    try:
        epoch = int(raw) if raw else DEFAULT_EPOCH
    except ValueError:
        raise UserError(
            f"SOURCE_DATE_EPOCH='{raw}' is not a number of seconds; unset it or give an integer"
        ) from None
    moment = max(dt.datetime.fromtimestamp(epoch, dt.UTC).replace(tzinfo=None), ZIP_MINIMUM)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def write_zip(path: Path, files: dict[str, bytes]) -> None:
    """Write `files` (archive path -> content) as a deterministic zip at `path`."""
    timestamp = build_timestamp()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, whatever the building machine
            archive.writestr(info, files[name], compresslevel=9)
