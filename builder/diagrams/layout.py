"""Layered (Sugiyama-style) layout of a flowchart.

1. Break cycles: a depth-first search reverses back edges (they are drawn the right way).
2. Layers: longest path from the sources; every edge spans at least two layers, so that
   edge labels get their own row between node rows.
3. Long edges become chains of bend points, one per layer (see `layered`).
4. Crossing reduction by barycenter sweeps (see `ordering`).
5. Coordinates across the flow (see `placement`) and along it (row by row, with room for
   subgraph boxes and titles).
6. Edges: smooth curves from border to border through their bend points.

Everything is computed in flow coordinates (across, along) and turned into page
coordinates at the end, so the four directions share one algorithm.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass
from itertools import pairwise

from builder.diagrams.geometry import Point, cross, dot, minus, plus, scaled
from builder.diagrams.layered import Item, ItemKind, LayeredGraph
from builder.diagrams.model import Direction
from builder.diagrams.ordering import order_layers
from builder.diagrams.placement import CLUSTER_PADDING, ClusterRoom, place

Curve = tuple[Point, Point, Point]  # the two control points and the end of a cubic Bézier

MARGIN = 12.0
RANK_GAP = 24.0
# How far a self-loop reaches out of its node.
LOOP_REACH = 32.0
_LABEL_GAP = 6.0
# Edge ends spread along the border, up to this share of the node's half-size.
_PORT_SPREAD = 0.5


@dataclass(frozen=True)
class NodeSpec:
    width: float
    height: float
    outline: list[Point]  # border polygon around (0, 0)


@dataclass(frozen=True)
class EdgeSpec:
    source: str
    target: str
    length: int  # Mermaid's edge length: 1 for -->, 2 for --->
    label_size: tuple[float, float] | None


@dataclass(frozen=True)
class ClusterSpec:
    parent: str | None
    nodes: list[str]
    title_size: tuple[float, float]


@dataclass(frozen=True)
class Box:
    center: Point
    width: float
    height: float

    @property
    def left(self) -> float:
        return self.center[0] - self.width / 2

    @property
    def top(self) -> float:
        return self.center[1] - self.height / 2


@dataclass(frozen=True)
class Route:
    """An edge from its source's border to its target's, as cubic Bézier curves."""

    start: Point
    curves: list[Curve]
    label: Box | None


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: dict[str, Box]
    edges: list[Route]  # in the order of the edge specs
    clusters: dict[str, Box]


class _Frame:
    """Turns flow coordinates (across, along) into page coordinates for one direction."""

    def __init__(self, direction: Direction):
        self.horizontal = direction.is_horizontal
        self.backwards = direction in (Direction.BOTTOM_UP, Direction.RIGHT_LEFT)
        self.length = 0.0  # the along-extent, known once rows are placed

    def across_size(self, width: float, height: float) -> float:
        return height if self.horizontal else width

    def along_size(self, width: float, height: float) -> float:
        return width if self.horizontal else height

    def page(self, across: float, along: float) -> Point:
        if self.backwards:
            along = self.length - along
        return (along, across) if self.horizontal else (across, along)

    @property
    def flow(self) -> Point:
        """Unit vector of the flow on the page."""
        sign = -1.0 if self.backwards else 1.0
        return (sign, 0.0) if self.horizontal else (0.0, sign)

    @property
    def across(self) -> Point:
        return (0.0, 1.0) if self.horizontal else (1.0, 0.0)


def layout_flowchart(
    direction: Direction,
    nodes: dict[str, NodeSpec],
    edges: list[EdgeSpec],
    clusters: dict[str, ClusterSpec],
) -> Layout:
    frame = _Frame(direction)
    flows = {index: edge for index, edge in enumerate(edges) if edge.source != edge.target}
    reversed_edges = _edges_to_reverse(list(nodes), flows)
    downstream = {
        index: (edge.target, edge.source) if index in reversed_edges else (edge.source, edge.target)
        for index, edge in flows.items()
    }
    layer_of = _assign_layers(
        list(nodes), {index: (*downstream[index], 2 * flows[index].length) for index in flows}
    )
    builder = _GraphBuilder(frame, nodes, clusters, layer_of)
    for index, edge in enumerate(edges):
        if index in flows:
            builder.add_chain(index, *downstream[index], edge.label_size)
        else:
            builder.add_loop_room(edge.source, edge.label_size)
    builder.add_fillers()
    order_layers(builder.graph)
    rooms = {
        cluster: ClusterRoom(
            title_room=spec.title_size[1] if frame.horizontal else 0.0,
            min_size=0.0 if frame.horizontal else spec.title_size[0],
        )
        for cluster, spec in clusters.items()
    }
    across, cluster_across = place(builder.graph, rooms)
    rows = _place_rows(builder.graph, frame, clusters, builder.spans)
    assembler = _Assembler(frame, nodes, builder, across, cluster_across, rows)
    return Layout(
        width=assembler.width,
        height=assembler.height,
        nodes={node_id: assembler.node_box(node_id) for node_id in nodes},
        edges=[
            assembler.route(index, edge, index in reversed_edges)
            if index in flows
            else assembler.loop(edge)
            for index, edge in enumerate(edges)
        ],
        clusters={cluster: assembler.cluster_box(cluster) for cluster in clusters},
    )


def _edges_to_reverse(node_ids: list[str], edges: dict[int, EdgeSpec]) -> set[int]:
    """Back edges of a depth-first search started from the sources, in declaration order."""
    outgoing: dict[str, list[int]] = defaultdict(list)
    has_incoming = set()
    for index, edge in edges.items():
        outgoing[edge.source].append(index)
        has_incoming.add(edge.target)
    roots = [node for node in node_ids if node not in has_incoming] + node_ids
    on_path, done, back_edges = set(), set(), set()
    for root in roots:
        if root in done or root in on_path:
            continue
        on_path.add(root)
        stack = [(root, iter(outgoing[root]))]
        while stack:
            node, pending = stack[-1]
            index = next(pending, None)
            if index is None:
                on_path.discard(node)
                done.add(node)
                stack.pop()
                continue
            target = edges[index].target
            if target in on_path:
                back_edges.add(index)
            elif target not in done:
                on_path.add(target)
                stack.append((target, iter(outgoing[target])))
    return back_edges


def _assign_layers(node_ids: list[str], edges: dict[int, tuple[str, str, int]]) -> dict[str, int]:
    """Longest path from the sources, then sources moved down next to their first child."""
    outgoing: dict[str, list[tuple[str, int]]] = defaultdict(list)
    incoming_count = dict.fromkeys(node_ids, 0)
    for source, target, span in edges.values():
        outgoing[source].append((target, span))
        incoming_count[target] += 1
    sources = {node for node, count in incoming_count.items() if count == 0}
    layer = dict.fromkeys(node_ids, 0)
    ready = deque(node for node in node_ids if incoming_count[node] == 0)
    topological = []
    while ready:
        node = ready.popleft()
        topological.append(node)
        for target, span in outgoing[node]:
            layer[target] = max(layer[target], layer[node] + span)
            incoming_count[target] -= 1
            if incoming_count[target] == 0:
                ready.append(target)
    for node in reversed(topological):
        if node in sources and outgoing[node]:
            layer[node] = min(layer[target] - span for target, span in outgoing[node])
    return layer


class _GraphBuilder:
    """Builds the layered graph: one item per node, a chain of bend points per edge."""

    def __init__(
        self,
        frame: _Frame,
        nodes: dict[str, NodeSpec],
        clusters: dict[str, ClusterSpec],
        layer_of: dict[str, int],
    ):
        self.frame = frame
        self.graph = LayeredGraph()
        self.clusters = clusters
        self.paths = {
            node: _cluster_path(clusters, cluster)
            for cluster, spec in clusters.items()
            for node in spec.nodes
        }
        self.chains: dict[int, list[int]] = {}
        self.label_items: dict[int, int] = {}
        self.loop_labels: dict[str, tuple[float, float]] = {}
        self.node_items = {
            node_id: self.graph.add_item(
                Item(
                    ItemKind.NODE,
                    layer_of[node_id],
                    frame.across_size(spec.width, spec.height),
                    frame.along_size(spec.width, spec.height),
                    self.paths.get(node_id, ()),
                )
            )
            for node_id, spec in nodes.items()
        }
        self.spans: dict[str, tuple[int, int]] = {}

    def add_chain(
        self, edge_index: int, upper: str, lower: str, label_size: tuple[float, float] | None
    ) -> None:
        first, last = self.node_items[upper], self.node_items[lower]
        first_layer, last_layer = self.graph.items[first].layer, self.graph.items[last].layer
        label_layer = (first_layer + last_layer) // 2
        if label_layer % 2 == 0:
            label_layer -= 1  # odd layers are the rows between node rows
        clusters = _common_prefix(self.graph.items[first].clusters, self.graph.items[last].clusters)
        chain = [first]
        for layer in range(first_layer + 1, last_layer):
            if label_size and layer == label_layer:
                width, height = label_size
                item = Item(
                    ItemKind.LABEL,
                    layer,
                    self.frame.across_size(width, height),
                    self.frame.along_size(width, height),
                    clusters,
                )
                self.label_items[edge_index] = len(self.graph.items)
            else:
                item = Item(ItemKind.VIRTUAL, layer, 0.0, 0.0, clusters)
            chain.append(self.graph.add_item(item))
        chain.append(last)
        for upper_item, lower_item in pairwise(chain):
            self.graph.connect(upper_item, lower_item)
        self.chains[edge_index] = chain

    def add_loop_room(self, node_id: str, label_size: tuple[float, float] | None) -> None:
        """Keep room beside a node for its self-loop (and the loop's label)."""
        item = self.graph.items[self.node_items[node_id]]
        label_room = self.frame.across_size(*label_size) + _LABEL_GAP if label_size else 0.0
        item.trailing = max(item.trailing, LOOP_REACH + label_room)

    def add_fillers(self) -> None:
        """Give every subgraph an item in each layer its box crosses, then lay out the items."""
        for item in self.graph.items:
            for cluster in item.clusters:
                first, last = self.spans.get(cluster, (item.layer, item.layer))
                self.spans[cluster] = (min(first, item.layer), max(last, item.layer))
        occupied = {(cluster, item.layer) for item in self.graph.items for cluster in item.clusters}
        for cluster, (first, last) in self.spans.items():
            for layer in range(first, last + 1):
                if (cluster, layer) not in occupied:
                    path = _cluster_path(self.clusters, cluster)
                    self.graph.add_item(Item(ItemKind.FILLER, layer, 0.0, 0.0, path))
        self.graph.layers = _initial_order(self.graph, list(self.node_items.values()))


def _cluster_path(clusters: dict[str, ClusterSpec], cluster: str) -> tuple[str, ...]:
    """A subgraph and its ancestors, outermost first."""
    path = [cluster]
    while clusters[path[0]].parent is not None:
        path.insert(0, clusters[path[0]].parent)
    return tuple(path)


def _common_prefix(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    shared = 0
    while shared < min(len(first), len(second)) and first[shared] == second[shared]:
        shared += 1
    return first[:shared]


def _initial_order(graph: LayeredGraph, nodes: list[int]) -> list[list[int]]:
    """Depth-first order from the top nodes, so that connected items start side by side."""
    layers: list[list[int]] = [[] for _ in graph.layers]
    seen = set()
    roots = [node for node in nodes if not graph.upper[node]] + list(range(len(graph.items)))
    for root in roots:
        stack = [root]
        while stack:
            item = stack.pop()
            if item in seen:
                continue
            seen.add(item)
            layers[graph.items[item].layer].append(item)
            stack.extend(reversed([lower for lower, _ in graph.lower[item]]))
    return layers


@dataclass(frozen=True)
class _Rows:
    """Positions along the flow: each layer's centre line and each subgraph box's extent."""

    centers: list[float]
    cluster_spans: dict[str, tuple[float, float]]
    length: float


def _place_rows(
    graph: LayeredGraph,
    frame: _Frame,
    clusters: dict[str, ClusterSpec],
    spans: dict[str, tuple[int, int]],
) -> _Rows:
    """Stack the layers, widening the gaps where subgraph boxes start or end so that a box's
    padding and title never overlap the row before or after it."""
    title_along = {
        cluster: 0.0 if frame.horizontal else spec.title_size[1]
        for cluster, spec in clusters.items()
    }
    min_length = {
        cluster: spec.title_size[0] + 2 * CLUSTER_PADDING if frame.horizontal else 0.0
        for cluster, spec in clusters.items()
    }
    children = defaultdict(list)
    for cluster, spec in clusters.items():
        if spec.parent is not None:
            children[spec.parent].append(cluster)

    def lead(cluster: str) -> float:
        """Distance from the first row's start to the box's start."""
        first = spans[cluster][0]
        title = 0.0 if frame.backwards else title_along[cluster]
        return (
            CLUSTER_PADDING
            + title
            + max(
                (lead(child) for child in children[cluster] if spans[child][0] == first),
                default=0.0,
            )
        )

    starting, ending = defaultdict(list), defaultdict(list)
    for cluster, (first, last) in spans.items():
        starting[first].append(cluster)
        ending[last].append(cluster)
    box_start, box_end, centers = {}, {}, []
    position = 0.0
    for index, layer in enumerate(graph.layers):
        position += (RANK_GAP if index else 0.0) + max(
            (lead(cluster) for cluster in starting[index]), default=0.0
        )
        box_start.update((cluster, position - lead(cluster)) for cluster in starting[index])
        extent = max((graph.items[item].rank_size for item in layer), default=0.0)
        centers.append(position + extent / 2)
        position += extent
        # Inner boxes first: an outer box ends after the inner ones it contains.
        for cluster in sorted(
            ending[index], key=lambda cluster: -len(_cluster_path(clusters, cluster))
        ):
            inner_end = max(
                (box_end[child] for child in children[cluster] if spans[child][1] == index),
                default=position,
            )
            title = title_along[cluster] if frame.backwards else 0.0
            box_end[cluster] = max(
                inner_end + CLUSTER_PADDING + title, box_start[cluster] + min_length[cluster]
            )
        position = max([position, *(box_end[cluster] for cluster in ending[index])])
    return _Rows(
        centers, {cluster: (box_start[cluster], box_end[cluster]) for cluster in spans}, position
    )


class _Assembler:
    """Page coordinates: boxes for nodes and subgraphs, curves for edges."""

    def __init__(
        self,
        frame: _Frame,
        nodes: dict[str, NodeSpec],
        builder: _GraphBuilder,
        across: list[float],
        cluster_across: dict[str, tuple[float, float]],
        rows: _Rows,
    ):
        self.frame = frame
        self.nodes = nodes
        self.builder = builder
        self.rows = rows
        items = builder.graph.items
        self.label_layers = {item.layer for item in items if item.kind is ItemKind.LABEL}
        starts = [position - item.order_size / 2 for position, item in zip(across, items)]
        ends = [
            position + item.order_size / 2 + item.trailing for position, item in zip(across, items)
        ]
        starts.extend(start for start, _ in cluster_across.values())
        ends.extend(end for _, end in cluster_across.values())
        shift = MARGIN - min(starts)
        self.across = [position + shift for position in across]
        self.cluster_across = {
            cluster: (start + shift, end + shift)
            for cluster, (start, end) in cluster_across.items()
        }
        across_length = max(ends) - min(starts) + 2 * MARGIN
        frame.length = rows.length + 2 * MARGIN
        self.width, self.height = (
            (frame.length, across_length) if frame.horizontal else (across_length, frame.length)
        )

    def item_point(self, item: int) -> Point:
        layer = self.builder.graph.items[item].layer
        return self.frame.page(self.across[item], MARGIN + self.rows.centers[layer])

    def node_box(self, node_id: str) -> Box:
        spec = self.nodes[node_id]
        return Box(self.item_point(self.builder.node_items[node_id]), spec.width, spec.height)

    def cluster_box(self, cluster: str) -> Box:
        across_start, across_end = self.cluster_across[cluster]
        along_start, along_end = self.rows.cluster_spans[cluster]
        first = self.frame.page(across_start, MARGIN + along_start)
        second = self.frame.page(across_end, MARGIN + along_end)
        center = ((first[0] + second[0]) / 2, (first[1] + second[1]) / 2)
        return Box(center, abs(second[0] - first[0]), abs(second[1] - first[1]))

    def route(self, index: int, edge: EdgeSpec, reversed_edge: bool) -> Route:
        """Border to border through the edge's bend points; back edges are walked backwards."""
        items = self.builder.graph.items
        chain = self.builder.chains[index]
        # In a row between node rows, a bend point only matters if the row holds labels to avoid;
        # elsewhere, dropping it lets the edge run as one smooth curve.
        bends = [
            item
            for item in chain[1:-1]
            if items[item].layer % 2 == 0 or items[item].layer in self.label_layers
        ]
        points = [self.item_point(item) for item in [chain[0], *bends, chain[-1]]]
        upstream, downstream = (
            (edge.target, edge.source) if reversed_edge else (edge.source, edge.target)
        )
        flow = self.frame.flow
        points[0] = self.port(upstream, flow, points[1])
        points[-1] = self.port(downstream, scaled(flow, -1), points[-2])
        if reversed_edge:
            points.reverse()
        curves = [self.flow_curve(start, end) for start, end in pairwise(points)]
        label_item = self.builder.label_items.get(index)
        label = (
            Box(self.item_point(label_item), *edge.label_size) if label_item is not None else None
        )
        return Route(points[0], curves, label)

    def port(self, node_id: str, direction: Point, toward: Point) -> Point:
        """Where an edge leaves or enters a node: on the border facing the flow, shifted
        towards the edge's other end so that several edges fan out."""
        box = self.node_box(node_id)
        across = self.frame.across
        half_across = self.frame.across_size(box.width, box.height) / 2
        wanted = dot(minus(toward, box.center), across) / 2
        offset = max(-half_across * _PORT_SPREAD, min(half_across * _PORT_SPREAD, wanted))
        return _border_point(
            box.center, self.nodes[node_id].outline, direction, scaled(across, offset)
        )

    def flow_curve(self, start: Point, end: Point) -> Curve:
        """An S-curve leaving and arriving parallel to the flow."""
        flow = self.frame.flow
        half = dot(minus(end, start), flow) / 2
        return plus(start, scaled(flow, half)), minus(end, scaled(flow, half)), end

    def loop(self, edge: EdgeSpec) -> Route:
        """A self-loop on the node's side, from its upper half to its lower half."""
        box = self.node_box(edge.source)
        outline = self.nodes[edge.source].outline
        flow, across = self.frame.flow, self.frame.across
        quarter = self.frame.along_size(box.width, box.height) / 4
        start = _border_point(box.center, outline, across, scaled(flow, -quarter))
        end = _border_point(box.center, outline, across, scaled(flow, quarter))
        reach = scaled(across, LOOP_REACH * 4 / 3)  # a cubic reaches 3/4 of its control points
        label = None
        if edge.label_size:
            half_across = self.frame.across_size(box.width, box.height) / 2
            label_half = self.frame.across_size(*edge.label_size) / 2
            distance = half_across + LOOP_REACH + _LABEL_GAP + label_half
            label = Box(plus(box.center, scaled(across, distance)), *edge.label_size)
        return Route(start, [(plus(start, reach), plus(end, reach), end)], label)


def _border_point(center: Point, outline: list[Point], direction: Point, shift: Point) -> Point:
    """Where a ray from `center + shift` along `direction` leaves the node's outline."""
    origin = plus(center, shift)
    distances = [0.0]
    corners = [plus(center, corner) for corner in outline]
    for first, second in zip(corners, corners[1:] + corners[:1]):
        side = minus(second, first)
        denominator = cross(direction, side)
        if abs(denominator) < 1e-9:
            continue
        to_first = minus(first, origin)
        along_ray = cross(to_first, side) / denominator
        along_side = cross(to_first, direction) / denominator
        if along_ray >= 0 and 0 <= along_side <= 1:
            distances.append(along_ray)
    return plus(origin, scaled(direction, max(distances)))
