"""The error raised for a diagram source that cannot be rendered."""

from __future__ import annotations

from builder.errors import UserError


class DiagramError(UserError):
    """A Mermaid source problem, located 1-based within the diagram source.

    The embedding code (the Markdown renderer) adds the offset of the fenced block
    in the course file to turn `line` into a file location.
    """

    def __init__(self, line: int, column: int, message: str):
        self.line = line
        self.column = column
        self.message = message
        super().__init__(f"line {line}, column {column}: {message}")
