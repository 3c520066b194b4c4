"""The SVG document: accessible (title, description, role), inert and self-contained.

Only these elements are written: svg, title, desc, defs, marker, g, rect, circle, polygon,
path, text, tspan. Attribute values are numbers, fixed keywords, `#rrggbb` colours and
ids derived from a hash; author text only ever appears escaped inside text nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.diagrams.colors import readable_text_color
from builder.diagrams.geometry import Point, minus, plus, scaled, unit
from builder.diagrams.layout import Box, Curve, Layout, Route
from builder.diagrams.model import Edge, Flowchart, Head, LineStyle, Style
from builder.diagrams.shapes import shape_markup, text_offset
from builder.diagrams.svgwriter import element, escape, number
from builder.diagrams.text import TextBlock

FONT_FAMILY = "system-ui, sans-serif"
BACKGROUND = "#ffffff"
NODE_FILL = "#eef2fb"
NODE_STROKE = "#44557a"
NODE_TEXT = "#1b1f2a"
NODE_STROKE_WIDTH = 1.5
EDGE_COLOR = "#4d5566"
EDGE_LABEL_TEXT = "#1b1f2a"
CLUSTER_FILL = "#f6f7f9"
CLUSTER_STROKE = "#8c96a8"
CLUSTER_TEXT = "#1b1f2a"
CLUSTER_TITLE_INSET = 6.0
EDGE_LABEL_PADDING = (4.0, 2.0)
_STROKE_WIDTHS = {LineStyle.SOLID: 1.75, LineStyle.DOTTED: 1.75, LineStyle.THICK: 3.5}
_DASHES = {LineStyle.DOTTED: "3 4"}
# A glyph's visual middle sits about 0.35 em above its baseline.
_BASELINE_SHIFT = 0.35


@dataclass(frozen=True)
class _Marker:
    name: str
    length: float  # how much of the edge the marker replaces
    markup: str
    ref_x: float


_MARKERS = {
    Head.ARROW: _Marker("arrow", 10.0, '<path d="M0,0L10,5L0,10z"/>', 0.0),
    Head.CIRCLE: _Marker("circle", 9.0, '<circle cx="5" cy="5" r="4"/>', 1.0),
    Head.CROSS: _Marker(
        "cross", 6.0, '<path d="M1,1L9,9M9,1L1,9" fill="none" stroke-width="2"/>', 5.0
    ),
}
_START_ARROW = _Marker("arrow-start", 10.0, '<path d="M10,0L0,5L10,10z"/>', 10.0)


@dataclass(frozen=True)
class Texts:
    """The wrapped text of every label, as measured for the layout."""

    nodes: dict[str, TextBlock]
    edges: list[TextBlock | None]
    clusters: dict[str, TextBlock]


def svg_document(
    chart: Flowchart, layout: Layout, texts: Texts, alt: str, description: str, id_prefix: str
) -> str:
    width, height = number(layout.width), number(layout.height)
    content = "".join(
        [
            element("title", escape(alt), id=f"{id_prefix}-title"),
            element("desc", escape(description), id=f"{id_prefix}-desc"),
            _definitions(chart.edges, id_prefix),
            element("rect", width=width, height=height, fill=BACKGROUND),
            *(
                _cluster(layout.clusters[key], chart.subgraphs[key].style)
                for key in chart.subgraphs
            ),
            *(_edge(edge, route, id_prefix) for edge, route in zip(chart.edges, layout.edges)),
            # Titles after edges, on their own background, so that an edge entering a box never
            # runs through its title.
            *(
                _cluster_title(
                    layout.clusters[key], chart.subgraphs[key].style, texts.clusters[key]
                )
                for key in chart.subgraphs
            ),
            *(
                _edge_label(route.label, text)
                for route, text in zip(layout.edges, texts.edges)
                if route.label and text
            ),
            *(_node(chart, key, layout.nodes[key], texts.nodes[key]) for key in chart.nodes),
        ]
    )
    return element(
        "svg",
        content,
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {width} {height}",
        width="100%",
        style=f"max-width:{width}px",
        role="img",
        aria_labelledby=f"{id_prefix}-title {id_prefix}-desc",
        font_family=FONT_FAMILY,
    )


def _definitions(edges: list[Edge], id_prefix: str) -> str:
    used = [marker for head, marker in _MARKERS.items() if any(edge.head is head for edge in edges)]
    if any(edge.both_ways for edge in edges):
        used.append(_START_ARROW)
    markers = "".join(
        element(
            "marker",
            marker.markup,
            id=f"{id_prefix}-{marker.name}",
            viewBox="0 0 10 10",
            refX=number(marker.ref_x),
            refY="5",
            markerWidth="10",
            markerHeight="10",
            markerUnits="userSpaceOnUse",
            orient="auto",
            fill=EDGE_COLOR,
            stroke=EDGE_COLOR,
        )
        for marker in used
    )
    return element("defs", markers) if markers else ""


def _edge(edge: Edge, route: Route, id_prefix: str) -> str:
    start, curves = route.start, route.curves
    end_marker = _MARKERS.get(edge.head)
    if end_marker:
        curves = _trim_end(curves, end_marker.length)
    if edge.both_ways:
        start, curves = _trim_start(start, curves, _START_ARROW.length)
    path = f"M{_point(start)}" + "".join(
        f"C{_point(c1)} {_point(c2)} {_point(end)}" for c1, c2, end in curves
    )
    return element(
        "path",
        d=path,
        fill="none",
        stroke=EDGE_COLOR,
        stroke_width=number(_STROKE_WIDTHS[edge.line_style]),
        stroke_dasharray=_DASHES.get(edge.line_style),
        marker_start=f"url(#{id_prefix}-{_START_ARROW.name})" if edge.both_ways else None,
        marker_end=f"url(#{id_prefix}-{end_marker.name})" if end_marker else None,
    )


def _trim_end(curves: list[Curve], length: float) -> list[Curve]:
    """Pull the last point back along its tangent, leaving room for the marker."""
    first_control, last_control, end = curves[-1]
    step = scaled(unit(end, last_control if last_control != end else first_control), length)
    return [*curves[:-1], (first_control, minus(last_control, step), minus(end, step))]


def _trim_start(start: Point, curves: list[Curve], length: float) -> tuple[Point, list[Curve]]:
    """Push the first point forward along its tangent, leaving room for the start marker."""
    first_control, last_control, end = curves[0]
    step = scaled(unit(first_control if first_control != start else last_control, start), length)
    return plus(start, step), [(plus(first_control, step), last_control, end), *curves[1:]]


def _edge_label(box: Box, text: TextBlock) -> str:
    padding_x, padding_y = EDGE_LABEL_PADDING
    background = element(
        "rect",
        x=number(box.left - padding_x),
        y=number(box.top - padding_y),
        width=number(box.width + 2 * padding_x),
        height=number(box.height + 2 * padding_y),
        rx="3",
        fill=BACKGROUND,
    )
    return element("g", background + _text(text, box.center, EDGE_LABEL_TEXT), class_="edge-label")


def _node(chart: Flowchart, node_id: str, box: Box, text: TextBlock) -> str:
    node = chart.nodes[node_id]
    fill = node.style.fill or NODE_FILL
    paint = {
        "fill": fill,
        "stroke": node.style.stroke or NODE_STROKE,
        "stroke_width": number(
            node.style.stroke_width if node.style.stroke_width is not None else NODE_STROKE_WIDTH
        ),
    }
    color = readable_text_color(fill, node.style.color or NODE_TEXT)
    shape = shape_markup(node.shape, box.center, box.width, box.height, paint)
    text_center = (box.center[0], box.center[1] + text_offset(node.shape, box.width))
    return element("g", shape + _text(text, text_center, color), class_="node")


def _cluster(box: Box, style: Style) -> str:
    return element(
        "rect",
        x=number(box.left),
        y=number(box.top),
        width=number(box.width),
        height=number(box.height),
        rx="6",
        fill=style.fill or CLUSTER_FILL,
        stroke=style.stroke or CLUSTER_STROKE,
        stroke_width=number(style.stroke_width if style.stroke_width is not None else 1),
        class_="cluster",
    )


def _cluster_title(box: Box, style: Style, title: TextBlock) -> str:
    fill = style.fill or CLUSTER_FILL
    center = (box.center[0], box.top + CLUSTER_TITLE_INSET + title.height / 2)
    background = element(
        "rect",
        x=number(center[0] - title.width / 2 - CLUSTER_TITLE_INSET / 2),
        y=number(box.top + CLUSTER_TITLE_INSET),
        width=number(title.width + CLUSTER_TITLE_INSET),
        height=number(title.height),
        fill=fill,
    )
    color = readable_text_color(fill, style.color or CLUSTER_TEXT)
    return element("g", background + _text(title, center, color), class_="cluster-title")


def _text(block: TextBlock, center: Point, color: str) -> str:
    """Centred lines, one tspan each; baselines computed, not left to dominant-baseline."""
    cx, cy = center
    first_middle = cy - (len(block.lines) - 1) * block.line_height / 2
    lines = "".join(
        element(
            "tspan",
            escape(line),
            x=number(cx),
            y=number(first_middle + index * block.line_height + _BASELINE_SHIFT * block.font_size),
        )
        for index, line in enumerate(block.lines)
    )
    return element(
        "text",
        lines,
        text_anchor="middle",
        font_size=number(block.font_size),
        font_weight="600" if block.bold else None,
        fill=color,
    )


def _point(point: Point) -> str:
    return f"{number(point[0])},{number(point[1])}"
