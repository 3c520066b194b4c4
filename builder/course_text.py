"""What every renderer of a course's Markdown shares, with templates or without: the works
its citations name and the diagrams its fences draw. The question banks need only this, so
they neither import Jinja2 nor lay out the site."""

from __future__ import annotations

import hashlib

from builder import markdown, model


class CourseText:
    def __init__(self, course: model.Course):
        self.course = course
        self.works = {work.id: work for work in course.bibliography}
        # What citations show, as a value that texts rendered in this process are shared by
        # (never kept in a cache folder, so the tool's own fingerprint need not be part of it).
        self.works_key = hashlib.sha256(repr(course.bibliography).encode()).hexdigest()

    @property
    def diagram_style(self) -> tuple:
        """What `diagram` does, as a value (see markdown.RenderContext.styles)."""
        return "mermaid", self.course.language

    def diagram(self, diagram: markdown.Diagram) -> str:
        from builder.diagrams import render_mermaid

        return render_mermaid(diagram.source, diagram.alt or "", self.course.language)
