"""Build-time diagrams: Mermaid flowcharts rendered to static, accessible SVG in pure Python."""

from builder.diagrams.errors import DiagramError
from builder.diagrams.mermaid import render_mermaid

__all__ = ["DiagramError", "render_mermaid"]
