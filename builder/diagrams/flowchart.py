"""Mermaid flowchart source -> `Flowchart`, with 1-based line/column on every error.

A hand-written scanner over the whole source: statements end at a new line or at a `;`
that is not inside a label, so `A["a; b"]` and `A[a; b]` keep their semicolon.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from builder.diagrams.colors import parse_color
from builder.diagrams.errors import DiagramError
from builder.diagrams.model import (
    Direction,
    Edge,
    Flowchart,
    Head,
    LineStyle,
    Node,
    Shape,
    Style,
    Subgraph,
)
from builder.diagrams.text import clean_label

_DIRECTIONS = {
    "TD": Direction.TOP_DOWN,
    "TB": Direction.TOP_DOWN,
    "BT": Direction.BOTTOM_UP,
    "LR": Direction.LEFT_RIGHT,
    "RL": Direction.RIGHT_LEFT,
}

# Longest openers first: "[[" must win over "[".
_SHAPES = {
    "[[": ("]]", Shape.SUBROUTINE),
    "[(": (")]", Shape.CYLINDER),
    "([": ("])", Shape.STADIUM),
    "((": ("))", Shape.CIRCLE),
    "{{": ("}}", Shape.HEXAGON),
    "[": ("]", Shape.RECT),
    "(": (")", Shape.ROUND),
    "{": ("}", Shape.DIAMOND),
    ">": ("]", Shape.FLAG),
}
# Mermaid shapes we do not draw; checked before _SHAPES because they start like supported ones.
_UNSUPPORTED_SHAPE_OPENERS = ("(((", "[/", "[\\", "@{")
_SHAPE_LIST = "[text], (text), ([text]), ((text)), {text}, >text], [[text]], [(text)], {{text}}"
_EDGE_LIST = "-->, ---, -.->, ==>, --o or --x"
_STATEMENT_LIST = "node and edge definitions, subgraph ... end, style, classDef, class, %% comments"

_WORD = re.compile(r"\w+(?:-\w+)*")
_SPACES = re.compile(r"[ \t]*")
_BLANKS = re.compile(r"[ \t\n;]*")
_STATEMENT_END = re.compile(r"[;\n]")
_DIRECTION_TOKEN = re.compile(r"[^\s;]+")
# An edge without inline text. An `o`/`x` head must not run into a word: `A --- other` is open.
_HEAD = r"(?P<head>>|[ox](?!\w))?"
_LINK = re.compile(
    rf"(?P<tail><)?(?:(?P<solid>-{{2,}})|(?P<dotted>-\.+-)|(?P<thick>={{2,}})){_HEAD}"
)
# The start of an edge with inline text: `-- text -->`, `-. text .->`, `== text ==>`.
_TEXT_LINK_START = re.compile(r"(?P<tail><)?(?P<opener>--|-\.|==)")
# How each text edge closes, and what counts as its strokes: dashes, dots or `=`.
_TEXT_LINK_ENDS = {
    "--": (LineStyle.SOLID, re.compile(rf"(?P<strokes>-{{2,}}){_HEAD}")),
    "-.": (LineStyle.DOTTED, re.compile(rf"(?P<strokes>\.+)-{_HEAD}")),
    "==": (LineStyle.THICK, re.compile(rf"(?P<strokes>={{2,}}){_HEAD}")),
}
_TEXT_LINK_CLOSERS = {"--": "'-->' or '---'", "-.": "'.->' or '.-'", "==": "'==>' or '==='"}
_HEADS = {">": Head.ARROW, "o": Head.CIRCLE, "x": Head.CROSS, None: Head.NONE}
_STYLE_PROPERTIES = ("fill", "stroke", "color", "stroke-width")
_STROKE_WIDTH = re.compile(r"(\d+(?:\.\d+)?)(?:px)?")
_MAX_STROKE_WIDTH = 10.0
_UNSUPPORTED_STATEMENTS = ("click", "linkStyle", "direction", "call", "href")
_RESERVED_IDS = ("end", "subgraph", "graph", "flowchart")


@dataclass(frozen=True)
class _Link:
    line_style: LineStyle
    head: Head
    both_ways: bool
    length: int
    label: str


@dataclass
class _OpenSubgraph:
    subgraph: Subgraph
    mentioned: list[str]


@dataclass(frozen=True)
class _Reference:
    """A name used somewhere, resolved once the whole source is read."""

    name: str
    position: int


def parse_flowchart(source: str) -> Flowchart:
    return _Parser(source).parse()


class _Parser:
    def __init__(self, source: str):
        self.source = source.replace("\r\n", "\n").replace("\r", "\n")
        self.pos = 0
        self.statement_start = 0
        self.line_starts = [0] + [
            index + 1 for index, char in enumerate(self.source) if char == "\n"
        ]
        self.chart = Flowchart(Direction.TOP_DOWN)
        self.open_subgraphs: list[_OpenSubgraph] = []
        self.claimed_nodes: set[str] = set()
        self.class_defs: dict[str, Style] = {}
        self.class_uses: list[tuple[_Reference, _Reference]] = []
        self.style_uses: list[tuple[_Reference, Style]] = []

    # --- scanning helpers -------------------------------------------------------------

    def location(self, position: int) -> tuple[int, int]:
        """1-based line and column of a source offset."""
        line_index = bisect.bisect_right(self.line_starts, position) - 1
        return line_index + 1, position - self.line_starts[line_index] + 1

    def error(self, position: int, message: str) -> DiagramError:
        return DiagramError(*self.location(position), message)

    def peek(self, text: str) -> bool:
        return self.source.startswith(text, self.pos)

    def skip_spaces(self) -> None:
        self.pos = _SPACES.match(self.source, self.pos).end()

    def at_statement_end(self) -> bool:
        return self.pos >= len(self.source) or self.source[self.pos] in ";\n"

    def statement_end(self) -> int:
        """Offset of the `;`, new line or end that closes the current statement."""
        match = _STATEMENT_END.search(self.source, self.pos)
        return match.start() if match else len(self.source)

    def line_end(self) -> int:
        end = self.source.find("\n", self.pos)
        return len(self.source) if end == -1 else end

    def describe_here(self) -> str:
        if self.pos >= len(self.source):
            return "the end of the diagram"
        return f"'{self.source[self.pos]}'"

    def end_statement(self, expected: str) -> None:
        self.skip_spaces()
        if not self.at_statement_end():
            raise self.error(self.pos, f"unexpected {self.describe_here()}; expected {expected}")
        self.pos += 1

    def read_word(self) -> str:
        match = _WORD.match(self.source, self.pos)
        if not match:
            return ""
        self.pos = match.end()
        return match.group()

    def expect_word(self, what: str) -> _Reference:
        position = self.pos
        word = self.read_word()
        if not word:
            raise self.error(position, f"unexpected {self.describe_here()}; expected {what}")
        return _Reference(word, position)

    def read_quoted(self) -> str:
        start = self.pos
        end = self.source.find('"', start + 1, self.line_end())
        if end == -1:
            raise self.error(start, "unclosed quote; expected '\"' before the end of the line")
        self.pos = end + 1
        return self.source[start + 1 : end]

    # --- document ---------------------------------------------------------------------

    def parse(self) -> Flowchart:
        self.skip_blank_lines_and_comments()
        self.parse_header()
        while self.pos < len(self.source):
            self.parse_statement()
        if self.open_subgraphs:
            unclosed = self.open_subgraphs[-1].subgraph
            raise DiagramError(
                unclosed.line,
                unclosed.column,
                f"subgraph '{unclosed.title}' is not closed; expected 'end'",
            )
        if not self.chart.nodes:
            raise self.error(
                len(self.source),
                "the diagram has no nodes; expected at least one, e.g. A[Start] --> B[End]",
            )
        self.resolve_references()
        return self.chart

    def skip_blank_lines_and_comments(self) -> None:
        while True:
            self.pos = _BLANKS.match(self.source, self.pos).end()
            if not self.peek("%%") or self.peek("%%{"):
                return
            self.pos = self.line_end()

    def parse_header(self) -> None:
        if self.pos >= len(self.source):
            raise self.error(self.pos, "empty diagram; expected a header such as 'flowchart TD'")
        if self.peek("---"):
            raise self.error(
                self.pos, "front matter ('---') is not supported; start with 'flowchart TD'"
            )
        if self.peek("%%{"):
            raise self.error(self.pos, "Mermaid directives (%%{...}%%) are not supported")
        position = self.pos
        keyword = self.read_word()
        if keyword not in ("graph", "flowchart"):
            found = f"'{keyword}'" if keyword else self.describe_here()
            raise self.error(
                position,
                f"unsupported diagram type {found}; only flowcharts are supported: "
                "start with 'flowchart' or 'graph' and a direction (TD, TB, BT, LR or RL)",
            )
        self.skip_spaces()
        if not self.at_statement_end():
            self.chart.direction = self.parse_direction()
        self.end_statement("';' or a new line after the diagram header")

    def parse_direction(self) -> Direction:
        position = self.pos
        token = _DIRECTION_TOKEN.match(self.source, self.pos).group()
        if token not in _DIRECTIONS:
            raise self.error(
                position, f"unknown direction '{token}'; expected one of: TD, TB, BT, LR, RL"
            )
        self.pos += len(token)
        return _DIRECTIONS[token]

    def parse_statement(self) -> None:
        self.skip_spaces()
        if self.at_statement_end():
            self.pos += 1
            return
        if self.peek("%%{"):
            raise self.error(self.pos, "Mermaid directives (%%{...}%%) are not supported")
        if self.peek("%%"):
            self.pos = self.line_end()
            return
        self.statement_start = self.pos
        keyword = self.read_word()
        handler = self.keyword_handler(keyword)
        if handler is None:
            self.pos = self.statement_start
            self.parse_edge_statement()
        else:
            handler()

    def keyword_handler(self, word: str):
        """The parser of a keyword statement, or None for a node/edge statement."""
        keyword_ends = self.pos >= len(self.source) or self.source[self.pos] in " \t;\n"
        if not keyword_ends:
            return None
        if word in _UNSUPPORTED_STATEMENTS:
            return self.reject_statement
        return {
            "subgraph": self.parse_subgraph_start,
            "end": self.parse_subgraph_end,
            "style": self.parse_style,
            "classDef": self.parse_class_def,
            "class": self.parse_class,
            "graph": self.reject_second_header,
            "flowchart": self.reject_second_header,
        }.get(word)

    def reject_statement(self) -> None:
        word = self.source[self.statement_start : self.pos]
        raise self.error(
            self.statement_start,
            f"'{word}' statements are not supported; supported: {_STATEMENT_LIST}",
        )

    def reject_second_header(self) -> None:
        raise self.error(
            self.statement_start,
            "a diagram has one header; this is a second 'graph'/'flowchart' line",
        )

    # --- nodes and edges --------------------------------------------------------------

    def parse_edge_statement(self) -> None:
        sources = self.parse_node_group()
        while True:
            self.skip_spaces()
            if self.at_statement_end():
                break
            link = self.parse_link()
            self.skip_spaces()
            targets = self.parse_node_group()
            for source in sources:
                for target in targets:
                    self.chart.edges.append(
                        Edge(
                            source,
                            target,
                            link.line_style,
                            link.head,
                            link.both_ways,
                            link.length,
                            link.label,
                        )
                    )
            sources = targets
        self.pos += 1

    def parse_node_group(self) -> list[str]:
        """`A` or `A & B & C`."""
        node_ids = [self.parse_node()]
        while True:
            before_spaces = self.pos
            self.skip_spaces()
            if not self.peek("&"):
                self.pos = before_spaces
                return node_ids
            self.pos += 1
            self.skip_spaces()
            node_ids.append(self.parse_node())

    def parse_node(self) -> str:
        reference = self.expect_word("a node id")
        if reference.name in _RESERVED_IDS:
            raise self.error(
                reference.position,
                f"'{reference.name}' is a keyword and cannot be a node id; "
                "capitalise it (e.g. 'End')",
            )
        shape_and_label = self.parse_shape()
        self.define_node(reference, shape_and_label)
        if self.peek(":::"):
            self.pos += 3
            class_name = self.expect_word("a class name after ':::'")
            self.class_uses.append((reference, class_name))
        return reference.name

    def parse_shape(self) -> tuple[Shape, str] | None:
        for opener in _UNSUPPORTED_SHAPE_OPENERS:
            if self.peek(opener):
                raise self.error(
                    self.pos, f"unknown node shape '{opener}'; expected one of: {_SHAPE_LIST}"
                )
        for opener, (closer, shape) in _SHAPES.items():
            if self.peek(opener):
                return shape, self.parse_delimited_label(opener, closer)
        return None

    def parse_delimited_label(self, opener: str, closer: str) -> str:
        """The text between `opener` (at the cursor) and `closer`, quoted or not."""
        opener_position = self.pos
        self.pos += len(opener)
        self.skip_spaces()
        if self.peek('"'):
            raw = self.read_quoted()
            self.skip_spaces()
            if not self.peek(closer):
                raise self.error(
                    self.pos,
                    f"unexpected {self.describe_here()}; expected '{closer}' after the quoted text",
                )
            end = self.pos
        else:
            end = self.source.find(closer, self.pos, self.line_end())
            if end == -1:
                raise self.error(
                    opener_position,
                    f"unclosed '{opener}'; expected '{closer}' before the end of the line",
                )
            raw = self.source[self.pos : end]
        self.pos = end + len(closer)
        return clean_label(raw)

    def define_node(self, reference: _Reference, shape_and_label: tuple[Shape, str] | None) -> None:
        node = self.chart.nodes.get(reference.name)
        if node is None:
            line, column = self.location(reference.position)
            node = Node(reference.name, reference.name, Shape.RECT, line, column)
            self.chart.nodes[reference.name] = node
        if shape_and_label is not None:
            # As in Mermaid, the last definition of a node's shape and label wins.
            node.shape, label = shape_and_label
            node.label = label or reference.name
        if self.open_subgraphs and reference.name not in self.open_subgraphs[-1].mentioned:
            self.open_subgraphs[-1].mentioned.append(reference.name)

    def parse_link(self) -> _Link:
        start = self.pos
        link = self.parse_plain_link()
        if link is None:
            text_start = _TEXT_LINK_START.match(self.source, self.pos)
            if text_start is None:
                raise self.error(
                    self.pos,
                    f"unexpected {self.describe_here()}; expected an edge such as {_EDGE_LIST}, "
                    "'&', ';' or a new line",
                )
            link = self.parse_text_link(text_start)
        if link.both_ways and link.head is not Head.ARROW:
            raise self.error(start, "an edge starting with '<' must end with '>', e.g. <-->")
        self.skip_spaces()
        if self.peek("|"):
            if link.label:
                raise self.error(
                    self.pos, "this edge already has a label; give it either -- text --> or |text|"
                )
            link = _Link(
                link.line_style, link.head, link.both_ways, link.length, self.parse_pipe_label()
            )
        return link

    def parse_plain_link(self) -> _Link | None:
        """An edge without inline text, or None (`--` alone starts an edge with text)."""
        match = _LINK.match(self.source, self.pos)
        if match is None:
            return None
        if match.group("dotted"):
            line_style, strokes = LineStyle.DOTTED, len(match.group("dotted")) - 2
        elif match.group("solid"):
            line_style, strokes = LineStyle.SOLID, len(match.group("solid"))
        else:
            line_style, strokes = LineStyle.THICK, len(match.group("thick"))
        head = _HEADS[match.group("head")]
        length = _link_length(line_style, strokes, head)
        if length is None:
            return None
        self.pos = match.end()
        return _Link(line_style, head, match.group("tail") is not None, length, "")

    def parse_text_link(self, start_match: re.Match[str]) -> _Link:
        """`-- text -->`, `-. text .->`, `== text ==>` (and their open and `<` variants)."""
        opener = start_match.group("opener")
        line_style, closing_pattern = _TEXT_LINK_ENDS[opener]
        for position in range(start_match.end(), self.line_end()):
            closing = closing_pattern.match(self.source, position)
            if closing is None:
                continue
            head = _HEADS[closing.group("head")]
            length = _link_length(line_style, len(closing.group("strokes")), head)
            if length is not None:
                self.pos = closing.end()
                label = clean_label(self.source[start_match.end() : position].strip().strip('"'))
                return _Link(line_style, head, start_match.group("tail") is not None, length, label)
        raise self.error(
            self.pos,
            f"edge text after '{opener}' is not closed; expected {_TEXT_LINK_CLOSERS[opener]}",
        )

    def parse_pipe_label(self) -> str:
        start = self.pos
        end = self.source.find("|", start + 1, self.line_end())
        if end == -1:
            raise self.error(
                start, "unclosed '|' edge label; expected '|' before the end of the line"
            )
        self.pos = end + 1
        return clean_label(self.source[start + 1 : end].strip().strip('"'))

    # --- subgraphs --------------------------------------------------------------------

    def parse_subgraph_start(self) -> None:
        self.skip_spaces()
        title_start = self.pos
        if self.at_statement_end():
            raise self.error(self.pos, "expected a subgraph id or title after 'subgraph'")
        auto_id = f"#{len(self.chart.subgraphs) + 1}"
        if self.peek('"'):
            subgraph_id, title = auto_id, clean_label(self.read_quoted())
        else:
            word = self.expect_word("a subgraph id or title")
            self.skip_spaces()
            if self.peek("["):
                subgraph_id, title = word.name, self.parse_delimited_label("[", "]")
            elif self.at_statement_end():
                subgraph_id, title = word.name, word.name
            else:
                end = self.statement_end()
                subgraph_id, title = auto_id, clean_label(self.source[title_start:end])
                self.pos = end
        self.end_statement("';' or a new line after the subgraph title")
        if subgraph_id in self.chart.subgraphs:
            raise self.error(title_start, f"duplicate subgraph id '{subgraph_id}'")
        self.open_subgraph(subgraph_id, title or subgraph_id)

    def open_subgraph(self, subgraph_id: str, title: str) -> None:
        parent = self.open_subgraphs[-1].subgraph.id if self.open_subgraphs else None
        line, column = self.location(self.statement_start)
        subgraph = Subgraph(subgraph_id, title, line, column, parent)
        self.chart.subgraphs[subgraph_id] = subgraph
        if parent is not None:
            self.chart.subgraphs[parent].children.append(subgraph_id)
        self.open_subgraphs.append(_OpenSubgraph(subgraph, []))

    def parse_subgraph_end(self) -> None:
        if not self.open_subgraphs:
            raise self.error(self.statement_start, "'end' without an open subgraph")
        self.end_statement("';' or a new line after 'end'")
        closing = self.open_subgraphs.pop()
        # As in Mermaid, a node stays in the first subgraph that closes around it.
        closing.subgraph.nodes = [
            node for node in closing.mentioned if node not in self.claimed_nodes
        ]
        self.claimed_nodes.update(closing.subgraph.nodes)
        if not closing.subgraph.nodes and not closing.subgraph.children:
            subgraph = closing.subgraph
            raise DiagramError(
                subgraph.line,
                subgraph.column,
                f"subgraph '{subgraph.title}' is empty; expected at least one node",
            )

    # --- styles -----------------------------------------------------------------------

    def parse_style(self) -> None:
        self.skip_spaces()
        target = self.expect_word("a node or subgraph id after 'style'")
        self.style_uses.append((target, self.parse_style_properties()))

    def parse_class_def(self) -> None:
        self.skip_spaces()
        names = self.parse_word_list("a class name after 'classDef'")
        style = self.parse_style_properties()
        for name in names:
            self.class_defs[name.name] = style

    def parse_class(self) -> None:
        self.skip_spaces()
        targets = self.parse_word_list("a node or subgraph id after 'class'")
        self.skip_spaces()
        class_name = self.expect_word("a class name after the node ids")
        self.end_statement("';' or a new line after the class name")
        self.class_uses.extend((target, class_name) for target in targets)

    def parse_word_list(self, what: str) -> list[_Reference]:
        """`a,b, c`."""
        words = [self.expect_word(what)]
        while self.peek(","):
            self.pos += 1
            self.skip_spaces()
            words.append(self.expect_word(what))
        return words

    def parse_style_properties(self) -> Style:
        """`fill:#e3f2fd,stroke:red,color:#000,stroke-width:2px` up to the end of the statement."""
        self.skip_spaces()
        end = self.statement_end()
        if self.pos == end:
            raise self.error(
                self.pos, "expected style properties, e.g. fill:#e3f2fd,stroke:#1565c0"
            )
        values: dict[str, object] = {}
        offset = self.pos
        for item in self.source[self.pos : end].split(","):
            name, value = self.parse_style_property(item, offset)
            values[name.replace("-", "_")] = value
            offset += len(item) + 1
        self.pos = end
        self.end_statement("';' or a new line after the style")
        return Style(**values)

    def parse_style_property(self, item: str, offset: int) -> tuple[str, object]:
        name_position = offset + len(item) - len(item.lstrip())
        name, colon, value = item.partition(":")
        name = name.strip()
        if not colon or not name:
            raise self.error(name_position, f"expected 'property:value', found '{item.strip()}'")
        if name not in _STYLE_PROPERTIES:
            raise self.error(
                name_position,
                f"unsupported style property '{name}'; supported: {', '.join(_STYLE_PROPERTIES)}",
            )
        value_position = offset + item.index(":") + 1 + len(value) - len(value.lstrip())
        value = value.strip()
        if name == "stroke-width":
            return name, self.parse_stroke_width(value, value_position)
        color = parse_color(value)
        if color is None:
            raise self.error(
                value_position,
                f"invalid colour '{value}'; expected #rgb, #rrggbb or a CSS colour name",
            )
        return name, color

    def parse_stroke_width(self, value: str, position: int) -> float:
        match = _STROKE_WIDTH.fullmatch(value)
        if not match or float(match.group(1)) > _MAX_STROKE_WIDTH:
            raise self.error(
                position,
                f"invalid stroke width '{value}'; "
                "expected a number of pixels from 0 to 10, e.g. 2px",
            )
        return float(match.group(1))

    # --- after the last statement ------------------------------------------------------

    def resolve_references(self) -> None:
        for subgraph_id in self.chart.subgraphs:
            node = self.chart.nodes.get(subgraph_id)
            if node is not None:
                raise DiagramError(
                    node.line,
                    node.column,
                    f"'{subgraph_id}' is a subgraph; edges to or from subgraphs are not supported, "
                    "link to a node inside it",
                )
        default = self.class_defs.get("default", Style())
        for node in self.chart.nodes.values():
            node.style = default
        for target, class_name in self.class_uses:
            if class_name.name not in self.class_defs:
                raise self.error(
                    class_name.position,
                    f"unknown class '{class_name.name}'; define it with classDef",
                )
            item = self.styled_item(target)
            item.style = self.class_defs[class_name.name].merged_over(item.style)
        for target, style in self.style_uses:
            item = self.styled_item(target)
            item.style = style.merged_over(item.style)

    def styled_item(self, target: _Reference) -> Node | Subgraph:
        item = self.chart.nodes.get(target.name) or self.chart.subgraphs.get(target.name)
        if item is None:
            raise self.error(target.position, f"unknown node or subgraph '{target.name}'")
        return item


def _link_length(line_style: LineStyle, strokes: int, head: Head) -> int | None:
    """How many ranks an edge spans (Mermaid's `--->` is longer than `-->`); None if not an edge.

    `strokes` counts dashes or `=` for solid and thick edges, dots for dotted ones.
    """
    if line_style is LineStyle.DOTTED:
        return strokes
    if head is Head.NONE:
        # `--` and `==` alone are not edges; `---` is the shortest open edge.
        return strokes - 2 if strokes >= 3 else None
    return strokes - 1
