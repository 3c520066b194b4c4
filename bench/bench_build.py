"""Benchmark: building against the speed of the disk.

    python bench/bench_build.py              # 5 runs of each case; synthetic 1x, 10x, 100x
                                             # (screen formats: the printed ones left out)
    python bench/bench_build.py --quick      # 3 runs; synthetic 1x and 10x
    python bench/bench_build.py --runs 7 --scales 1,10,100 [COURSE_FOLDER]
    python bench/bench_build.py --runs 9 --preview-only   # the preview row, with its stages

Each case runs in a fresh process (`coursebridge ...`, as a user runs it), several times; the
table gives the median wall time with the min and max, the median CPU time (user + system,
which other processes on a shared machine disturb far less) and the highest peak memory.
The floor of a build is `zip -r -X` of the same output (its packages extracted first, so zip
does the compressing our packaging does), timed the same way: "ratio" is our median over the
floor's, wall (and CPU). The load averages (1, 5, 15 min) are printed before and after each
case: on a shared machine they say how far to trust a row. Goals (docs/benchmarks.md) are checked here,
never in tests. Needs `zip` (apt-get install zip), and Debian's chromium for the preview row.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from builder.exporters import EXPORTERS, get_exporter  # noqa: E402
from builder.printed import PrintExporter  # noqa: E402
from synthetic import scaled_course  # noqa: E402

FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"
FORMATS = list(EXPORTERS)
# Without the printed documents (PDF through WeasyPrint): the formats the build cache serves.
SCREEN = [name for name in FORMATS if not isinstance(get_exporter(name), PrintExporter)]
CLI = [sys.executable, "-m", "builder"]
CACHE = ".coursebridge-cache"
# The preview row's stages: from the edit to the server's stamps, then to the text on screen.
PREVIEW_STAMPS = ["started", "loaded", "rendered", "shown"]
PREVIEW_STAGES = ["notice", "load", "render", "write", "browser"]


@dataclass
class Runs:
    seconds: list[float]  # wall time of each run
    cpu: list[float] = field(default_factory=list)  # user + system time of each run
    peak_mib: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu) if self.cpu else 0.0

    def spread(self) -> str:
        return f"{min(self.seconds):.3f}–{max(self.seconds):.3f}"


def load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def run_command(arguments: list[str], runs: int, prepare=lambda: None, cwd: Path = ROOT) -> Runs:
    """`arguments` run `runs` times in a fresh process, each after `prepare()`."""
    result = Runs([])
    for _ in range(runs):
        prepare()
        started = time.perf_counter()
        process = subprocess.Popen(arguments, cwd=cwd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        _, status, usage = os.wait4(process.pid, 0)
        result.seconds.append(time.perf_counter() - started)
        result.cpu.append(usage.ru_utime + usage.ru_stime)
        result.peak_mib = max(result.peak_mib, usage.ru_maxrss / 1024)
        if status:
            raise SystemExit(f"failed: {' '.join(arguments)}")
    return result


def build_command(folder: Path, dist: Path, formats: list[str], *options: str) -> list[str]:
    chosen = [argument for name in formats for argument in ("-f", name)]
    return [*CLI, "build", str(folder), "-o", str(dist), *chosen, *options]


def zip_floor(outputs: list[Path], scratch: Path, runs: int) -> Runs:
    """`zip -r -X` of the outputs: folders and files as they are, packages extracted."""
    tree = scratch / "floor-tree"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    for output in outputs:
        if zipfile.is_zipfile(output):
            with zipfile.ZipFile(output) as archive:
                archive.extractall(tree / output.name)
        elif output.is_dir():
            shutil.copytree(output, tree / output.name)
        else:
            shutil.copy(output, tree / output.name)
    target = scratch / "floor.zip"
    return run_command(["zip", "-r", "-X", "-q", str(target), "."], runs,
                       prepare=lambda: target.unlink(missing_ok=True), cwd=tree)


def outputs_of(dist: Path) -> list[Path]:
    return sorted(path for path in dist.iterdir() if path.name != CACHE)


class Table:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, case: str, runs: Runs, floor: Runs | None = None, goal: str = "",
            before: str = "") -> None:  # fmt: skip
        ratio = floor_text = ""
        if floor and floor.seconds:
            floor_text = f"{floor.median:.3f} ({floor.median_cpu:.3f})"
            ratio = f"{runs.median / floor.median:.1f}x"
            if floor.median_cpu:
                ratio += f" ({runs.median_cpu / floor.median_cpu:.1f}x)"
        cpu = f"{runs.median_cpu:.3f}" if runs.cpu else ""
        self.rows.append([case, f"{runs.median:.3f}", runs.spread(), cpu, f"{runs.peak_mib:.0f}",
                          floor_text, ratio, goal, f"{before} → {load()}"])  # fmt: skip
        print(" | ".join(self.rows[-1]), file=sys.stderr, flush=True)

    def show(self) -> None:
        header = ["case", "median s", "min–max s", "CPU s", "peak MiB", "floor s (CPU)",
                  "ratio (CPU)", "goal", "load before → after"]  # fmt: skip
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in self.rows:
            print("| " + " | ".join(row) + " |")


def flagship_rows(table: Table, folder: Path, scratch: Path, runs: int) -> None:
    before = load()
    table.add("coursebridge --help", run_command([*CLI, "--help"], runs), goal="< 0.15 s",
              before=before)
    for formats in [[name] for name in FORMATS] + [SCREEN, FORMATS]:
        name = formats[0] if len(formats) == 1 else "all formats" if formats == FORMATS else (
            "screen formats")
        dist = scratch / f"flagship-{name}"
        before = load()
        clean = run_command(build_command(folder, dist, formats, "--no-cache"), runs,
                            prepare=lambda: shutil.rmtree(dist, ignore_errors=True))
        floor = zip_floor(outputs_of(dist), scratch, runs)
        goal = "≤ 15x" if len(formats) > 1 else "≤ 10x"
        table.add(f"flagship, {name}: clean build", clean, floor, goal, before)
    all_formats_floor = floor
    dist = scratch / "flagship-rebuilds"
    shutil.rmtree(dist, ignore_errors=True)
    run_command(build_command(folder, dist, FORMATS), 1)
    before = load()
    table.add("flagship, all formats: no change", run_command(build_command(folder, dist, FORMATS),
              runs), all_formats_floor, "≤ 3x", before)  # fmt: skip
    page = sorted((folder / "pages").rglob("*.md"))[0]
    original = page.read_text(encoding="utf-8")
    edits = iter(range(runs))
    before = load()
    try:
        edited = run_command(build_command(folder, dist, FORMATS), runs, prepare=lambda: (
            page.write_text(original + f"\nModification {next(edits)}.\n", encoding="utf-8")))
    finally:
        page.write_text(original, encoding="utf-8")
    table.add("flagship, all formats: one page edited", edited, all_formats_floor, "", before)


def preview_row(table: Table, folder: Path, runs: int) -> None:
    """From saving a page's text to the reloaded page showing it, in Chromium; and where
    that time goes, from the server's stamps (PreviewBuilder.stages)."""
    try:
        from playwright.sync_api import sync_playwright

        from browser.conftest import CHROMIUM, CHROMIUM_ARGS
    except ImportError:
        print("preview row skipped: Playwright is not installed", file=sys.stderr)
        return
    from builder.preview import PreviewServer

    page_file = sorted((folder / "pages").rglob("*.md"))[0]
    original = page_file.read_text(encoding="utf-8")
    server = PreviewServer(folder, port=0, report=lambda line: None)
    server.start()
    before = load()
    result = Runs([])
    stages: dict[str, list[float]] = {name: [] for name in PREVIEW_STAGES}
    try:
        page_file.write_text(original + "\nRepère de mesure.\n", encoding="utf-8")
        time.sleep(2)  # rebuilt: the page showing that text is the one to watch
        shown = next(path.name for path in server.builder.state.site.glob("*.html")
                     if "Repère de mesure." in path.read_text(encoding="utf-8"))  # fmt: skip
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(server.url + shown)
            for run in range(runs):
                time.sleep(0.5)  # the page is waiting on its status request
                marker = f"Mesure {run} {time.time_ns()}"
                started = time.perf_counter()
                page_file.write_text(original + f"\n{marker}\n", encoding="utf-8")
                page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})",
                                       polling="raf", timeout=20000)  # fmt: skip
                seen = time.perf_counter()
                result.seconds.append(seen - started)
                result.cpu.append(server.builder.stages["cpu"])
                ends = [started] + [server.builder.stages[name] for name in PREVIEW_STAMPS] + [seen]
                for name, (start, end) in zip(PREVIEW_STAGES, zip(ends, ends[1:])):
                    stages[name].append(end - start)
            browser.close()
    finally:
        page_file.write_text(original, encoding="utf-8")
        server.stop()
    where = ", ".join(f"{name} {statistics.median(seconds):.3f}" for name, seconds in stages.items())
    table.add("preview: page edited → shown in Chromium", result, goal=f"< 0.3 s ({where})",
              before=before)


