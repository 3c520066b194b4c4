"""Shared fixtures: sample courses built from the scaffold, and the flagship's path.

Also a guard: no test may read the reference folder `shared/` beside the repository, which a
clone does not have; what tests need is copied into `tests/` (see tests/moodle_golden/).
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
import sys
from pathlib import Path

import pytest

from builder.scaffold import create_course

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"
SECOND_COURSE = ROOT / "course_src" / "construire-communaute-apprenante"
COURSES = [FLAGSHIP, SECOND_COURSE]
# The reference folder beside the repository, or beside any folder above it (a git worktree).
OUTSIDE_REFERENCES = tuple(str(folder / "shared") for folder in ROOT.parents)
READ_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "glob.glob", "pathlib.Path.glob",
                         "pathlib.Path.rglob"})


class ReadsOutsideReference(AssertionError):
    """A test read ../shared, which a fresh clone (and its CI) does not have."""


def refuse_outside_reference(event: str, args: tuple) -> None:
    if event not in READ_EVENTS or not args or isinstance(args[0], int) or args[0] is None:
        return
    path = os.path.abspath(os.fsdecode(args[0]))
    if any(path == folder or path.startswith(folder + os.sep) for folder in OUTSIDE_REFERENCES):
        raise ReadsOutsideReference(
            f"{path}: tests must not read ../shared; copy the data into tests/ "
            "(Moodle recordings into tests/moodle_golden/, see its README)"
        )


sys.addaudithook(refuse_outside_reference)


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory):
    """Builds keep compiled templates in the user's cache folder: the tests', not the user's."""
    folder = tmp_path_factory.mktemp("user-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        yield folder


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A fresh copy of the `coursebridge new` course, free to break."""
    folder = tmp_path / "cours"
    create_course(folder, "Cours d'essai")
    return folder


# Learner work for the scaffold course: a reflection and tick boxes, at the end of its first
# sequence (before the sequence 'lancer' and its 'auto-evaluation' checklist).
LEARNER_WORK_ACTIVITIES = """\
      - id: ma-reflexion
        type: reflection
        title: Ma réflexion
        questions: [Qu'en pensez-vous ?, Et ensuite ?]
      - id: mes-engagements
        type: checklist
        title: Mes engagements
        items: [{text: J'anime une séance.}, {text: Je fais un bilan.}]
"""


@pytest.fixture
def course_with_reflection(course_dir: Path) -> Path:
    """The scaffold course with LEARNER_WORK_ACTIVITIES."""
    day = course_dir / "days" / "jour-1.yaml"
    text = day.read_text(encoding="utf-8")
    day.write_text(text.replace("  - id: lancer\n", LEARNER_WORK_ACTIVITIES + "  - id: lancer\n"),
                   encoding="utf-8")  # fmt: skip
    return course_dir


@pytest.fixture
def flagship_copy(tmp_path: Path) -> Path:
    target = tmp_path / "flagship"
    shutil.copytree(FLAGSHIP, target)
    return target


@pytest.fixture
def rendered_pages(monkeypatch) -> Counter:
    """URLs of the site pages rendered from here on (not taken from a cache), counted."""
    from builder.render import SiteRenderer

    counted: Counter = Counter()
    render_page = SiteRenderer.render_page

    def counting(self, page):
        counted[page.url] += 1
        return render_page(self, page)

    monkeypatch.setattr(SiteRenderer, "render_page", counting)
    return counted
