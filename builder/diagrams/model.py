"""The parsed flowchart: what the parser produces and the layout and SVG writer consume."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Direction(enum.Enum):
    """Where edges point on the page."""

    TOP_DOWN = "TD"
    BOTTOM_UP = "BT"
    LEFT_RIGHT = "LR"
    RIGHT_LEFT = "RL"

    @property
    def is_horizontal(self) -> bool:
        return self in (Direction.LEFT_RIGHT, Direction.RIGHT_LEFT)


class Shape(enum.Enum):
    RECT = "rect"
    ROUND = "round"
    STADIUM = "stadium"
    CIRCLE = "circle"
    DIAMOND = "diamond"
    FLAG = "flag"
    SUBROUTINE = "subroutine"
    CYLINDER = "cylinder"
    HEXAGON = "hexagon"


class LineStyle(enum.Enum):
    SOLID = "solid"
    DOTTED = "dotted"
    THICK = "thick"


class Head(enum.Enum):
    """What an edge end looks like."""

    NONE = "none"
    ARROW = "arrow"
    CIRCLE = "circle"
    CROSS = "cross"


@dataclass(frozen=True)
class Style:
    """Validated presentation: colours are normalised `#rrggbb`, never author text."""

    fill: str | None = None
    stroke: str | None = None
    color: str | None = None
    stroke_width: float | None = None

    def merged_over(self, base: Style) -> Style:
        """This style's set properties win over `base`'s."""
        return Style(
            fill=self.fill or base.fill,
            stroke=self.stroke or base.stroke,
            color=self.color or base.color,
            stroke_width=self.stroke_width if self.stroke_width is not None else base.stroke_width,
        )


@dataclass
class Node:
    id: str
    label: str
    shape: Shape
    line: int
    column: int
    style: Style = Style()


@dataclass
class Edge:
    source: str
    target: str
    line_style: LineStyle
    head: Head
    both_ways: bool
    length: int
    label: str


@dataclass
class Subgraph:
    id: str
    title: str
    line: int
    column: int
    parent: str | None
    nodes: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    style: Style = Style()


@dataclass
class Flowchart:
    direction: Direction
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    subgraphs: dict[str, Subgraph] = field(default_factory=dict)
