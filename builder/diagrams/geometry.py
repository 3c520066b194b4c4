"""2-D vector helpers on (x, y) tuples."""

from __future__ import annotations

import math

Point = tuple[float, float]


def plus(first: Point, second: Point) -> Point:
    return first[0] + second[0], first[1] + second[1]


def minus(first: Point, second: Point) -> Point:
    return first[0] - second[0], first[1] - second[1]


def scaled(vector: Point, factor: float) -> Point:
    return vector[0] * factor, vector[1] * factor


def dot(first: Point, second: Point) -> float:
    return first[0] * second[0] + first[1] * second[1]


def cross(first: Point, second: Point) -> float:
    return first[0] * second[1] - first[1] * second[0]


def unit(tip: Point, tail: Point) -> Point:
    """The unit vector from `tail` to `tip`."""
    dx, dy = minus(tip, tail)
    length = math.hypot(dx, dy) or 1.0
    return dx / length, dy / length
