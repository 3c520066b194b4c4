"""The layered graph that ordering and placement work on (Sugiyama's "proper" graph).

Every edge of the flowchart becomes a chain of items, one per layer it crosses, so that
edges only join adjacent layers. Real nodes sit on even layers; odd layers hold the
edges' midpoints and their labels, so a label gets its own room between two node rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class ItemKind(enum.Enum):
    NODE = "node"
    VIRTUAL = "virtual"  # a bend point of a long edge
    LABEL = "label"  # a bend point that carries the edge's label
    FILLER = "filler"  # keeps a subgraph's box in a layer where it has nothing else


@dataclass
class Item:
    kind: ItemKind
    layer: int
    order_size: float  # extent across the flow (width for top-down charts)
    rank_size: float  # extent along the flow
    clusters: tuple[str, ...]  # enclosing subgraphs, outermost first
    trailing: float = 0.0  # room kept after the item across the flow (self-loops)

    @property
    def is_box(self) -> bool:
        """Whether it shows as a box that needs a full gap from its neighbours."""
        return self.kind in (ItemKind.NODE, ItemKind.LABEL)


@dataclass
class LayeredGraph:
    items: list[Item] = field(default_factory=list)
    # Neighbours in the layer above and below, with the weight pulling them into line.
    upper: list[list[tuple[int, float]]] = field(default_factory=list)
    lower: list[list[tuple[int, float]]] = field(default_factory=list)
    layers: list[list[int]] = field(default_factory=list)

    def add_item(self, item: Item) -> int:
        self.items.append(item)
        self.upper.append([])
        self.lower.append([])
        while len(self.layers) <= item.layer:
            self.layers.append([])
        return len(self.items) - 1

    def connect(self, upper_item: int, lower_item: int) -> None:
        # Long-edge segments pull harder so that long edges stay straight.
        both_bends = ItemKind.NODE not in (self.items[upper_item].kind, self.items[lower_item].kind)
        weight = 8.0 if both_bends else 2.0
        self.upper[lower_item].append((upper_item, weight))
        self.lower[upper_item].append((lower_item, weight))


def common_prefix(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    """The subgraphs two items are both in, outermost first."""
    shared = 0
    while shared < min(len(first), len(second)) and first[shared] == second[shared]:
        shared += 1
    return first[:shared]
