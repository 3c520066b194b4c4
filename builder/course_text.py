"""What every renderer of a course's Markdown shares, with templates or without: the works
its citations name and the diagrams its fences draw. The question banks need only this, so
they neither import Jinja2 nor lay out the site."""

from __future__ import annotations

from builder import markdown, model
from builder.build_cache import fingerprint


class CourseText:
    def __init__(self, course: model.Course):
        self.course = course
        self.works = {work.id: work for work in course.bibliography}
        self.works_key = fingerprint(course.bibliography)  # what citations show, as a value

    @property
    def diagram_style(self) -> tuple:
        """What `diagram` does, as a value (see markdown.RenderContext.styles)."""
        return "mermaid", self.course.language

    def diagram(self, diagram: markdown.Diagram) -> str:
        from builder.diagrams import render_mermaid

        return render_mermaid(diagram.source, diagram.alt or "", self.course.language)
