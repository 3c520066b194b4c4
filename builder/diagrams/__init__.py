"""Build-time diagrams: Mermaid flowcharts rendered to static, accessible SVG in pure Python.

Checking a diagram needs only its parser; the layout and the SVG (mermaid.py and what it
imports) are imported when a diagram is first drawn, so outputs without diagrams, such as
the question banks, never import them.
"""

from builder.diagrams.errors import DiagramError
from builder.diagrams.flowchart import parse_flowchart


def check_mermaid(source: str) -> None:
    """Raise the DiagramError render_mermaid would raise for `source` (only the parser raises
    one: whatever it accepts, the layout draws)."""
    parse_flowchart(source)


def render_mermaid(source: str, alt: str, lang: str = "fr") -> str:
    """See builder.diagrams.mermaid.render_mermaid."""
    from builder.diagrams.mermaid import render_mermaid as render

    return render(source, alt, lang)


__all__ = ["DiagramError", "check_mermaid", "render_mermaid"]
