"""`coursebridge new`: a small, valid course to start from."""

from __future__ import annotations

import shutil
from pathlib import Path

from builder.errors import UserError
from builder.slugs import slugify

TEMPLATE = Path(__file__).parent / "template"


def create_course(folder: Path, title: str | None = None) -> list[Path]:
    """Copy the template course into `folder` (which must be new or empty)."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder}: is a file; choose a new folder for the course")
    if folder.exists() and any(folder.iterdir()):
        raise UserError(f"{folder}: already exists and is not empty; choose a new folder")
    course_id = _slug(folder.resolve().name) or "mon-cours"
    try:
        shutil.copytree(TEMPLATE, folder, dirs_exist_ok=True)
    except OSError as error:
        raise UserError(
            f"{folder}: cannot create the course here ({error.strerror or error}); "
            "choose a folder you can write to"
        ) from None
    course_file = folder / "course.yaml"
    text = course_file.read_text(encoding="utf-8")
    text = text.replace("{{ course_id }}", course_id)
    text = text.replace("{{ title }}", _yaml_text(title or "Animer une communauté de pratique"))
    course_file.write_text(text, encoding="utf-8")
    return sorted(path for path in folder.rglob("*") if path.is_file())


def _slug(name: str) -> str:
    slug = slugify(name)
    return slug if slug[:1].isalpha() else f"cours-{slug}".strip("-")


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
