"""`scorm12` and `scorm2004`: the web pages plus a tracking runtime, as one SCO.

The package is the `web` site's pages, rendered once, with runtime "scorm12" or "scorm2004"
(pages then load `_static/scorm.js`, which talks to the LMS), the course map that runtime reads
(`_static/scorm-course.js`), the manifest, and the official schemas it names, so that
any validator can check the package offline.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from builder import model
from builder.exporters.base import Exporter, FormatNote
from builder.exporters.scorm_manifest import (
    ManifestInfo,
    learning_time,
    scorm12_manifest,
    scorm2004_manifest,
)
from builder.exporters.scorm_map import (
    SCORM12_SUSPEND_DATA_LIMIT,
    course_map,
    encoding_warnings,
    map_script,
    suspend_data_bound,
)
from builder.html_text import plain_text
from builder.learner_work import COMMENT_2004_LIMIT, COMMENTS_12_LIMIT, scorm12_text_space
from builder.model import Course
from builder.packaging import write_zip
from builder.render import STATIC_FOLDER, SiteRenderer, site_renderer
from builder.schemas import XSD
from builder.site import HOME

MAP_FILE = f"{STATIC_FOLDER}/scorm-course.js"


class ScormExporter(Exporter):
    """What both SCORM versions share; subclasses give the manifest and the schemas."""

    schema_folder: ClassVar[str]
    manifest_writer: ClassVar[Callable[[ManifestInfo], dict[str, bytes]]]

    def output_name(self, course: Course) -> str:
        return f"{course.id}-{self.name}.zip"

    def write(self, course: Course, target: Path, warnings: list[str]) -> None:
        write_zip(target, self.package_files(course, warnings))

    def package_files(self, course: Course, warnings: list[str]) -> dict[str, bytes]:
        renderer = site_renderer(course)
        files = renderer.site_files(self.name)
        data = course_map(course, renderer.site)
        files[MAP_FILE] = map_script(data)
        warnings += encoding_warnings(course) + self.budget_warnings(data, renderer)
        info = ManifestInfo(
            course=course,
            description=plain_text(str(renderer.markdown(course.description))),
            learning_time=learning_time(course),
            launch=HOME,
            files=sorted(files),
        )
        files.update(type(self).manifest_writer(info))
        for schema in sorted((XSD / self.schema_folder).iterdir()):
            files[schema.name] = schema.read_bytes()
        return files

    def budget_warnings(self, data: dict, renderer: SiteRenderer) -> list[str]:
        return []


class Scorm12Exporter(ScormExporter):
    name = "scorm12"
    description = "SCORM 1.2 package (Moodle, including the Moodle app)"
    schema_folder = "scorm12"
    manifest_writer = staticmethod(scorm12_manifest)

    def budget_warnings(self, data: dict, renderer: SiteRenderer) -> list[str]:
        warnings: list[str] = [*_reflections_note(renderer.course)]
        bound = suspend_data_bound(data, len(renderer.site.activity_pages))
        if bound > SCORM12_SUSPEND_DATA_LIMIT:
            warnings.append(
                f"the learner's saved state may need {bound} characters, more than SCORM 1.2's "
                f"{SCORM12_SUSPEND_DATA_LIMIT}: wrong short answers will not be restored when it "
                "overflows; use fewer short-answer questions or build scorm2004"
            )
        return warnings


def _reflections_note(course: Course) -> list[FormatNote]:
    """SCORM 1.2 has one cmi.comments of 4096 characters for every reflection answer (and
    the checklists' readable levels)."""
    space, questions = scorm12_text_space(course)
    if not questions:
        return []
    names = [
        f"'{reflection.id}' ({len(reflection.questions)} questions)"
        for reflection in course.activities_of(model.Reflection)
    ]
    return [FormatNote.naming(names, lambda listed: (
        f"reflections: {listed} share SCORM 1.2's cmi.comments ({COMMENTS_12_LIMIT} characters, "
        f"with a readable copy of the checklists' levels): {max(space, 0)} are left for the "
        f"answers, about {max(space, 0) // questions} each, in "
        "an LMS that replaces cmi.comments (Moodle adds to it, so keeps longer texts); a learner "
        "whose answer does not fit is told it stays on their device; build scorm2004 to keep "
        f"{COMMENT_2004_LIMIT} characters per answer"
    ))]


class Scorm2004Exporter(ScormExporter):
    name = "scorm2004"
    description = "SCORM 2004 4th edition package"
    schema_folder = "scorm2004-4th"
    manifest_writer = staticmethod(scorm2004_manifest)
