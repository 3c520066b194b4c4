"""Mermaid flowcharts rendered to static SVG: parsing, errors, layout, accessibility, safety."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from lxml import etree

from builder.diagrams import DiagramError, render_mermaid
from builder.diagrams.colors import contrast_ratio, parse_color, readable_text_color
from builder.diagrams.flowchart import parse_flowchart
from builder.diagrams.model import Direction, Head, LineStyle, Shape
from builder.diagrams.text import clean_label, text_width, wrap

FLAGSHIP = (
    "graph TD; A[Formateur] --> B[Échanges avec pairs]; B --> C[Partage de pratiques]; "
    "C --> D[Construction collective]; D --> E[Enrichissement mutuel]; "
    "B --> B1[Réseaux formels]; B --> B2[Réseaux informels]; B --> B3[Événements]; "
    "C --> C1[Ressources]; C --> C2[Questionnements]; C --> C3[Innovations]; "
    "D --> D1[Savoirs communs]; D --> D2[Outils partagés]; D --> D3[Pratiques évoluées]; "
    "E --> A; style A fill:#e3f2fd; style D fill:#c8e6c9; style E fill:#fffacd,stroke:#ff9900"
)
FLAGSHIP_LABELS = [
    "Formateur",
    "Échanges avec pairs",
    "Partage de pratiques",
    "Construction collective",
    "Enrichissement mutuel",
    "Réseaux formels",
    "Réseaux informels",
    "Événements",
    "Ressources",
    "Questionnements",
    "Innovations",
    "Savoirs communs",
    "Outils partagés",
    "Pratiques évoluées",
]
SVG = "{http://www.w3.org/2000/svg}"
NS = {"svg": "http://www.w3.org/2000/svg"}
ALLOWED_ELEMENTS = {
    "svg",
    "title",
    "desc",
    "defs",
    "marker",
    "g",
    "rect",
    "circle",
    "polygon",
    "path",
    "text",
    "tspan",
}
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def render(source: str, alt: str = "Diagramme", lang: str = "fr") -> etree._Element:
    return etree.fromstring(render_mermaid(source, alt, lang).encode())


Box = tuple[float, float, float, float]  # left, top, right, bottom


def rect_box(rect: etree._Element) -> Box:
    x, y, width, height = (float(rect.get(name)) for name in ("x", "y", "width", "height"))
    return x, y, x + width, y + height


def node_rects(svg: etree._Element) -> list[Box]:
    """Boxes of every rectangular node."""
    return [rect_box(rect) for rect in svg.iterfind("svg:g[@class='node']/svg:rect", NS)]


def node_label(group: etree._Element) -> str:
    return " ".join(tspan.text for tspan in group.iterfind(".//svg:tspan", NS))


def node_boxes_by_label(svg: etree._Element) -> dict[str, Box]:
    return {
        node_label(group): rect_box(group.find("svg:rect", NS))
        for group in svg.iterfind("svg:g[@class='node']", NS)
    }


def apart(first: Box, second: Box) -> bool:
    return (
        first[2] <= second[0]
        or second[2] <= first[0]
        or first[3] <= second[1]
        or second[3] <= first[1]
    )


def distance_to_border(point: tuple[float, float], box: Box) -> float:
    x, y = point
    left, top, right, bottom = box
    if left <= x <= right and top <= y <= bottom:
        return min(x - left, right - x, y - top, bottom - y)
    dx, dy = max(left - x, 0.0, x - right), max(top - y, 0.0, y - bottom)
    return (dx * dx + dy * dy) ** 0.5


def path_points(d: str) -> list[tuple[float, float]]:
    numbers = [float(value) for value in re.findall(r"-?\d+(?:\.\d+)?", d)]
    return list(zip(numbers[::2], numbers[1::2]))


def edge_paths(svg: etree._Element) -> list[etree._Element]:
    return list(svg.iterfind("svg:path", NS))


def center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


# --- parsing --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "direction"),
    [
        ("graph TD", Direction.TOP_DOWN),
        ("graph TB", Direction.TOP_DOWN),
        ("flowchart BT", Direction.BOTTOM_UP),
        ("flowchart LR", Direction.LEFT_RIGHT),
        ("graph RL", Direction.RIGHT_LEFT),
        ("graph", Direction.TOP_DOWN),
    ],
)
def test_header_gives_the_direction(header: str, direction: Direction) -> None:
    assert parse_flowchart(f"{header}\nA --> B").direction is direction


def test_statements_split_on_new_lines_and_semicolons() -> None:
    chart = parse_flowchart("graph TD; A --> B;B --> C\n\n  C --> D ;")
    assert [(edge.source, edge.target) for edge in chart.edges] == [
        ("A", "B"),
        ("B", "C"),
        ("C", "D"),
    ]


@pytest.mark.parametrize(
    ("node", "shape", "label"),
    [
        ("A[rectangle]", Shape.RECT, "rectangle"),
        ("A(arrondi)", Shape.ROUND, "arrondi"),
        ("A([stade])", Shape.STADIUM, "stade"),
        ("A((cercle))", Shape.CIRCLE, "cercle"),
        ("A{losange}", Shape.DIAMOND, "losange"),
        ("A>drapeau]", Shape.FLAG, "drapeau"),
        ("A[[sous-programme]]", Shape.SUBROUTINE, "sous-programme"),
        ("A[(base)]", Shape.CYLINDER, "base"),
        ("A{{hexagone}}", Shape.HEXAGON, "hexagone"),
        ("A", Shape.RECT, "A"),
    ],
)
def test_node_shapes(node: str, shape: Shape, label: str) -> None:
    parsed = parse_flowchart(f"graph TD\n{node}").nodes["A"]
    assert (parsed.shape, parsed.label) == (shape, label)


def test_quoted_labels_keep_semicolons_and_brackets() -> None:
    chart = parse_flowchart('graph TD; A["text with ; or ]"] --> B("a (b)")')
    assert chart.nodes["A"].label == "text with ; or ]"
    assert chart.nodes["B"].label == "a (b)"
    assert len(chart.edges) == 1


def test_unicode_labels_and_ids() -> None:
    chart = parse_flowchart("graph LR\nÉtape1[Évaluer l’acquis « à chaud »] --> Étape2[Réviser ça]")
    assert chart.nodes["Étape1"].label == "Évaluer l’acquis « à chaud »"
    assert chart.nodes["Étape2"].label == "Réviser ça"


@pytest.mark.parametrize(
    ("edge", "line_style", "head", "both_ways", "length", "label"),
    [
        ("A --> B", LineStyle.SOLID, Head.ARROW, False, 1, ""),
        ("A---B", LineStyle.SOLID, Head.NONE, False, 1, ""),
        ("A -.-> B", LineStyle.DOTTED, Head.ARROW, False, 1, ""),
        ("A -.- B", LineStyle.DOTTED, Head.NONE, False, 1, ""),
        ("A ==> B", LineStyle.THICK, Head.ARROW, False, 1, ""),
        ("A --o B", LineStyle.SOLID, Head.CIRCLE, False, 1, ""),
        ("A --x B", LineStyle.SOLID, Head.CROSS, False, 1, ""),
        ("A <--> B", LineStyle.SOLID, Head.ARROW, True, 1, ""),
        ("A ---> B", LineStyle.SOLID, Head.ARROW, False, 2, ""),
        ("A -->|oui| B", LineStyle.SOLID, Head.ARROW, False, 1, "oui"),
        ('A -->|"oui; non"| B', LineStyle.SOLID, Head.ARROW, False, 1, "oui; non"),
        ("A -- si prêt --> B", LineStyle.SOLID, Head.ARROW, False, 1, "si prêt"),
        ("A--oui-->B", LineStyle.SOLID, Head.ARROW, False, 1, "oui"),
        ("A -- lien --- B", LineStyle.SOLID, Head.NONE, False, 1, "lien"),
        ("A -. peut-être .-> B", LineStyle.DOTTED, Head.ARROW, False, 1, "peut-être"),
        ("A == sûr ==> B", LineStyle.THICK, Head.ARROW, False, 1, "sûr"),
        ("A---xylophone", LineStyle.SOLID, Head.NONE, False, 1, ""),
    ],
)
def test_edges(
    edge: str, line_style: LineStyle, head: Head, both_ways: bool, length: int, label: str
) -> None:
    (parsed,) = parse_flowchart(f"graph TD\n{edge}").edges
    assert (parsed.line_style, parsed.head, parsed.both_ways, parsed.length, parsed.label) == (
        line_style,
        head,
        both_ways,
        length,
        label,
    )


def test_chains_and_groups() -> None:
    chart = parse_flowchart("graph TD\nA --> B -->|ok| C\nA & B --> D & E")
    pairs = [(edge.source, edge.target, edge.label) for edge in chart.edges]
    assert pairs == [
        ("A", "B", ""),
        ("B", "C", "ok"),
        ("A", "D", ""),
        ("A", "E", ""),
        ("B", "D", ""),
        ("B", "E", ""),
    ]


def test_last_definition_of_a_node_wins() -> None:
    chart = parse_flowchart("graph TD\nA --> B\nA{Choix} --> C")
    assert (chart.nodes["A"].shape, chart.nodes["A"].label) == (Shape.DIAMOND, "Choix")
    assert list(chart.nodes) == ["A", "B", "C"]


def test_comments_are_ignored() -> None:
    chart = parse_flowchart("%% before\ngraph TD\n  %% a comment; with --> arrows\nA --> B\n%% end")
    assert list(chart.nodes) == ["A", "B"]


def test_style_keeps_only_normalised_colours() -> None:
    chart = parse_flowchart(
        "graph TD\nA --> B\nstyle A fill:#E3F2FD,stroke:Orange,color:#000,stroke-width:2px"
    )
    style = chart.nodes["A"].style
    assert (style.fill, style.stroke, style.color, style.stroke_width) == (
        "#e3f2fd",
        "#ffa500",
        "#000000",
        2.0,
    )


def test_class_def_class_and_triple_colon() -> None:
    chart = parse_flowchart(
        "graph TD\nA:::important --> B\nC\nclassDef important fill:#ffcdd2,stroke:#b71c1c\n"
        "classDef calm,quiet fill:#e8f5e9\nclass B,C calm\nclassDef default stroke:#333"
    )
    assert chart.nodes["A"].style.fill == "#ffcdd2"
    assert chart.nodes["A"].style.stroke == "#b71c1c"
    assert chart.nodes["B"].style.fill == chart.nodes["C"].style.fill == "#e8f5e9"
    assert chart.nodes["B"].style.stroke == "#333333"


def test_style_statement_wins_over_classes() -> None:
    chart = parse_flowchart("graph TD\nA:::c\nstyle A fill:#000\nclassDef c fill:#fff,stroke:#f00")
    assert (chart.nodes["A"].style.fill, chart.nodes["A"].style.stroke) == ("#000000", "#ff0000")


def test_subgraphs_with_titles_members_and_nesting() -> None:
    chart = parse_flowchart(
        "flowchart TB\nsubgraph prep [Préparation]\n  A --> B\n  subgraph inner\n    C\n  end\n"
        'end\nsubgraph "Titre entre guillemets"\n  D\nend\n'
        "subgraph Titre avec espaces\n  B --> E\nend"
    )
    prep, inner, quoted, spaced = chart.subgraphs.values()
    assert (prep.id, prep.title, prep.nodes, prep.children) == (
        "prep",
        "Préparation",
        ["A", "B"],
        ["inner"],
    )
    assert (inner.title, inner.nodes, inner.parent) == ("inner", ["C"], "prep")
    assert (quoted.title, quoted.nodes) == ("Titre entre guillemets", ["D"])
    # B already belongs to the first subgraph that closed around it.
    assert (spaced.title, spaced.nodes) == ("Titre avec espaces", ["E"])


def test_style_on_a_subgraph() -> None:
    chart = parse_flowchart("graph TD\nsubgraph s [Bloc]\nA\nend\nstyle s fill:#fff8e1")
    assert chart.subgraphs["s"].style.fill == "#fff8e1"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("ligne 1<br>ligne 2<br/>ligne 3<BR />4", "ligne 1\nligne 2\nligne 3\n4"),
        ("<b>gras</b> et <i>italique</i>", "gras et italique"),
        ("a < b > c", "a < b > c"),
        ("#quot;cité#quot; #35; &amp; &eacute;", '"cité" # & é'),
        ("  espaces   multiples\t ", "espaces multiples"),
        ("contrôle\x00\x07 \u200b", "contrôle"),
    ],
)
def test_labels_are_plain_text(raw: str, text: str) -> None:
    assert clean_label(raw) == text


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        ("", 1, 1, "empty diagram; expected a header such as 'flowchart TD'"),
        ("%% only a comment\n", 2, 1, "empty diagram"),
        ("graph TD;", 1, 10, "the diagram has no nodes"),
        (
            "sequenceDiagram\n  A->>B: hi",
            1,
            1,
            "unsupported diagram type 'sequenceDiagram'; only flowcharts",
        ),
        ("%% comment\n\ngantt\n  title x", 3, 1, "unsupported diagram type 'gantt'"),
        ("graph XY\nA-->B", 1, 7, "unknown direction 'XY'; expected one of: TD, TB, BT, LR, RL"),
        (
            "graph TD\n  A[/trapèze/]",
            2,
            4,
            "unknown node shape '[/'; expected one of: [text], (text)",
        ),
        ("graph TD\n  A(((double)))", 2, 4, "unknown node shape '((('"),
        (
            "graph TD\nA --> B[pas fermé\nB --> C",
            2,
            8,
            "unclosed '['; expected ']' before the end of the line",
        ),
        ('graph TD\nA["pas fermé] --> B', 2, 3, "unclosed quote"),
        ('graph TD\nA["a" x]', 2, 7, "expected ']' after the quoted text"),
        ("graph TD\nA --> B\nB -> C", 3, 3, "unexpected '-'; expected an edge such as -->"),
        (
            "graph TD\nA -- texte B",
            2,
            3,
            "edge text after '--' is not closed; expected '-->' or '---'",
        ),
        ("graph TD\nA <--- B", 2, 3, "an edge starting with '<' must end with '>'"),
        ("graph TD\nA -- x -->|y| B", 2, 11, "this edge already has a label"),
        ("graph TD\nA --> end", 2, 7, "'end' is a keyword and cannot be a node id"),
        ("graph TD\nA --> B %% commentaire", 2, 9, "unexpected '%'"),
        (
            "graph TD\nA --> B\nstyle B fill:#12345",
            3,
            14,
            "invalid colour '#12345'; expected #rgb, #rrggbb",
        ),
        (
            "graph TD\nA\nstyle A fill:red, font-size:40px",
            3,
            19,
            "unsupported style property 'font-size'",
        ),
        ("graph TD\nA\nstyle A stroke-width:99px", 3, 22, "invalid stroke width '99px'"),
        ("graph TD\nA\nstyle A", 3, 8, "expected style properties"),
        ("graph TD\nA\nstyle Z fill:red", 3, 7, "unknown node or subgraph 'Z'"),
        ("graph TD\nA:::nope", 2, 5, "unknown class 'nope'; define it with classDef"),
        ("graph TD\nA --> B\n  end", 3, 3, "'end' without an open subgraph"),
        (
            "graph TD\nA\n  subgraph s [Bloc]\n  B\n",
            3,
            3,
            "subgraph 'Bloc' is not closed; expected 'end'",
        ),
        ("graph TD\nsubgraph vide\nend", 2, 1, "subgraph 'vide' is empty"),
        (
            "graph TD\nsubgraph s\nA\nend\nB --> s",
            5,
            7,
            "'s' is a subgraph; edges to or from subgraphs",
        ),
        ("graph TD\nA --> B\nclick A callback", 3, 1, "'click' statements are not supported"),
        (
            "graph TD\nA --> B\nlinkStyle 0 stroke:red",
            3,
            1,
            "'linkStyle' statements are not supported",
        ),
        (
            "%%{init: {'theme': 'dark'}}%%\ngraph TD\nA",
            1,
            1,
            "Mermaid directives (%%{...}%%) are not supported",
        ),
        ("---\ntitle: x\n---\ngraph TD\nA", 1, 1, "front matter ('---') is not supported"),
        ("graph TD\nA\ngraph LR", 3, 1, "a diagram has one header"),
    ],
)
def test_errors_are_located(source: str, line: int, column: int, message: str) -> None:
    with pytest.raises(DiagramError) as caught:
        render_mermaid(source, "Diagramme")
    assert (caught.value.line, caught.value.column) == (line, column)
    assert message in caught.value.message
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


def test_windows_line_endings_keep_positions() -> None:
    with pytest.raises(DiagramError) as caught:
        parse_flowchart("graph TD\r\nA --> B\r\nB -> C")
    assert (caught.value.line, caught.value.column) == (3, 3)


# --- the flagship diagram -------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship() -> str:
    svg = render_mermaid(FLAGSHIP, "Schéma : le formateur au cœur des échanges entre pairs")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "diagram-flagship.svg").write_text(svg, encoding="utf-8")
    return svg


def test_flagship_is_well_formed_and_accessible(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    assert svg.tag == f"{SVG}svg"
    assert svg.get("role") == "img"
    assert svg.get("width") == "100%"
    natural_width = svg.get("viewBox").split()[2]
    assert svg.get("style") == f"max-width:{natural_width}px"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find("svg:title", NS).get("id") == title_id
    assert (
        svg.find("svg:title", NS).text == "Schéma : le formateur au cœur des échanges entre pairs"
    )
    description = svg.find("svg:desc", NS)
    assert description.get("id") == desc_id
    for label in FLAGSHIP_LABELS:
        assert label in description.text


def test_flagship_shows_every_label_in_a_node(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    labels = [node_label(group) for group in svg.iterfind("svg:g[@class='node']", NS)]
    assert labels == FLAGSHIP_LABELS


def test_flagship_has_an_arrow_per_edge(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    (marker,) = svg.iterfind(".//svg:marker", NS)
    arrows = [
        path for path in edge_paths(svg) if path.get("marker-end") == f"url(#{marker.get('id')})"
    ]
    assert len(arrows) == 14


def test_flagship_node_boxes_do_not_overlap(flagship: str) -> None:
    boxes = node_rects(etree.fromstring(flagship.encode()))
    assert len(boxes) == 14
    for index, box in enumerate(boxes):
        for other in boxes[index + 1 :]:
            assert apart(box, other)


def test_flagship_fits_its_view_box(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    _, _, width, height = (float(value) for value in svg.get("viewBox").split())
    for left, top, right, bottom in node_rects(svg):
        assert 0 <= left < right <= width and 0 <= top < bottom <= height
    assert width < 1000, "the flagship should stay readable on a page"


def test_flagship_text_fits_in_its_boxes(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    for group in svg.iterfind("svg:g[@class='node']", NS):
        left, _, right, _ = rect_box(group.find("svg:rect", NS))
        text = group.find("svg:text", NS)
        for tspan in text.iterfind("svg:tspan", NS):
            assert text_width(tspan.text, float(text.get("font-size"))) < right - left


def test_arrows_end_on_the_target_border(flagship: str) -> None:
    """The arrow tip (marker length beyond the path end, along its tangent) touches a box."""
    svg = etree.fromstring(flagship.encode())
    boxes = node_rects(svg)
    for path in edge_paths(svg):
        *_, control, end = path_points(path.get("d"))
        dx, dy = end[0] - control[0], end[1] - control[1]
        length = (dx * dx + dy * dy) ** 0.5
        tip = (end[0] + 10 * dx / length, end[1] + 10 * dy / length)
        assert min(distance_to_border(tip, box) for box in boxes) < 0.5


def test_flagship_cycle_is_drawn_back_to_the_start(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    boxes = node_boxes_by_label(svg)
    back_edge = edge_paths(svg)[-1]  # E --> A is the last edge declared
    points = path_points(back_edge.get("d"))
    start, end = points[0], points[-1]
    formateur, enrichissement = boxes["Formateur"], boxes["Enrichissement mutuel"]
    assert abs(start[1] - enrichissement[1]) < 1, "leaves Enrichissement mutuel from its top"
    assert end[1] > formateur[3], "ends below Formateur, pointing up into it"
    assert formateur[0] <= end[0] <= formateur[2]


def test_flagship_styles_are_applied(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    fills = {
        node_label(group): group.find("svg:rect", NS)
        for group in svg.iterfind("svg:g[@class='node']", NS)
    }
    assert fills["Formateur"].get("fill") == "#e3f2fd"
    assert fills["Construction collective"].get("fill") == "#c8e6c9"
    assert (
        fills["Enrichissement mutuel"].get("fill"),
        fills["Enrichissement mutuel"].get("stroke"),
    ) == (
        "#fffacd",
        "#ff9900",
    )


def test_flagship_is_deterministic(flagship: str) -> None:
    assert (
        render_mermaid(FLAGSHIP, "Schéma : le formateur au cœur des échanges entre pairs")
        == flagship
    )


def test_text_is_readable_size(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    assert svg.get("font-family") == "system-ui, sans-serif"
    sizes = [float(text.get("font-size")) for text in svg.iter(f"{SVG}text")]
    assert sizes and min(sizes) >= 14


def test_description_in_french(flagship: str) -> None:
    description = etree.fromstring(flagship.encode()).find("svg:desc", NS).text
    assert description.startswith("Diagramme de flux de haut en bas : 14 éléments, 14 liens.")
    assert "Formateur → Échanges avec pairs." in description
    fan_out = "Partage de pratiques, Réseaux formels, Réseaux informels, Événements"
    assert f"Échanges avec pairs → {fan_out}." in description
    assert "Enrichissement mutuel → Formateur." in description


# --- other layouts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("direction", "axis", "sign"),
    [("TD", 1, 1), ("BT", 1, -1), ("LR", 0, 1), ("RL", 0, -1)],
)
def test_directions(direction: str, axis: int, sign: int) -> None:
    boxes = node_boxes_by_label(render(f"flowchart {direction}\nA[Avant] --> B[Après] --> C[Fin]"))
    first, second, third = (center(boxes[name]) for name in ("Avant", "Après", "Fin"))
    assert sign * (second[axis] - first[axis]) > 0 and sign * (third[axis] - second[axis]) > 0


def test_every_construct_renders_with_labels_away_from_nodes() -> None:
    source = """flowchart TD
        A([Début]) --> B{Le module est-il prêt ?}
        B -->|Oui| C[Publier le module]
        B -->|Non| D(Corriger)
        D -.-> B
        C ==> E((Fin))
        C --o F[[Sous-programme]]
        C --x G[(Base de données)]
        A --> H{{Hexagone}}
        H -- relié --- I>Drapeau]
        G <--> F
        E --> E
    """
    svg = render(source)
    assert {element.tag.removeprefix(SVG) for element in svg.iter()} <= ALLOWED_ELEMENTS
    labels = [node_label(group) for group in svg.iterfind("svg:g[@class='node']", NS)]
    assert labels == [
        "Début",
        "Le module est-il prêt ?",
        "Publier le module",
        "Corriger",
        "Fin",
        "Sous-programme",
        "Base de données",
        "Hexagone",
        "Drapeau",
    ]
    edge_labels = [
        rect_box(rect) for rect in svg.iterfind("svg:g[@class='edge-label']/svg:rect", NS)
    ]
    assert len(edge_labels) == 3
    for label in edge_labels:
        for node in node_rects(svg):
            assert apart(label, node)
    markers = {marker.get("id").rsplit("-", 1)[-1] for marker in svg.iterfind(".//svg:marker", NS)}
    assert markers == {"arrow", "circle", "cross", "start"}
    dashed = [path for path in edge_paths(svg) if path.get("stroke-dasharray")]
    assert len(dashed) == 1


def test_subgraph_boxes_hold_their_members_only() -> None:
    source = """graph TB
        X[Entrée] --> A
        subgraph outer [Bloc externe]
          A[Un] --> B[Deux]
          subgraph inner [Bloc interne]
            C[Trois] --> D[Quatre]
          end
          B --> C
        end
        X --> Y[Hors bloc]
        Y --> Z[Fin]
        D --> Z
    """
    svg = render(source)
    boxes = node_boxes_by_label(svg)
    frames = [rect_box(rect) for rect in svg.iterfind("svg:rect[@class='cluster']", NS)]
    titles = [node_label(group) for group in svg.iterfind("svg:g[@class='cluster-title']", NS)]
    assert titles == ["Bloc externe", "Bloc interne"]
    members = [{"Un", "Deux", "Trois", "Quatre"}, {"Trois", "Quatre"}]
    for frame, title, inside_labels in zip(frames, titles, members):
        for label, box in boxes.items():
            inside = (
                frame[0] < box[0] and box[2] < frame[2] and frame[1] < box[1] and box[3] < frame[3]
            )
            assert inside if label in inside_labels else apart(frame, box), (title, label)
    outer, inner = frames
    assert (
        outer[0] < inner[0] and inner[2] < outer[2] and outer[1] < inner[1] and inner[3] < outer[3]
    )


@pytest.mark.parametrize("direction", ["LR", "RL", "BT"])
def test_subgraph_titles_fit_their_box(direction: str) -> None:
    svg = render(
        f"flowchart {direction}\nsubgraph s [Un titre de bloc assez long]\nA[x]\nend\nA --> B"
    )
    frame = svg.find("svg:rect[@class='cluster']", NS)
    title = svg.find("svg:g[@class='cluster-title']/svg:rect", NS)
    assert float(frame.get("x")) <= float(title.get("x"))
    assert float(title.get("x")) + float(title.get("width")) <= float(frame.get("x")) + float(
        frame.get("width")
    )
    assert float(frame.get("y")) <= float(title.get("y"))


def test_long_labels_wrap_onto_several_lines() -> None:
    svg = render(
        "graph TD\nA[Un libellé très long qui ne tiendrait jamais sur une seule ligne de nœud]"
    )
    lines = [tspan.text for tspan in svg.iterfind(".//svg:tspan", NS)]
    assert len(lines) >= 3
    assert (
        " ".join(lines)
        == "Un libellé très long qui ne tiendrait jamais sur une seule ligne de nœud"
    )
    assert len({tspan.get("y") for tspan in svg.iterfind(".//svg:tspan", NS)}) == len(lines)


def test_wrapping_keeps_french_punctuation_with_its_word() -> None:
    lines = wrap("Les objectifs sont-ils vraiment « clairs » ?", 100, 16)
    assert len(lines) > 2
    assert not any(line.startswith(("?", "»")) or line.endswith("«") for line in lines)
    assert " ".join(lines) == "Les objectifs sont-ils vraiment « clairs » ?"


def test_line_breaks_in_labels_become_lines() -> None:
    svg = render("graph TD\nA[Première<br>Seconde]")
    assert [tspan.text for tspan in svg.iterfind(".//svg:tspan", NS)] == ["Première", "Seconde"]


def test_two_diagrams_do_not_share_ids() -> None:
    first, second = (
        {element.get("id") for element in render(source).iter() if element.get("id")}
        for source in ("graph TD\nA --> B", "graph TD\nA --> C")
    )
    assert first and not first & second


def test_references_point_inside_the_document() -> None:
    svg = render("graph LR\nA --> B --o C --x D <--> E")
    ids = {element.get("id") for element in svg.iter() if element.get("id")}
    references = [
        value
        for element in svg.iter()
        for name, value in element.attrib.items()
        if name in ("marker-start", "marker-end")
    ]
    assert references
    assert all(re.fullmatch(r"url\(#([\w-]+)\)", value).group(1) in ids for value in references)


def test_rendering_needs_alt_and_a_known_language() -> None:
    with pytest.raises(ValueError, match="alt"):
        render_mermaid("graph TD\nA", "  ")
    with pytest.raises(ValueError, match="language"):
        render_mermaid("graph TD\nA", "Schéma", lang="de")


# --- descriptions -----------------------------------------------------------------------


def test_description_in_english_covers_every_kind_of_link() -> None:
    source = (
        "graph LR\nA[Start] -->|go| B[Work]\nB --- C[Notes]\nB <--> D[Review]\nE[Alone]\n"
        "subgraph g [Team]\nB\nD\nend"
    )
    description = render(source, lang="en").find("svg:desc", NS).text
    assert description == (
        "Flowchart, left to right: 5 nodes, 3 links. Start → Work (go). Work ↔ Review. "
        "Work is linked to Notes. Standalone node: Alone. Group “Team”: Work, Review."
    )


def test_description_in_french_uses_french_plurals() -> None:
    description = render("graph TD\nA[Seul]").find("svg:desc", NS).text
    assert (
        description == "Diagramme de flux de haut en bas : 1 élément, 0 lien. Élément isolé : Seul."
    )


# --- colours and contrast ------------------------------------------------------------------


def test_colour_tokens() -> None:
    assert parse_color("#ABC") == "#aabbcc"
    assert parse_color("rebeccapurple") == "#663399"
    assert parse_color("ReD") == "#ff0000"
    for bad in ("#abcd", "red;", "url(#x)", "rgb(0,0,0)", "expression(alert(1))", "transparent"):
        assert parse_color(bad) is None


def test_contrast_ratio() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)


def test_auto_text_colour_always_passes_aa() -> None:
    steps = range(0, 256, 17)
    for red in steps:
        for green in steps:
            for blue in steps:
                fill = f"#{red:02x}{green:02x}{blue:02x}"
                assert contrast_ratio(readable_text_color(fill, "#777777"), fill) >= 4.5


def text_fill_of(svg: etree._Element, label: str) -> tuple[str, str]:
    """(node fill, text colour) of the node showing `label`."""
    for group in svg.iterfind("svg:g[@class='node']", NS):
        if node_label(group) == label:
            return group[0].get("fill"), group.find("svg:text", NS).get("fill")
    raise AssertionError(label)


def test_text_colour_follows_the_fill() -> None:
    svg = render(
        "graph TD\nA[Sombre] --> B[Clair] --> C[Lisible] --> D[Défaut]\n"
        "style A fill:navy\nstyle B fill:#ffff00,color:#ffffff\nstyle C fill:#003300,color:#ffff00"
    )
    assert text_fill_of(svg, "Sombre") == ("#000080", "#ffffff")
    assert text_fill_of(svg, "Clair") == ("#ffff00", "#000000"), (
        "an unreadable color: is overridden"
    )
    assert text_fill_of(svg, "Lisible") == ("#003300", "#ffff00"), "a readable color: is kept"
    fill, color = text_fill_of(svg, "Défaut")
    assert contrast_ratio(fill, color) >= 4.5


def test_every_text_contrasts_with_what_is_behind_it(flagship: str) -> None:
    svg = etree.fromstring(flagship.encode())
    for group in svg.iterfind("svg:g[@class='node']", NS):
        assert contrast_ratio(group[0].get("fill"), group.find("svg:text", NS).get("fill")) >= 4.5


# --- injection attempts ---------------------------------------------------------------------


def assert_inert(markup: str) -> None:
    svg = etree.fromstring(markup.encode())
    for element in svg.iter():
        assert isinstance(element.tag, str) and element.tag.removeprefix(SVG) in ALLOWED_ELEMENTS
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "javascript:" not in value.lower()
            assert name not in ("href", "{http://www.w3.org/1999/xlink}href")
    assert "javascript:" not in markup.lower()
    assert "<script" not in markup.lower()


@pytest.mark.parametrize(
    "source",
    [
        'graph TD\nA["<script>alert(1)</script>"] --> B',
        "graph TD\nA[<img src=x onerror=alert(1)>] --> B",
        'graph TD\nA -->|"<a href=javascript:alert(1)>x</a>"| B',
        "graph TD\nA[&lt;script&gt;alert(1)&lt;/script&gt;]",
        'graph TD\nsubgraph s ["<svg onload=alert(1)>"]\nA\nend',
        "graph TD\nA[#60;script#62;x]",
    ],
)
def test_labels_cannot_inject_markup(source: str) -> None:
    assert_inert(render_mermaid(source, 'Alt "<script>alert(1)</script>"'))


def test_decoded_markup_is_shown_as_text() -> None:
    svg = render("graph TD\nA[&lt;script&gt;alert(1)&lt;/script&gt;]")
    assert node_label(svg.find("svg:g[@class='node']", NS)) == "<script>alert(1)</script>"


def test_alt_is_escaped() -> None:
    svg = render("graph TD\nA", alt='<b onclick="x">Schéma</b> & co')
    assert svg.find("svg:title", NS).text == '<b onclick="x">Schéma</b> & co'


@pytest.mark.parametrize(
    ("source", "column"),
    [
        ("graph TD\nA\nstyle A fill:red;background:url(javascript:x)", 28),
        ("graph TD\nA\nstyle A fill:red,background:url(javascript:x)", 18),
        ("graph TD\nA\nstyle A fill:url(javascript:x)", 14),
        ("graph TD\nA\nclassDef c fill:red;x:expression(alert(1))\nclass A c", 22),
    ],
)
def test_styles_cannot_inject_css(source: str, column: int) -> None:
    with pytest.raises(DiagramError) as caught:
        render_mermaid(source, "Diagramme")
    assert (caught.value.line, caught.value.column) == (3, column)


def test_documentation_examples_render() -> None:
    documentation = (Path(__file__).resolve().parent.parent / "docs" / "diagrams.md").read_text()
    examples = re.findall(r"```mermaid[^\n]*\n(.*?)```", documentation, re.DOTALL)
    assert len(examples) == 3
    for example in examples:
        assert_inert(render_mermaid(example, "Exemple"))


# --- random graphs ----------------------------------------------------------------------------

RANDOM_SHAPES = ["[{}]", "({})", "([{}])", "(({}))", "{{{}}}", ">{}]", "[[{}]]", "{{{{{}}}}}"]
RANDOM_EDGES = ["-->", "---", "-.->", "==>", "--o", "--x", "<-->", "--->"]
RANDOM_WORDS = "atelier module partage évaluation réseau pratiques outils communauté".split()


def random_flowchart(seed: int) -> tuple[str, dict[str, set[int]]]:
    """A random flowchart and the nodes each subgraph title should enclose."""
    rng = random.Random(seed)
    count = rng.randint(2, 12)
    words = lambda: " ".join(rng.choice(RANDOM_WORDS) for _ in range(rng.randint(1, 4)))  # noqa: E731
    lines = [f"flowchart {rng.choice(['TD', 'LR', 'BT', 'RL'])}"]
    lines += [f"N{index}" + rng.choice(RANDOM_SHAPES).format(words()) for index in range(count)]
    for _ in range(rng.randint(1, 18)):
        label = f"|{rng.choice(RANDOM_WORDS)}|" if rng.random() < 0.3 else ""
        source, target = rng.randrange(count), rng.randrange(count)
        lines.append(f"N{source} {rng.choice(RANDOM_EDGES)}{label} N{target}")
    members = rng.sample(range(count), rng.randint(1, count - 1))
    outer, inner = members[: len(members) // 2 + 1], members[len(members) // 2 + 1 :]
    lines += ["subgraph outer [Groupe externe]", *(f"N{index}" for index in outer)]
    if inner:
        lines += ["subgraph inner [Groupe interne]", *(f"N{index}" for index in inner), "end"]
    lines.append("end")
    enclosed = {"Groupe externe": set(members), "Groupe interne": set(inner)}
    return "\n".join(lines), enclosed


def shape_box(shape: etree._Element) -> Box:
    if shape.tag == f"{SVG}rect":
        return rect_box(shape)
    if shape.tag == f"{SVG}circle":
        x, y, radius = (float(shape.get(name)) for name in ("cx", "cy", "r"))
        return x - radius, y - radius, x + radius, y + radius
    points = [tuple(map(float, pair.split(","))) for pair in shape.get("points").split()]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


@pytest.mark.parametrize("seed", range(40))
def test_random_flowcharts_lay_out_cleanly(seed: int) -> None:
    source, enclosed = random_flowchart(seed)
    markup = render_mermaid(source, "Diagramme")
    assert render_mermaid(source, "Diagramme") == markup
    svg = etree.fromstring(markup.encode())
    nodes = [shape_box(group[0]) for group in svg.iterfind("svg:g[@class='node']", NS)]
    labels = [rect_box(rect) for rect in svg.iterfind("svg:g[@class='edge-label']/svg:rect", NS)]
    boxes = nodes + labels
    for index, box in enumerate(boxes):
        assert all(apart(box, other) for other in boxes[index + 1 :]), source
    titles = [node_label(group) for group in svg.iterfind("svg:g[@class='cluster-title']", NS)]
    frames = [rect_box(rect) for rect in svg.iterfind("svg:rect[@class='cluster']", NS)]
    for title, frame in zip(titles, frames):
        for index, box in enumerate(nodes):
            if index in enclosed[title]:
                assert frame[0] < box[0] and box[2] < frame[2], source
                assert frame[1] < box[1] and box[3] < frame[3], source
            else:
                assert apart(frame, box), source


def test_the_barycenters_are_statistics_fmean_to_the_bit():
    import random
    import statistics

    from builder.diagrams.ordering import fmean

    draw = random.Random(17)
    samples = [[draw.uniform(-1e6, 1e6) for _ in range(draw.randint(1, 40))] for _ in range(500)]
    samples += [[0.1] * 10, [1e16, 1.0, -1e16], [3]]
    assert [fmean(values) for values in samples] == [statistics.fmean(values) for values in samples]
