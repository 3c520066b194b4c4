"""Trainer material: read from `trainer:` mappings, located when wrong, never shown to learners."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from builder import model
from builder.errors import CourseError
from builder.exporters import get_exporter
from builder.loader import load_course
from trainer_course import MARKER, trainer_course

LEARNER_FORMATS = ["web", "scorm12", "scorm2004", "imscc", "moodlexml", "gift", "workbook"]


@pytest.fixture(scope="module")
def course_with_markers(tmp_path_factory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("trainer") / "cours"
    return folder, trainer_course(folder)


def test_trainer_material_is_read_everywhere(course_with_markers):
    folder, _ = course_with_markers
    course = load_course(folder)
    owners = [course, *(s for d in course.days for s in d.sequences)]
    owners += [activity for _, _, activity in course.activities()]
    for owner in owners:
        trainer = owner.trainer
        assert isinstance(trainer, model.TrainerMaterial)
        assert trainer.notes.source.endswith("-notes")
        assert trainer.materials[0].endswith("-materials")
        assert trainer.debrief[0].endswith("-debrief")
        listed, written = trainer.grid
        assert listed.indicators[0].endswith("-indicator")  # a list of indicators...
        assert isinstance(written.indicators, model.Markdown)  # ...or Markdown text


def _output_texts(output: Path):
    """(name, text) of every file of a build output: a folder, a zip package or one file;
    a PDF's text as extracted."""
    if output.is_dir():
        for path in sorted(p for p in output.rglob("*") if p.is_file()):
            yield str(path.relative_to(output)), _text(path)
    elif zipfile.is_zipfile(output):
        with zipfile.ZipFile(output) as archive:
            for name in archive.namelist():
                yield name, archive.read(name).decode("utf-8", "replace")
    else:
        yield output.name, _text(output)


def _text(path: Path) -> str:
    if path.suffix == ".pdf":
        return "".join(page.extract_text() for page in PdfReader(path).pages)
    return path.read_bytes().decode("utf-8", "replace")


@pytest.mark.parametrize("name", LEARNER_FORMATS)
def test_learner_outputs_hold_no_trainer_material(course_with_markers, tmp_path, name):
    folder, markers = course_with_markers
    output = get_exporter(name).build(load_course(folder), tmp_path).output
    texts = list(_output_texts(output))
    assert texts
    leaks = [(file, marker) for file, text in texts for marker in markers if marker in text]
    assert not leaks
    assert not any(MARKER in text for _, text in texts)


@pytest.mark.parametrize("yaml_text, message", [
    ("trainer: {note: x}", "unknown key 'note' (did you mean 'notes'?)"),
    ("trainer: {grid: [{criterion: Clarté}]}", "missing required key 'indicators'"),
    ("trainer: {grid: [{criterion: Clarté, indicators: {a: b}}]}",
     "expected Markdown text or {include: file.md}, found a mapping"),
    ("trainer: {debrief: Une seule question}", "expected a list, found 'Une seule question'"),
])
def test_mistakes_in_trainer_material_are_located(course_dir, yaml_text, message):
    course_file = course_dir / "course.yaml"
    course_file.write_text(course_file.read_text(encoding="utf-8") + yaml_text + "\n",
                           encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        load_course(course_dir)
    [problem] = [str(p) for p in caught.value.problems]
    assert problem.startswith("course.yaml:") and message in problem
