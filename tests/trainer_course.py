"""The scaffold course with trainer material, each text a marker, on the course, every sequence
and every activity: what the guide must show and no learner output may."""

from __future__ import annotations

from pathlib import Path

import yaml

from builder.scaffold import create_course

MARKER = "FORMATEUR"


class Markers:
    """Hands out `FORMATEUR-n-field` strings and remembers them."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def __call__(self, field: str) -> str:
        self.given.append(f"{MARKER}-{len(self.given) + 1}-{field}")
        return self.given[-1]


def trainer_material(marker: Markers) -> dict:
    return {
        "notes": marker("notes"),
        "instructions": marker("instructions"),
        "materials": [marker("materials")],
        "room": marker("room"),
        "groups": marker("groups"),
        "expected": marker("expected"),
        "grid": [
            {"criterion": marker("criterion"), "indicators": [marker("indicator")]},
            {"criterion": marker("criterion"), "indicators": marker("indicators")},
        ],
        "debrief": [marker("debrief")],
    }


def trainer_course(folder: Path) -> list[str]:
    """Write the course into `folder`; return every marker it holds."""
    create_course(folder)
    marker = Markers()
    course_file = folder / "course.yaml"
    course = yaml.safe_load(course_file.read_text(encoding="utf-8"))
    course["trainer"] = trainer_material(marker)
    course_file.write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    for day_file in sorted((folder / "days").glob("*.yaml")):
        day = yaml.safe_load(day_file.read_text(encoding="utf-8"))
        for sequence in day["sequences"]:
            sequence["trainer"] = trainer_material(marker)
            for activity in sequence["activities"]:
                activity["trainer"] = trainer_material(marker)
        day_file.write_text(yaml.safe_dump(day, allow_unicode=True), encoding="utf-8")
    return marker.given
