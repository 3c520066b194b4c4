"""Shared fixtures: sample courses built from the scaffold, and the flagship's path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from builder.scaffold import create_course

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "course_src" / "animer-communaute-apprenante"
SECOND_COURSE = ROOT / "course_src" / "construire-communaute-apprenante"
COURSES = [FLAGSHIP, SECOND_COURSE]


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A fresh copy of the `coursebridge new` course, free to break."""
    folder = tmp_path / "cours"
    create_course(folder, "Cours d'essai")
    return folder


@pytest.fixture
def flagship_copy(tmp_path: Path) -> Path:
    target = tmp_path / "flagship"
    shutil.copytree(FLAGSHIP, target)
    return target
