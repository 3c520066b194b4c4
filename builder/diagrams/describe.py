"""The text alternative's long part: the whole graph in sentences, for screen readers."""

from __future__ import annotations

from dataclasses import dataclass

from builder.diagrams.model import Direction, Edge, Flowchart, Head


@dataclass(frozen=True)
class _Phrases:
    summary: str
    directions: dict[Direction, str]
    node: tuple[str, str]  # singular, plural
    link: tuple[str, str]
    plural_from: int  # French uses the singular for 0
    leads_to: str
    both_ways: str
    linked_to: str
    standalone: str
    group: str
    group_member: str


PHRASES = {
    "fr": _Phrases(
        summary="Diagramme de flux {direction} : {nodes}, {links}.",
        directions={
            Direction.TOP_DOWN: "de haut en bas",
            Direction.BOTTOM_UP: "de bas en haut",
            Direction.LEFT_RIGHT: "de gauche à droite",
            Direction.RIGHT_LEFT: "de droite à gauche",
        },
        node=("élément", "éléments"),
        link=("lien", "liens"),
        plural_from=2,
        leads_to="{source} → {targets}.",
        both_ways="{source} ↔ {targets}.",
        linked_to="{source} est relié à {targets}.",
        standalone="Élément isolé : {node}.",
        group="Groupe « {title} » : {members}.",
        group_member="groupe « {title} »",
    ),
    "en": _Phrases(
        summary="Flowchart, {direction}: {nodes}, {links}.",
        directions={
            Direction.TOP_DOWN: "top to bottom",
            Direction.BOTTOM_UP: "bottom to top",
            Direction.LEFT_RIGHT: "left to right",
            Direction.RIGHT_LEFT: "right to left",
        },
        node=("node", "nodes"),
        link=("link", "links"),
        plural_from=0,
        leads_to="{source} → {targets}.",
        both_ways="{source} ↔ {targets}.",
        linked_to="{source} is linked to {targets}.",
        standalone="Standalone node: {node}.",
        group="Group “{title}”: {members}.",
        group_member="group “{title}”",
    ),
}


def describe(chart: Flowchart, language: str) -> str:
    """Every node and where it leads, in declaration order, then the subgraphs."""
    phrases = PHRASES[language]
    sentences = [
        phrases.summary.format(
            direction=phrases.directions[chart.direction],
            nodes=_count(len(chart.nodes), phrases.node, phrases),
            links=_count(len(chart.edges), phrases.link, phrases),
        )
    ]
    linked = {edge.source for edge in chart.edges} | {edge.target for edge in chart.edges}
    for node_id, node in chart.nodes.items():
        outgoing = [edge for edge in chart.edges if edge.source == node_id]
        sentences.extend(_edge_sentences(chart, node_id, outgoing, phrases))
        if node_id not in linked:
            sentences.append(phrases.standalone.format(node=_plain(node.label)))
    for subgraph in chart.subgraphs.values():
        members = [_plain(chart.nodes[node_id].label) for node_id in subgraph.nodes]
        members += [
            phrases.group_member.format(title=_plain(chart.subgraphs[child].title))
            for child in subgraph.children
        ]
        sentences.append(
            phrases.group.format(title=_plain(subgraph.title), members=", ".join(members))
        )
    return " ".join(sentences)


def _edge_sentences(
    chart: Flowchart, node_id: str, outgoing: list[Edge], phrases: _Phrases
) -> list[str]:
    """One sentence per kind of link leaving the node: directed, both ways, plain."""
    kinds = {
        phrases.leads_to: [
            edge for edge in outgoing if edge.head is not Head.NONE and not edge.both_ways
        ],
        phrases.both_ways: [edge for edge in outgoing if edge.both_ways],
        phrases.linked_to: [edge for edge in outgoing if edge.head is Head.NONE],
    }
    source = _plain(chart.nodes[node_id].label)
    sentences = []
    for template, edges in kinds.items():
        targets = list(dict.fromkeys(_target(chart, edge) for edge in edges))
        if targets:
            sentences.append(template.format(source=source, targets=", ".join(targets)))
    return sentences


def _target(chart: Flowchart, edge: Edge) -> str:
    label = _plain(chart.nodes[edge.target].label)
    return f"{label} ({_plain(edge.label)})" if edge.label else label


def _count(number: int, words: tuple[str, str], phrases: _Phrases) -> str:
    plural = number >= phrases.plural_from and number != 1
    return f"{number} {words[1] if plural else words[0]}"


def _plain(label: str) -> str:
    return " ".join(label.split())
