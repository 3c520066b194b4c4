"""`web`: a static site for preview and for learners without an LMS."""

from __future__ import annotations

from pathlib import Path

from builder.exporters.base import Exporter
from builder.model import Course
from builder.render import site_renderer


class WebExporter(Exporter):
    name = "web"
    description = "static website (open index.html, or publish the folder)"

    def output_name(self, course: Course) -> str:
        return "web"

    def files(self, course: Course) -> dict[str, bytes]:
        """Every file of the site by its path in the folder (the preview writes them itself)."""
        return site_renderer(course).site_files("web")

    def write(self, course: Course, target: Path, warnings: list[str]) -> None:
        for relative, content in sorted(self.files(course).items()):
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
