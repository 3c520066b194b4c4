"""Node shapes: size around a text block, outline for edge ends, and SVG drawing."""

from __future__ import annotations

import math

from builder.diagrams.geometry import Point
from builder.diagrams.model import Shape
from builder.diagrams.svgwriter import element, number

PADDING_X = 16.0
PADDING_Y = 10.0
_ROUND_RADIUS = 8.0
_SUBROUTINE_INSET = 8.0
_CIRCLE_SEGMENTS = 32


def node_size(shape: Shape, text_width: float, text_height: float) -> tuple[float, float]:
    """Width and height of a node whose text block is `text_width` x `text_height`."""
    height = text_height + 2 * PADDING_Y
    width = text_width + 2 * PADDING_X
    if shape is Shape.CIRCLE:
        diameter = math.hypot(text_width, text_height) + PADDING_Y * 2
        return diameter, diameter
    if shape is Shape.DIAMOND:
        # A rhombus with twice the padded text's half-sizes contains the text block exactly.
        return 2 * (text_width + PADDING_X), 2 * (text_height + PADDING_Y)
    if shape is Shape.STADIUM:
        return text_width + height, height
    if shape is Shape.HEXAGON:
        return width + height / 2, height
    if shape is Shape.FLAG:
        return width + height / 4, height
    if shape is Shape.SUBROUTINE:
        return width + 2 * _SUBROUTINE_INSET, height
    if shape is Shape.CYLINDER:
        return width, height + 2 * _cylinder_radius_y(width)
    return width, height


def text_offset(shape: Shape, width: float) -> float:
    """How far below the centre a label sits: a cylinder's top rim takes room."""
    return _cylinder_radius_y(width) / 2 if shape is Shape.CYLINDER else 0.0


def _cylinder_radius_y(width: float) -> float:
    return min(10.0, max(5.0, width * 0.06))


def outline(shape: Shape, width: float, height: float) -> list[Point]:
    """The border as a polygon around (0, 0), clockwise; curves are approximated."""
    half_w, half_h = width / 2, height / 2
    if shape is Shape.CIRCLE:
        return _ellipse_points(0, 0, half_w, half_h, 0, 2 * math.pi)
    if shape is Shape.DIAMOND:
        return [(0, -half_h), (half_w, 0), (0, half_h), (-half_w, 0)]
    if shape is Shape.HEXAGON:
        inset = height / 4
        return [
            (-half_w + inset, -half_h),
            (half_w - inset, -half_h),
            (half_w, 0),
            (half_w - inset, half_h),
            (-half_w + inset, half_h),
            (-half_w, 0),
        ]
    if shape is Shape.FLAG:
        notch = height / 4
        return [
            (-half_w, -half_h),
            (half_w, -half_h),
            (half_w, half_h),
            (-half_w, half_h),
            (-half_w + notch, 0),
        ]
    if shape is Shape.STADIUM:
        radius = half_h
        right = _ellipse_points(half_w - radius, 0, radius, radius, -math.pi / 2, math.pi / 2)
        left = _ellipse_points(-half_w + radius, 0, radius, radius, math.pi / 2, 3 * math.pi / 2)
        return right + left
    if shape is Shape.CYLINDER:
        radius_y = _cylinder_radius_y(width)
        top = _ellipse_points(0, -half_h + radius_y, half_w, radius_y, math.pi, 2 * math.pi)
        bottom = _ellipse_points(0, half_h - radius_y, half_w, radius_y, 0, math.pi)
        return top + bottom
    return [(-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h)]


def _ellipse_points(
    cx: float, cy: float, rx: float, ry: float, start: float, stop: float
) -> list[Point]:
    steps = max(2, round(_CIRCLE_SEGMENTS * (stop - start) / (2 * math.pi)))
    angles = (start + (stop - start) * step / steps for step in range(steps + 1))
    return [(cx + rx * math.cos(angle), cy + ry * math.sin(angle)) for angle in angles]


def shape_markup(
    shape: Shape, center: Point, width: float, height: float, paint: dict[str, str]
) -> str:
    """SVG for the node's border; `paint` holds the fill, stroke and stroke_width attributes."""
    cx, cy = center
    left, top = cx - width / 2, cy - height / 2
    if shape is Shape.CIRCLE:
        return element("circle", cx=number(cx), cy=number(cy), r=number(width / 2), **paint)
    if shape in (Shape.DIAMOND, Shape.HEXAGON, Shape.FLAG):
        points = " ".join(
            f"{number(cx + x)},{number(cy + y)}" for x, y in outline(shape, width, height)
        )
        return element("polygon", points=points, **paint)
    if shape is Shape.CYLINDER:
        return _cylinder_markup(left, top, width, height, paint)
    radius = {Shape.ROUND: _ROUND_RADIUS, Shape.STADIUM: height / 2}.get(shape, 0.0)
    box = element(
        "rect",
        x=number(left),
        y=number(top),
        width=number(width),
        height=number(height),
        rx=number(radius) if radius else None,
        **paint,
    )
    if shape is not Shape.SUBROUTINE:
        return box
    inner = " ".join(
        f"M{number(x)},{number(top)}V{number(top + height)}"
        for x in (left + _SUBROUTINE_INSET, left + width - _SUBROUTINE_INSET)
    )
    return box + element(
        "path", d=inner, fill="none", stroke=paint["stroke"], stroke_width=paint.get("stroke_width")
    )


def _cylinder_markup(
    left: float, top: float, width: float, height: float, paint: dict[str, str]
) -> str:
    """A body whose top ellipse is drawn whole (back and front rims) and bottom only in front."""
    radius_y = _cylinder_radius_y(width)
    arc = f"a{number(width / 2)},{number(radius_y)} 0 0 0"
    path = (
        f"M{number(left)},{number(top + radius_y)}{arc} {number(width)},0{arc} {number(-width)},0"
        f"v{number(height - 2 * radius_y)}{arc} {number(width)},0v{number(2 * radius_y - height)}"
    )
    return element("path", d=path, **paint)
