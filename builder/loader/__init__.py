"""Loading a course folder into the typed model, reporting every problem with its place."""

from __future__ import annotations

from pathlib import Path

from builder import markdown
from builder.errors import CourseError, Location, Problem, UserError
from builder.loader.checks import CourseChecker
from builder.loader.convert import INVALID, Converter
from builder.loader.sources import ComposedFiles, CourseSources
from builder.model import Course

COURSE_FILE = "course.yaml"


class CourseNotFound(UserError):
    """The path given is not a course folder; like any invalid course, exit status 2."""

    exit_code = 2


def load_course(folder: str | Path, composed: ComposedFiles | None = None) -> Course:
    """Load and check `folder/course.yaml` and what it includes; raise CourseError if invalid.
    `composed`: the YAML files of an earlier load, reused when unchanged (and updated)."""
    folder = Path(folder)
    if folder.is_file():
        hint = "give the folder that holds it" if folder.name == COURSE_FILE else "give a folder"
        raise CourseNotFound(f"{folder}: is a file; {hint}, not the file itself")
    if not folder.is_dir():
        raise CourseNotFound(f"{folder}: no such folder; expected a course folder with {COURSE_FILE}")
    if not (folder / COURSE_FILE).is_file():
        raise CourseNotFound(
            f"{folder}: no {COURSE_FILE} here; expected a course folder "
            "(create one with 'coursebridge new')"
        )
    sources = CourseSources(folder, composed)
    converter = Converter(sources)
    course = converter.convert_file(COURSE_FILE, Course)
    problems = list(converter.problems)
    markdown.make_room(len(converter.source_map.markdown))  # before the checks scan them
    if course is not INVALID:
        problems += CourseChecker(course, converter.source_map, sources).run()
    elif not problems:
        problems.append(Problem(Location(COURSE_FILE), "", "cannot read the course"))
    if problems:
        raise CourseError(problems)
    course.root = sources.root
    course.source_warnings = sorted(set(converter.warnings), key=lambda p: (p.location, p.path))
    return course