def synthetic_rows(table: Table, folder: Path, scratch: Path, runs: int, scales: list[int]) -> None:
    base = None
    for scale in scales:
        course = scaled_course(folder, scratch / f"x{scale}", scale)
        dist = scratch / f"x{scale}-dist"
        before = load()
        clean = run_command(build_command(course, dist, SCREEN, "--no-cache"),
                            runs if scale < 100 else max(3, runs // 2),
                            prepare=lambda: shutil.rmtree(dist, ignore_errors=True))
        per, per_cpu = clean.median / scale, clean.median_cpu / scale
        base = base or (per, per_cpu)
        table.add(f"synthetic {scale}x, screen formats: clean build", clean,
                  goal=f"per 1x: {per:.3f} s ({per / base[0]:.2f} of 1x), CPU {per_cpu:.3f} s "
                       f"({per_cpu / base[1]:.2f}); {clean.peak_mib / scale:.1f} MiB per 1x",
                  before=before)  # fmt: skip
        shutil.rmtree(course, ignore_errors=True)
        shutil.rmtree(dist, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=FLAGSHIP)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scales", default="1,10,100")
    parser.add_argument("--quick", action="store_true", help="3 runs; scales 1 and 10")
    parser.add_argument("--synthetic-only", action="store_true", help="only the synthetic rows")
    parser.add_argument("--preview-only", action="store_true", help="only the preview row")
    arguments = parser.parse_args()
    if not shutil.which("zip"):
        raise SystemExit("zip is needed for the floor: apt-get install zip")
    compile_bytecode()
    runs = 3 if arguments.quick else arguments.runs
    scales = [1, 10] if arguments.quick else [int(s) for s in arguments.scales.split(",")]
    table = Table()
    with tempfile.TemporaryDirectory(prefix="coursebridge-bench-") as scratch:
        scratch = Path(scratch)
        folder = scratch / "course"  # a copy: the rows edit it
        shutil.copytree(arguments.folder.resolve(), folder)
        if arguments.preview_only:
            preview_row(table, folder, runs)
        else:
            if not arguments.synthetic_only:
                flagship_rows(table, folder, scratch, runs)
                preview_row(table, folder, runs)
            synthetic_rows(table, folder, scratch, runs, scales)
    print(f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}, {runs} runs per case\n")
    table.show()


def compile_bytecode() -> None:
    """coursebridge's modules compiled to bytecode, as installing it compiles them: from a
    checkout with PYTHONDONTWRITEBYTECODE set, every process timed would compile them from
    source first (50 to 100 ms of CPU), which an installed coursebridge never does."""
    for package in ("builder", "lms_sync"):
        compileall.compile_dir(ROOT / package, quiet=1)


def size_of(output: Path) -> int:
    """Bytes of an output file or folder (bench/suite.py)."""
    if output.is_dir():
        return sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    return output.stat().st_size


def zip_reference(package: Path, scratch: Path) -> tuple[float, int]:
    """Seconds and bytes of `zip -r -X` run on the package's own extracted tree (suite.py)."""
    tree = scratch / f"{package.name}.tree"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(tree)
    reference = scratch / f"{package.name}.reference.zip"
    started = time.perf_counter()
    subprocess.run(["zip", "-r", "-X", "-q", str(reference), "."], cwd=tree, check=True)
    return time.perf_counter() - started, reference.stat().st_size


if __name__ == "__main__":
    main()
