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
from builder.diagrams.layered import Item, ItemKind, LayeredGraph, common_prefix
from builder.diagrams.model import Direction
from builder.diagrams.ordering import order_layers
from builder.diagrams.placement import CLUSTER_PADDING, ClusterRoom, place

Curve = tuple[Point, Point, Point]  # the two control points and the end of a cubic Bézier

MARGIN = 12.0
RANK_GAP = 24.0
# Gaps between rows grow with the sideways run of the edges crossing them, up to a limit,
# so that edges fanning out far stay readable slopes rather than near-flat lines.
_SLOPE_GAP = 0.12
_MAX_RANK_GAP = 3 * RANK_GAP
# How far a node's first self-loop reaches out of it; each further loop reaches a step more.
LOOP_REACH = 32.0
LOOP_STEP = 12.0
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
    builder = _GraphBuilder(frame, nodes, edges, clusters, layer_of)
    for index, edge in enumerate(edges):
        if index in flows:
            builder.add_chain(index, *downstream[index], edge.label_size)
        else:
            builder.add_loop(index, edge)
    builder.add_fillers()
    builder.graph.layers = _initial_order(builder.graph, list(builder.node_items.values()))
    order_layers(builder.graph)
    rooms = {
        cluster: ClusterRoom(
            title_room=spec.title_size[1] if frame.horizontal else 0.0,
            min_size=0.0 if frame.horizontal else spec.title_size[0],
        )
        for cluster, spec in clusters.items()
    }
    across, cluster_across = place(builder.graph, rooms)
    rows = _RowStacker(frame, clusters, builder.spans).stack(builder.graph, across)
    assembler = _Assembler(frame, nodes, builder, across, cluster_across, rows)
    return Layout(
        width=assembler.width,
        height=assembler.height,
        nodes={node_id: assembler.node_box(node_id) for node_id in nodes},
        edges=[
            assembler.route(index, edge, index in reversed_edges)
            if index in flows
            else assembler.loop(index, edge)
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
    """Longest path from the sources, then each source moved down next to its nearest child."""
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
        edges: list[EdgeSpec],
        clusters: dict[str, ClusterSpec],
        layer_of: dict[str, int],
    ):
        self.frame = frame
        self.edges = edges
        self.graph = LayeredGraph()
        self.clusters = clusters
        self.paths = {
            node: _cluster_path(clusters, cluster)
            for cluster, spec in clusters.items()
            for node in spec.nodes
        }
        self.chains: dict[int, list[int]] = {}
        self.label_items: dict[int, int] = {}
        self.loops: dict[str, list[int]] = defaultdict(list)
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
        clusters = common_prefix(self.graph.items[first].clusters, self.graph.items[last].clusters)
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

    def add_loop(self, edge_index: int, edge: EdgeSpec) -> None:
        """Keep room beside a node for its self-loops, nested, and their labels, side by side."""
        loops = self.loops[edge.source]
        loops.append(edge_index)
        label_room = sum(self.loop_label_room(loop_edge) for loop_edge in loops)
        item = self.graph.items[self.node_items[edge.source]]
        item.trailing = LOOP_REACH + LOOP_STEP * (len(loops) - 1) + label_room

    def loop_label_room(self, edge_index: int) -> float:
        label_size = self.edges[edge_index].label_size
        return _LABEL_GAP + self.frame.across_size(*label_size) if label_size else 0.0

    def add_fillers(self) -> None:
        """Give every subgraph an item in each layer its box crosses."""
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


def _cluster_path(clusters: dict[str, ClusterSpec], cluster: str) -> tuple[str, ...]:
    """A subgraph and its ancestors, outermost first."""
    path = [cluster]
    while clusters[path[0]].parent is not None:
        path.insert(0, clusters[path[0]].parent)
    return tuple(path)


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


class _RowStacker:
    """Stacks the layers along the flow, widening the gaps where subgraph boxes start or end
    so that a box's padding and title never overlap the row before or after it."""

    def __init__(
        self, frame: _Frame, clusters: dict[str, ClusterSpec], spans: dict[str, tuple[int, int]]
    ):
        self.spans = spans
        # A title sits at the top of its box, which is where the flow starts unless it goes up;
        # in left-right charts it takes room across the flow instead (see `placement`).
        title_room = {
            cluster: 0.0 if frame.horizontal else spec.title_size[1]
            for cluster, spec in clusters.items()
        }
        self.start_room = {c: 0.0 if frame.backwards else room for c, room in title_room.items()}
        self.end_room = {c: room if frame.backwards else 0.0 for c, room in title_room.items()}
        self.min_length = {
            cluster: spec.title_size[0] + 2 * CLUSTER_PADDING if frame.horizontal else 0.0
            for cluster, spec in clusters.items()
        }
        self.depth = {cluster: len(_cluster_path(clusters, cluster)) for cluster in clusters}
        self.children = defaultdict(list)
        for cluster, spec in clusters.items():
            if spec.parent is not None:
                self.children[spec.parent].append(cluster)

    def stack(self, graph: LayeredGraph, across: list[float]) -> _Rows:
        starting, ending = defaultdict(list), defaultdict(list)
        for cluster, (first, last) in self.spans.items():
            starting[first].append(cluster)
            ending[last].append(cluster)
        box_start: dict[str, float] = {}
        box_end: dict[str, float] = {}
        centers = []
        position = 0.0
        for index, layer in enumerate(graph.layers):
            leads = {cluster: self.lead(cluster) for cluster in starting[index]}
            gap = _rank_gap(graph, graph.layers[index - 1], across) if index else 0.0
            position += gap + max(leads.values(), default=0.0)
            box_start.update((cluster, position - lead) for cluster, lead in leads.items())
            extent = max((graph.items[item].rank_size for item in layer), default=0.0)
            centers.append(position + extent / 2)
            position += extent
            # Inner boxes first: an outer box ends after the inner ones it contains.
            for cluster in sorted(ending[index], key=self.depth.__getitem__, reverse=True):
                box_end[cluster] = self.box_end(cluster, position, box_start, box_end)
            position = max([position, *(box_end[cluster] for cluster in ending[index])])
        spans = {cluster: (box_start[cluster], box_end[cluster]) for cluster in self.spans}
        return _Rows(centers, spans, position)

    def lead(self, cluster: str) -> float:
        """Distance from the box's start to the start of its first row."""
        first = self.spans[cluster][0]
        nested = (
            self.lead(child) for child in self.children[cluster] if self.spans[child][0] == first
        )
        return CLUSTER_PADDING + self.start_room[cluster] + max(nested, default=0.0)

    def box_end(
        self, cluster: str, row_end: float, box_start: dict[str, float], box_end: dict[str, float]
    ) -> float:
        last = self.spans[cluster][1]
        nested = (
            box_end[child] for child in self.children[cluster] if self.spans[child][1] == last
        )
        content_end = max(nested, default=row_end)
        return max(
            content_end + CLUSTER_PADDING + self.end_room[cluster],
            box_start[cluster] + self.min_length[cluster],
        )


def _rank_gap(graph: LayeredGraph, upper_layer: list[int], across: list[float]) -> float:
    """The gap below `upper_layer`, from the longest sideways run of an edge leaving it."""
    runs = [
        abs(across[item] - across[lower]) for item in upper_layer for lower, _ in graph.lower[item]
    ]
    return min(_MAX_RANK_GAP, max(RANK_GAP, _SLOPE_GAP * max(runs, default=0.0)))


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

    def loop(self, index: int, edge: EdgeSpec) -> Route:
        """A self-loop on the node's side, from its upper half to its lower half; a node's
        loops nest, and their labels line up beyond the outermost one."""
        box = self.node_box(edge.source)
        outline = self.nodes[edge.source].outline
        flow, across = self.frame.flow, self.frame.across
        quarter = self.frame.along_size(box.width, box.height) / 4
        start = _border_point(box.center, outline, across, scaled(flow, -quarter))
        end = _border_point(box.center, outline, across, scaled(flow, quarter))
        loops = self.builder.loops[edge.source]
        reach = LOOP_REACH + LOOP_STEP * loops.index(index)
        control = scaled(across, reach * 4 / 3)  # a cubic reaches 3/4 of its control points
        label = None
        if edge.label_size:
            outermost = LOOP_REACH + LOOP_STEP * (len(loops) - 1)
            before = sum(
                self.builder.loop_label_room(other) for other in loops[: loops.index(index)]
            )
            label_half = self.frame.across_size(*edge.label_size) / 2
            half_across = self.frame.across_size(box.width, box.height) / 2
            distance = half_across + outermost + before + _LABEL_GAP + label_half
            label = Box(plus(box.center, scaled(across, distance)), *edge.label_size)
        return Route(start, [(plus(start, control), plus(end, control), end)], label)


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
