"""`web`: a static site for preview and for learners without an LMS."""

from __future__ import annotations

from pathlib import Path

from builder.exporters.base import Exporter
from builder.model import Course
from builder.render import SiteRenderer


class WebExporter(Exporter):
    name = "web"
    description = "static website (open index.html, or publish the folder)"

    def output_name(self, course: Course) -> str:
        return "web"

    def write(self, course: Course, target: Path, warnings: list[str]) -> None:
        rendered = SiteRenderer(course, runtime="web").render_site()
        for relative, content in sorted(rendered.files.items()):
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
