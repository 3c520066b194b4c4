"""Benchmark: build the flagship course in every registered format.

For each format: the build time, the output's size, and for zip packages the ratio of our
archive to `zip -r -X` of the same tree (size, and time of our whole build against zip's
archiving alone). A size ratio near 1 means our deterministic archive costs nothing.
Run: python bench/bench_build.py [COURSE_FOLDER]   (needs `zip`: apt-get install zip)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from builder.exporters import EXPORTERS, get_exporter
from builder.loader import load_course

FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"


def zip_reference(package: Path, scratch: Path) -> tuple[float, int]:
    """Seconds and bytes of `zip -r -X` run on the package's own extracted tree."""
    tree = scratch / f"{package.name}.tree"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tree)
    reference = scratch / f"{package.name}.reference.zip"
    started = time.perf_counter()
    subprocess.run(["zip", "-r", "-X", "-q", str(reference), "."], cwd=tree, check=True)
    return time.perf_counter() - started, reference.stat().st_size


def size_of(output: Path) -> int:
    if output.is_dir():
        return sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    return output.stat().st_size


def main(folder: Path) -> None:
    if not shutil.which("zip"):
        raise SystemExit("zip is needed for the reference ratios: apt-get install zip")
    course = load_course(folder)
    print(f"{course.id} {course.version}: {sum(1 for _ in course.activities())} activities")
    print(f"{'format':10} {'seconds':>8} {'size':>10}  vs zip -r -X")
    with tempfile.TemporaryDirectory() as scratch:
        for name in EXPORTERS:
            started = time.perf_counter()
            output = get_exporter(name).build(course, Path(scratch) / "dist").output
            seconds = time.perf_counter() - started
            size = size_of(output)
            comparison = "(not a zip)"
            if zipfile.is_zipfile(output):
                zip_seconds, zip_size = zip_reference(output, Path(scratch))
                comparison = (
                    f"size {size / zip_size:.3f}x, time {seconds / zip_seconds:.1f}x "
                    f"(zip: {zip_size / 1024:.0f} KiB in {zip_seconds:.3f} s)"
                )
            print(f"{name:10} {seconds:8.3f} {size / 1024:8.0f} KiB  {comparison}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FLAGSHIP)
