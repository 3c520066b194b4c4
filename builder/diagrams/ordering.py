"""Crossing reduction: barycenter sweeps that keep each subgraph's items together."""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import pairwise

from builder.diagrams.layered import LayeredGraph

_SWEEPS = 8


def fmean(values: list[float]) -> float:
    """statistics.fmean to the bit, without importing statistics (and with it decimal,
    fractions and random: about a third of what the diagrams took to import)."""
    return math.fsum(values) / len(values)


def order_layers(graph: LayeredGraph) -> None:
    """Reorder `graph.layers` in place to reduce edge crossings.

    Alternates downward sweeps (sort a layer by the mean position of its upper
    neighbours) and upward ones, keeping the ordering with the fewest crossings.
    """
    initial_ranks = _cluster_ranks(graph, graph.layers)
    current = [
        _arrange(
            graph, layer, {item: position for position, item in enumerate(layer)}, initial_ranks
        )
        for layer in graph.layers
    ]
    best, best_crossings = current, _crossings(graph, current)
    for sweep in range(_SWEEPS):
        current = _sweep(graph, current, downward=sweep % 2 == 0)
        _transpose(graph, current, swap_ties=sweep % 2 == 1)
        crossings = _crossings(graph, current)
        if crossings < best_crossings:
            best, best_crossings = current, crossings
    graph.layers = best


def _sweep(graph: LayeredGraph, layers: list[list[int]], downward: bool) -> list[list[int]]:
    order = [list(layer) for layer in layers]
    cluster_ranks = _cluster_ranks(graph, order)
    indices = range(1, len(order)) if downward else range(len(order) - 2, -1, -1)
    for index in indices:
        fixed = order[index - 1] if downward else order[index + 1]
        neighbours = graph.upper if downward else graph.lower
        values = _barycenters(order[index], fixed, neighbours)
        order[index] = _arrange(graph, order[index], values, cluster_ranks)
    return order


def _transpose(graph: LayeredGraph, layers: list[list[int]], swap_ties: bool) -> None:
    """Swap neighbours of the same subgraph while that removes crossings (Gansner et al.).

    With `swap_ties`, a first pass also swaps pairs whose crossings stay the same: that lets
    the next sweep escape orders where barycenters tie.
    """
    if swap_ties:
        _transpose_pass(graph, layers, swap_ties=True)
    while _transpose_pass(graph, layers, swap_ties=False):
        pass


def _transpose_pass(graph: LayeredGraph, layers: list[list[int]], swap_ties: bool) -> bool:
    swapped = False
    positions = [{item: position for position, item in enumerate(layer)} for layer in layers]
    for index, layer in enumerate(layers):
        for position in range(len(layer) - 1):
            first, second = layer[position], layer[position + 1]
            if graph.items[first].clusters != graph.items[second].clusters:
                continue
            now = _pair_crossings(graph, positions, index, first, second)
            swapped_crossings = _pair_crossings(graph, positions, index, second, first)
            if swapped_crossings < now or (swap_ties and 0 < now == swapped_crossings):
                layer[position], layer[position + 1] = second, first
                positions[index][first], positions[index][second] = position + 1, position
                swapped = True
    return swapped


def _pair_crossings(
    graph: LayeredGraph, positions: list[dict[int, int]], index: int, left: int, right: int
) -> int:
    """Crossings between the edges of `left` and `right` if `left` comes first."""
    total = 0
    for neighbours, neighbour_index in ((graph.upper, index - 1), (graph.lower, index + 1)):
        if not 0 <= neighbour_index < len(positions):
            continue
        neighbour_position = positions[neighbour_index]
        total += sum(
            1
            for left_neighbour, _ in neighbours[left]
            for right_neighbour, _ in neighbours[right]
            if neighbour_position[left_neighbour] > neighbour_position[right_neighbour]
        )
    return total


def _barycenters(
    layer: list[int], fixed: list[int], neighbours: list[list[tuple[int, float]]]
) -> dict[int, float]:
    """Mean position of each item's neighbours in `fixed`; items without any keep their place."""
    fixed_position = {item: position for position, item in enumerate(fixed)}
    scale = max(len(fixed) - 1, 1) / max(len(layer) - 1, 1)
    values = {}
    for position, item in enumerate(layer):
        positions = [fixed_position[neighbour] for neighbour, _ in neighbours[item]]
        values[item] = fmean(positions) if positions else position * scale
    return values


def _arrange(
    graph: LayeredGraph,
    items: list[int],
    values: dict[int, float],
    cluster_ranks: dict[str, float],
    depth: int = 0,
) -> list[int]:
    """Sort by value, with each subgraph's items kept contiguous and sibling subgraphs in one
    global order (so that their boxes never have to cross from one layer to the next)."""
    groups: dict[int | str, list[int]] = defaultdict(list)
    for item in items:
        clusters = graph.items[item].clusters
        groups[clusters[depth] if len(clusters) > depth else item].append(item)
    keys = sorted(groups, key=lambda key: fmean([values[item] for item in groups[key]]))
    clusters_in_rank_order = iter(
        sorted((key for key in keys if isinstance(key, str)), key=cluster_ranks.__getitem__)
    )
    keys = [next(clusters_in_rank_order) if isinstance(key, str) else key for key in keys]
    arranged: list[int] = []
    for key in keys:
        if isinstance(key, str):
            arranged.extend(_arrange(graph, groups[key], values, cluster_ranks, depth + 1))
        else:
            arranged.append(key)
    return arranged


def _cluster_ranks(graph: LayeredGraph, layers: list[list[int]]) -> dict[str, float]:
    """Each subgraph's mean relative position across the layers it spans."""
    positions: dict[str, list[float]] = defaultdict(list)
    for layer in layers:
        for position, item in enumerate(layer):
            for cluster in graph.items[item].clusters:
                positions[cluster].append(position / len(layer))
    return {cluster: fmean(values) for cluster, values in positions.items()}


def _crossings(graph: LayeredGraph, layers: list[list[int]]) -> int:
    total = 0
    for upper_layer, lower_layer in pairwise(layers):
        lower_position = {item: position for position, item in enumerate(lower_layer)}
        segments = [
            (upper_position, lower_position[lower])
            for upper_position, upper in enumerate(upper_layer)
            for lower, _ in graph.lower[upper]
        ]
        total += sum(
            1
            for index, (upper_a, lower_a) in enumerate(segments)
            for upper_b, lower_b in segments[index + 1 :]
            if (upper_a - upper_b) * (lower_a - lower_b) < 0
        )
    return total
