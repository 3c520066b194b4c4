"""A build grows with the course, not faster: what every page shows of the whole course is
worked out once per build, not once per page, and a big course gets as many notes as a small
one, each naming its first few ids. (Times are measured by bench/bench_build.py, never here.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from click.testing import CliRunner

from builder.cli import main
from builder.exporters.base import NAMES_SHOWN, FormatNote
from builder.loader import load_course
from builder.render import SiteRenderer

from conftest import FLAGSHIP, ROOT


def scaled_course(target: Path, scale: int) -> Path:
    """The flagship with its days repeated `scale` times, as the benchmark builds it."""
    spec = importlib.util.spec_from_file_location("synthetic", ROOT / "bench" / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    return synthetic.scaled_course(FLAGSHIP, target, scale)


class Walked(list):
    """A list that counts how often it is walked through."""

    walks = 0

    def __iter__(self):
        self.walks += 1
        return super().__iter__()


def walks_to_render_every_page(folder: Path) -> tuple[int, int]:
    """How often rendering all the site's pages walks its page list and its contents."""
    renderer = SiteRenderer(load_course(folder))
    site = renderer.site
    pages = list(site.pages)
    site.pages, site.toc = Walked(pages), Walked(site.toc)
    for page in pages:
        renderer.render_page(page)
    return site.pages.walks, site.toc.walks


def test_rendering_the_pages_walks_the_course_as_often_however_long_it_is(tmp_path):
    """The programme, glossary and bibliography pages list every day; a day's page only the
    days beside it, and the page count is taken once."""
    flagship = walks_to_render_every_page(FLAGSHIP)
    assert walks_to_render_every_page(scaled_course(tmp_path / "x3", 3)) == flagship


def build_messages(folder: Path, dist: Path, *options: str) -> list[str]:
    arguments = ["build", str(folder), "-o", str(dist), "-f", "scorm12", "-f", "imscc", *options]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def test_a_big_course_gets_as_many_notes_each_naming_its_first_few(tmp_path):
    course = scaled_course(tmp_path / "x3", 3)
    assert len(build_messages(course, tmp_path / "dist")) == len(
        build_messages(FLAGSHIP, tmp_path / "flagship"))  # fmt: skip
    [brief] = [line for line in build_messages(course, tmp_path / "dist")
               if "multiple-answer questions" in line]  # fmt: skip
    assert "q1-impact-conditions, q1-conditions-ic," in brief
    assert "q1-impact-conditions-x1 and" in brief and "q1-conditions-ic-x1" not in brief
    assert f"and {27 - NAMES_SHOWN} more (--verbose lists them): Moodle's CC import" in brief
    [full] = [line for line in build_messages(course, tmp_path / "dist", "--verbose")
              if "multiple-answer questions" in line]  # fmt: skip
    assert "qf-indicateurs-x1, q1-impact-conditions-x2," in full and "more" not in full


def test_a_note_names_all_when_there_are_few():
    def say(listed: str) -> str:
        return f"questions {listed}: a note"

    few = FormatNote.naming([f"q{n}" for n in range(NAMES_SHOWN + 1)], say)
    assert few == few.brief == say(", ".join(f"q{n}" for n in range(NAMES_SHOWN + 1)))
    many = FormatNote.naming([f"q{n}" for n in range(NAMES_SHOWN + 2)], say)
    assert many.brief == say(", ".join(f"q{n}" for n in range(NAMES_SHOWN)) + " and 2 more "
                             "(--verbose lists them)")  # fmt: skip
    assert many == say(", ".join(f"q{n}" for n in range(NAMES_SHOWN + 2)))
