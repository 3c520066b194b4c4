"""A build's work grows with the course, not faster: what every page shows of the whole course
is worked out once per build, not once per page. (Times are measured by bench/bench_build.py,
never here.)"""

from __future__ import annotations

import importlib.util
from pathlib import Path

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
