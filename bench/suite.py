"""The benchmark suite: one table of times, peak memory and ratios.

    python bench/suite.py            # everything (a few minutes)
    python bench/suite.py --quick    # smaller sizes, for a first look

Rows:
- building the flagship course in each format, and in all formats together;
- a synthetic course at 1x, 10x and 100x the flagship's size, all formats (time and memory
  must grow linearly: the "per 1x" column should stay flat);
- each zip package against `zip -r -X` of the same tree (time and size ratios);
- the first page of the web and SCORM outputs in Chromium: load time and bytes (budget 100 KB);
- syncing 100, 1,000 and 10,000 users against the Moodle double (calls, writes, seconds, and the
  ratio of calls to a naive one-call-per-user loop), then a rerun with no change (writes: 0).

Each build runs in its own process so that its peak memory is its own.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

import first_page  # noqa: E402
from bench_build import size_of, zip_reference  # noqa: E402
from synthetic import scaled_course  # noqa: E402

FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"
BUILD = """
import json, sys, time
from pathlib import Path
from builder.exporters import EXPORTERS, get_exporter
from builder.loader import load_course
folder, dist, formats = sys.argv[1], Path(sys.argv[2]), sys.argv[3].split(",")
started = time.perf_counter()
course = load_course(folder)
outputs = [str(get_exporter(name).build(course, dist).output) for name in formats]
print(json.dumps({"seconds": time.perf_counter() - started, "outputs": outputs}))
"""


def measured_build(folder: Path, formats: list[str], dist: Path) -> dict:
    """Build in a child process; its own time, peak memory (MiB) and outputs."""
    process = subprocess.Popen(
        [sys.executable, "-c", BUILD, str(folder), str(dist), ",".join(formats)],
        stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.stdout.close()
    if status != 0:
        raise SystemExit(f"build of {folder} ({formats}) failed")
    result = json.loads(output)
    result["peak_mib"] = usage.ru_maxrss / 1024
    result["bytes"] = sum(size_of(Path(path)) for path in result["outputs"])
    return result


def build_rows(formats: list[str], scales: list[int]) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        for name in [*formats, "all"]:
            chosen = formats if name == "all" else [name]
            result = measured_build(FLAGSHIP, chosen, scratch / f"flagship-{name}")
            rows.append([f"build flagship: {name}", f"{result['seconds']:.3f}",
                         f"{result['peak_mib']:.0f}", f"{result['bytes'] / 1024:.0f} KiB", ""])
            if name != "all" and result["outputs"][0].endswith((".zip", ".imscc")):
                rows.append(_zip_row(name, result, scratch))
        base = None
        for scale in scales:
            folder = scaled_course(FLAGSHIP, scratch / f"x{scale}", scale)
            result = measured_build(folder, formats, scratch / f"dist-x{scale}")
            per = result["seconds"] / scale
            base = base or per
            rows.append([f"synthetic {scale}x, all formats", f"{result['seconds']:.2f}",
                         f"{result['peak_mib']:.0f}", f"{result['bytes'] / 1024:.0f} KiB",
                         f"per 1x: {per:.3f} s ({per / base:.2f} of 1x)"])
    return rows


def _zip_row(name: str, result: dict, scratch: Path) -> list[str]:
    package = Path(result["outputs"][0])
    seconds, size = zip_reference(package, scratch)
    ours = package.stat().st_size
    return [f"  vs zip -r -X ({name})", f"{seconds:.3f}", "", f"{size / 1024:.0f} KiB",
            f"time {result['seconds'] / seconds:.1f}x zip's (whole build vs zipping only); "
            f"size {ours / size:.2f}x zip's"]


def sync_rows(sizes: list[int]) -> list[list[str]]:
    import bench_sync
    from moodle_double import MoodleDouble

    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder, \
                MoodleDouble(max_input_vars=bench_sync.MAX_INPUT_VARS, cost=bench_sync.SITE_COST) as moodle:
            sync_file = bench_sync.write_inputs(Path(folder), size)
            calls, writes, seconds = bench_sync.sync_once(moodle.url, moodle.ADMIN_TOKEN, sync_file)
            again_calls, again_writes, again_seconds = bench_sync.sync_once(
                moodle.url, moodle.ADMIN_TOKEN, sync_file)
        naive_calls = len(bench_sync.NAIVE_OPERATIONS) * size + 3
        rows.append([f"sync {size} users", f"{seconds:.2f}", "", f"{calls} calls, {writes} writes",
                     f"{naive_calls / calls:.0f}x fewer calls than a naive loop "
                     f"(bound {bench_sync.bound(size)})"])
        rows.append([f"  rerun, no change ({size})", f"{again_seconds:.2f}", "",
                     f"{again_calls} calls, {again_writes} writes", "writes must be 0"])
    return rows


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}), "
            f"{memory:.0f} GiB, Python {platform.python_version()}")


def main(arguments: list[str]) -> None:
    if not shutil.which("zip"):
        raise SystemExit("zip is needed for the reference ratios: apt-get install zip")
    from builder.exporters import EXPORTERS

    quick = "--quick" in arguments
    rows = build_rows(list(EXPORTERS), [1, 10] if quick else [1, 10, 100])
    rows += first_page.rows()
    rows += sync_rows([100, 1000] if quick else [100, 1000, 10000])
    print(f"machine: {machine()}\n")
    header = ["case", "seconds", "peak MiB", "size / calls", "ratio"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
