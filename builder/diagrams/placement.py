"""Coordinates across the flow (x for top-down charts) for an ordered layered graph.

Each layer is a sequence of slots: items, and the left/right borders of the subgraph
boxes that cross it. Sweeps move every item towards the mean position of its neighbours
in the layer above (then below), the layer's order and minimum gaps being kept by an
isotonic regression (pool adjacent violators). A last pass makes each subgraph's borders
one straight line through all its layers, pushing whatever is in the way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import accumulate, pairwise

from builder.diagrams.layered import ItemKind, LayeredGraph, common_prefix

NODE_GAP = 28.0
EDGE_GAP = 14.0
CLUSTER_PADDING = 14.0
CLUSTER_GAP = 20.0
_ITERATIONS = 6
# Weight of slots with nothing to align with: they only move when pushed.
_IDLE_WEIGHT = 0.01

Slot = int | tuple[str, str]  # an item index, or ("left"/"right", subgraph id)


@dataclass(frozen=True)
class ClusterRoom:
    """Space a subgraph box needs across the flow besides its content."""

    title_room: float  # before the content, when the title sits across the flow (LR charts)
    min_size: float  # the title's width, when it sits along the flow (TD charts)


def place(
    graph: LayeredGraph, rooms: dict[str, ClusterRoom]
) -> tuple[list[float], dict[str, tuple[float, float]]]:
    """Centre position of every item, and (start, end) of every subgraph box."""
    slots = [_slots_with_borders(graph, layer) for layer in graph.layers]
    gaps = [[_separation(graph, rooms, a, b) for a, b in pairwise(layer)] for layer in slots]
    positions = [[0.0, *accumulate(layer_gaps)] for layer_gaps in gaps]
    for _ in range(_ITERATIONS):
        for downward in (True, False):
            _sweep(graph, slots, gaps, positions, downward)
    return _straighten_borders(graph, rooms, slots, positions)


def _slots_with_borders(graph: LayeredGraph, layer: list[int]) -> list[Slot]:
    slots: list[Slot] = []
    open_clusters: tuple[str, ...] = ()
    for item in layer:
        clusters = graph.items[item].clusters
        shared = len(common_prefix(open_clusters, clusters))
        slots.extend(("right", cluster) for cluster in reversed(open_clusters[shared:]))
        slots.extend(("left", cluster) for cluster in clusters[shared:])
        slots.append(item)
        open_clusters = clusters
    slots.extend(("right", cluster) for cluster in reversed(open_clusters))
    return slots


def _separation(
    graph: LayeredGraph, rooms: dict[str, ClusterRoom], first: Slot, second: Slot
) -> float:
    """Minimum distance between the centres (or border lines) of two neighbouring slots."""
    first_half = (
        graph.items[first].order_size / 2 + graph.items[first].trailing
        if isinstance(first, int)
        else 0.0
    )
    second_half = graph.items[second].order_size / 2 if isinstance(second, int) else 0.0
    if isinstance(first, tuple) and first[0] == "left":
        return CLUSTER_PADDING + rooms[first[1]].title_room + second_half
    if isinstance(second, tuple) and second[0] == "right":
        return first_half + CLUSTER_PADDING
    if isinstance(first, tuple) or isinstance(second, tuple):
        return first_half + CLUSTER_GAP + second_half
    both_boxes = graph.items[first].is_box and graph.items[second].is_box
    return first_half + (NODE_GAP if both_boxes else EDGE_GAP) + second_half


def _sweep(
    graph: LayeredGraph,
    slots: list[list[Slot]],
    gaps: list[list[float]],
    positions: list[list[float]],
    downward: bool,
) -> None:
    item_position = {
        slot: x
        for layer, xs in zip(slots, positions)
        for slot, x in zip(layer, xs)
        if isinstance(slot, int)
    }
    neighbours = graph.upper if downward else graph.lower
    indices = range(1, len(slots)) if downward else range(len(slots) - 2, -1, -1)
    for index in indices:
        pulls = [
            _pull(neighbours[slot] if isinstance(slot, int) else [], x, item_position)
            for slot, x in zip(slots[index], positions[index])
        ]
        targets, weights = [target for target, _ in pulls], [weight for _, weight in pulls]
        positions[index] = _closest_in_order(targets, weights, gaps[index])
        item_position.update(
            (slot, x) for slot, x in zip(slots[index], positions[index]) if isinstance(slot, int)
        )


def _pull(
    neighbours: list[tuple[int, float]], current: float, item_position: dict[int, float]
) -> tuple[float, float]:
    """Where a slot wants to be (the weighted mean of its neighbours) and how strongly."""
    if not neighbours:
        return current, _IDLE_WEIGHT
    total = sum(weight for _, weight in neighbours)
    return sum(item_position[other] * weight for other, weight in neighbours) / total, total


def _closest_in_order(targets: list[float], weights: list[float], gaps: list[float]) -> list[float]:
    """Positions minimising sum(weight * (x - target)^2) with x[i+1] - x[i] >= gaps[i].

    Shifting each x by the sum of the gaps before it turns the constraint into "non-decreasing",
    which pool-adjacent-violators solves exactly.
    """
    offsets = [0.0, *accumulate(gaps)]
    blocks: list[tuple[float, float, int]] = []  # (value, weight, size)
    for target, weight, offset in zip(targets, weights, offsets):
        value, total, size = target - offset, weight, 1
        while blocks and blocks[-1][0] > value:
            previous_value, previous_weight, previous_size = blocks.pop()
            value = (previous_value * previous_weight + value * total) / (previous_weight + total)
            total, size = previous_weight + total, previous_size + size
        blocks.append((value, total, size))
    shifted = [value for value, _, size in blocks for _ in range(size)]
    return [value + offset for value, offset in zip(shifted, offsets)]


def _straighten_borders(
    graph: LayeredGraph,
    rooms: dict[str, ClusterRoom],
    slots: list[list[Slot]],
    positions: list[list[float]],
) -> tuple[list[float], dict[str, tuple[float, float]]]:
    """Give each subgraph one left and one right border line through all its layers, then
    push slots right until every gap holds again (a longest-path pass over the "must be
    left of" constraints).

    A left border starts just before the subgraph's content; right borders and fillers
    start at minus infinity, so that they end up as close to their content as allowed.
    """
    current: dict[Slot, float] = {}
    after: dict[Slot, list[tuple[Slot, float]]] = defaultdict(list)
    for layer, xs in zip(slots, positions):
        for slot, x in zip(layer, xs):
            pushed_only = isinstance(slot, tuple) or graph.items[slot].kind is ItemKind.FILLER
            current[slot] = -math.inf if pushed_only else x
        for first, second in pairwise(layer):
            after[first].append((second, _separation(graph, rooms, first, second)))
    current.update(_left_borders(graph, rooms, current))
    for cluster, room in rooms.items():
        after[("left", cluster)].append((("right", cluster), room.min_size + 2 * CLUSTER_PADDING))
    final = _push_right(current, after)
    item_positions = [final[item] for item in range(len(graph.items))]
    boxes = {cluster: (final[("left", cluster)], final[("right", cluster)]) for cluster in rooms}
    return item_positions, boxes


def _left_borders(
    graph: LayeredGraph, rooms: dict[str, ClusterRoom], current: dict[Slot, float]
) -> dict[Slot, float]:
    """Where each subgraph's left border would sit given its content, innermost first."""
    content_start: dict[str, float] = defaultdict(lambda: math.inf)
    paths = set()
    for index, item in enumerate(graph.items):
        if item.clusters and item.kind is not ItemKind.FILLER:
            innermost = item.clusters[-1]
            content_start[innermost] = min(
                content_start[innermost], current[index] - item.order_size / 2
            )
        paths.update(item.clusters[: depth + 1] for depth in range(len(item.clusters)))
    borders = {}
    for path in sorted(paths, key=lambda path: (-len(path), path)):
        cluster = path[-1]
        border = content_start[cluster] - CLUSTER_PADDING - rooms[cluster].title_room
        borders[("left", cluster)] = border
        if len(path) > 1:
            content_start[path[-2]] = min(content_start[path[-2]], border)
    return borders


def _push_right(
    current: dict[Slot, float], after: dict[Slot, list[tuple[Slot, float]]]
) -> dict[Slot, float]:
    """Visit slots in topological order, moving each right just enough to keep its gaps."""
    waiting = defaultdict(int)
    for successors in after.values():
        for successor, _ in successors:
            waiting[successor] += 1
    ready = [slot for slot in current if not waiting[slot]]
    final = dict(current)
    while ready:
        slot = ready.pop()
        for successor, gap in after[slot]:
            final[successor] = max(final[successor], final[slot] + gap)
            waiting[successor] -= 1
            if not waiting[successor]:
                ready.append(successor)
    return final
