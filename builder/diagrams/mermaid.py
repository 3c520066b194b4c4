"""Mermaid flowchart source -> standalone, accessible, inline SVG."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from builder.diagrams.describe import PHRASES, describe
from builder.diagrams.flowchart import parse_flowchart
from builder.diagrams.layout import ClusterSpec, EdgeSpec, NodeSpec, layout_flowchart
from builder.diagrams.model import Flowchart, Shape, Subgraph
from builder.diagrams.shapes import node_size, outline
from builder.diagrams.svg import CLUSTER_TITLE_INSET, EDGE_LABEL_PADDING, Texts, svg_document
from builder.diagrams.text import TextBlock, text_block

NODE_FONT_SIZE = 16.0
SMALL_FONT_SIZE = 14.0
# Labels wrap beyond these widths (in px at the natural size). Diamonds and circles grow in
# both directions, and left-right charts are short of width: both wrap sooner.
_WRAP_WIDTH = 200.0
_NARROW_WRAP_WIDTH = 150.0


@lru_cache(maxsize=256)
def render_mermaid(source: str, alt: str, lang: str = "fr") -> str:
    """Mermaid flowchart source -> standalone inline <svg> markup (string).

    Cached: every format draws the same diagrams.

    `alt` becomes the SVG's <title>; a description of every node and link, in `lang`
    ("fr" or "en"), becomes its <desc>. Raises DiagramError (with the line and column in
    `source`) for anything that is not a supported flowchart, and ValueError for an empty
    `alt` or another language.
    """
    if lang not in PHRASES:
        raise ValueError(
            f"unsupported diagram language {lang!r}; expected one of: {', '.join(PHRASES)}"
        )
    if not alt.strip():
        raise ValueError("a diagram needs a text alternative: alt must not be empty")
    chart = parse_flowchart(source)
    texts = _measure(chart)
    layout = layout_flowchart(
        chart.direction,
        {node_id: _node_spec(chart, node_id, texts) for node_id in chart.nodes},
        [
            EdgeSpec(edge.source, edge.target, edge.length, _padded_size(text) if text else None)
            for edge, text in zip(chart.edges, texts.edges)
        ],
        {
            key: _cluster_spec(subgraph, texts.clusters[key])
            for key, subgraph in chart.subgraphs.items()
        },
    )
    id_prefix = "mermaid-" + hashlib.sha256(f"{lang}\0{alt}\0{source}".encode()).hexdigest()[:12]
    return svg_document(chart, layout, texts, alt.strip(), describe(chart, lang), id_prefix)


def _measure(chart: Flowchart) -> Texts:
    narrow_shapes = (Shape.DIAMOND, Shape.CIRCLE)
    label_width = _NARROW_WRAP_WIDTH if chart.direction.is_horizontal else _WRAP_WIDTH
    return Texts(
        nodes={
            node_id: text_block(
                node.label,
                _NARROW_WRAP_WIDTH if node.shape in narrow_shapes else label_width,
                NODE_FONT_SIZE,
            )
            for node_id, node in chart.nodes.items()
        },
        edges=[
            text_block(edge.label, label_width, SMALL_FONT_SIZE) if edge.label else None
            for edge in chart.edges
        ],
        clusters={
            key: text_block(subgraph.title, _WRAP_WIDTH, SMALL_FONT_SIZE, bold=True)
            for key, subgraph in chart.subgraphs.items()
        },
    )


def _node_spec(chart: Flowchart, node_id: str, texts: Texts) -> NodeSpec:
    shape = chart.nodes[node_id].shape
    text = texts.nodes[node_id]
    width, height = node_size(shape, text.width, text.height)
    return NodeSpec(width, height, outline(shape, width, height))


def _cluster_spec(subgraph: Subgraph, title: TextBlock) -> ClusterSpec:
    # Room for the title with a margin on each side: an arrow entering the box fits below it.
    margin = 2 * CLUSTER_TITLE_INSET
    return ClusterSpec(
        subgraph.parent, subgraph.nodes, (title.width + margin, title.height + margin)
    )


def _padded_size(text: TextBlock) -> tuple[float, float]:
    padding_x, padding_y = EDGE_LABEL_PADDING
    return text.width + 2 * padding_x, text.height + 2 * padding_y
