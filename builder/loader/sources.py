"""Reading course files safely: size limits, UTF-8, safe YAML nodes, paths kept in the folder.

YAML is composed into nodes (never constructed into Python objects), so tags cannot run
code and every value keeps its line and column for error messages.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path, PurePosixPath

import yaml

from builder.errors import Location
from builder.loader.yaml_mistakes import explain, yaml_lines

MAX_FILE_BYTES = 2 * 1024 * 1024
WINDOWS_DRIVE = re.compile(r"[A-Za-z]:")
MAX_NESTING = 100
TOO_DEEP = f"YAML nested too deeply; keep it under {MAX_NESTING} levels"
MAX_EXPANDED_VALUES = 200_000  # a large course has about 20,000
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available
STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)


class SourceProblem(Exception):
    """A problem reading a file; the loader turns it into a located Problem."""

    def __init__(self, location: Location, message: str):
        super().__init__(message)
        self.location = location
        self.message = message


class ComposedFiles:
    """YAML files composed and checked, each with its text, kept from one load to the next
    by a long-running process (the preview): a load composes again only the files whose
    text changed. Nodes are only read once composed, so loads may share them."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[str, yaml.Node, list[str]]] = {}

    def get(self, relative: str, text: str) -> tuple[yaml.Node, list[str]] | None:
        """The node and lines of `relative` when it was composed with this `text`."""
        known = self._files.get(relative)
        return (known[1], known[2]) if known and known[0] == text else None

    def put(self, relative: str, text: str, node: yaml.Node, lines: list[str]) -> None:
        self._files[relative] = (text, node, lines)


class CourseSources:
    """The files of one course folder, read at most once each and never outside it."""

    def __init__(self, root: Path, composed: ComposedFiles | None = None):
        self.root = Path(os.path.realpath(root))
        self._yaml_cache: dict[str, yaml.Node] = {}
        self._lines: dict[str, list[str]] = {}
        self._composed = composed

    # -- paths --

    def resolve(self, base: str, reference: str, where: Location) -> str:
        """Course-relative POSIX path of `reference`, written in a file of folder `base`."""
        if not reference.strip():
            raise SourceProblem(where, "empty file path; expected a path relative to this file")
        if "\\" in reference:
            raise SourceProblem(
                where, f"path '{reference}' contains a backslash; use '/' between folders"
            )
        if reference.startswith("/") or PurePosixPath(reference).is_absolute() or \
                WINDOWS_DRIVE.match(reference):
            raise SourceProblem(
                where,
                f"absolute path '{reference}' is not allowed; "
                "expected a path relative to this file, inside the course folder",
            )
        if ":" in reference:
            raise SourceProblem(
                where,
                f"'{reference}' contains ':', which is not allowed in a file path "
                "(a URL belongs in a link or a resource's 'url'); rename the file",
            )
        joined = os.path.normpath(os.path.join(base, reference)).replace(os.sep, "/")
        if joined == ".." or joined.startswith("../"):
            raise SourceProblem(
                where,
                f"path '{reference}' leaves the course folder; "
                "expected a file inside the course folder",
            )
        real = os.path.realpath(self.root / joined)
        if not (real == str(self.root) or real.startswith(str(self.root) + os.sep)):
            raise SourceProblem(
                where,
                f"path '{reference}' is a symbolic link out of the course folder; "
                "copy the file into the course folder instead",
            )
        if not os.path.isfile(real):
            raise SourceProblem(
                where, f"file '{joined}' not found; expected an existing file in the course folder"
            )
        return joined

    # -- reading --

    def read_text(self, relative: str) -> str:
        path = self.root / relative
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceProblem(
                Location(relative),
                f"file is {size // 1024} KiB, over the {MAX_FILE_BYTES // 1024} KiB limit; "
                "split it into several files",
            )
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
            raise SourceProblem(
                Location(relative, line, column),
                f"file is not valid UTF-8 (byte 0x{data[error.start]:02x}); "
                "save it with UTF-8 encoding",
            ) from None
        if not text.strip():
            raise SourceProblem(Location(relative), "file is empty; expected content")
        return text

    def yaml_root(self, relative: str) -> yaml.Node:
        if relative not in self._yaml_cache:
            self._yaml_cache[relative] = self._composed_again(relative, self.read_text(relative))
        return self._yaml_cache[relative]

    def _composed_again(self, relative: str, text: str) -> yaml.Node:
        """From the files composed by an earlier load when given one and the text is the same."""
        if self._composed is None:
            return self._compose(relative, text)
        known = self._composed.get(relative, text)
        if known:
            node, self._lines[relative] = known
            return node
        node = self._compose(relative, text)
        self._composed.put(relative, text, node, self._lines[relative])
        return node

    def comment_cut(self, node: yaml.ScalarNode) -> tuple[int, str | None] | None:
        """(column of '#', the whole line from the text on) when a comment follows a plain scalar.

        Authors write 'une liste #3' meaning the text; YAML drops everything from ' #'.
        """
        lines = self._lines[node.end_mark.name]
        if node.style or node.end_mark.line >= len(lines):  # quoted or block: no cut
            return None
        line = lines[node.end_mark.line]
        rest = line[node.end_mark.column:]
        stripped = rest.lstrip(" \t")
        if not stripped.startswith("#") or stripped == rest:
            return None
        whole = self.line_from(node.start_mark) if node.start_mark.line == node.end_mark.line else None
        return len(line) - len(stripped), whole

    def line_from(self, mark) -> str:
        """The source line of `mark`, from its column on, as the author wrote it."""
        lines = self._lines[mark.name]
        return lines[mark.line][mark.column:].rstrip() if mark.line < len(lines) else ""

    def _compose(self, relative: str, text: str) -> yaml.Node:
        self._lines[relative] = yaml_lines(text)
        try:
            node = compose(text, relative)
        except yaml.MarkedYAMLError as error:
            if _parser_refused_depth(error):
                mark = error.problem_mark or error.context_mark
                raise SourceProblem(_location(relative, mark), TOO_DEEP) from None
            explained = explain(text, error)
            raise SourceProblem(
                Location(relative, explained.line, explained.column), f"invalid YAML: {explained.message}"
            ) from None
        except yaml.YAMLError as error:
            raise SourceProblem(Location(relative), f"invalid YAML: {error}") from None
        if node is None:
            raise SourceProblem(Location(relative), "file has no YAML content; expected a mapping")
        _check_nodes(relative, node)
        return node


def compose(text: str, name: str) -> yaml.Node | None:
    """YAML text -> node graph, from libyaml's events (fast), composed here without recursion.

    libyaml's own composer recurses in C and crashes the interpreter on deeply nested
    input, so nesting is bounded here, before any recursive code sees the nodes.
    """
    try:
        return _compose_with(_Loader, text, name)
    except yaml.MarkedYAMLError as error:
        if _Loader is yaml.SafeLoader or not _parser_refused_depth(error):
            raise
    # libyaml >= 0.2.6 (PyYAML 6.0.4's wheels) refuses 1000 levels while scanning a flow
    # collection ahead, before any event reaches us; the pure-Python parser streams its
    # events, so our own limit is met first and located where it is crossed.
    return _compose_with(yaml.SafeLoader, text, name)


def _compose_with(loader_class, text: str, name: str) -> yaml.Node | None:
    stream = io.StringIO(text)
    stream.name = name
    loader = loader_class(stream)
    try:
        return _compose_events(loader, name)
    finally:
        loader.dispose()


def _parser_refused_depth(error: yaml.MarkedYAMLError) -> bool:
    return "maximum nesting depth" in (error.problem or "")


def _compose_events(loader, name: str) -> yaml.Node | None:
    anchors: dict[str, yaml.Node] = {}
    open_nodes: list[yaml.Node] = []
    pending_keys: list[yaml.Node | None] = []
    root = None
    documents = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise SourceProblem(
                    _location(name, event.start_mark),
                    "several YAML documents ('---') in one file; keep one per file",
                )
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            open_nodes.pop().end_mark = event.end_mark  # attached when it started
            pending_keys.pop()
            continue
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchors:
                raise SourceProblem(
                    _location(name, event.start_mark),
                    f"alias '*{event.anchor}' names no anchor; define '&{event.anchor}' first",
                )
            node = anchors[event.anchor]
            if any(node is open_node for open_node in open_nodes):
                raise SourceProblem(
                    _location(name, event.start_mark),
                    f"alias '*{event.anchor}' refers to the value that contains it; "
                    "an alias may only repeat a value defined before it",
                )
        elif isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            node = _new_node(loader, event)
            if event.anchor is not None:
                anchors[event.anchor] = node
            if not isinstance(event, yaml.ScalarEvent):
                if len(open_nodes) >= MAX_NESTING:
                    raise SourceProblem(_location(name, event.start_mark), TOO_DEEP)
                _attach(open_nodes, pending_keys, node)
                open_nodes.append(node)
                pending_keys.append(None)
                root = root or node
                continue
        else:
            continue
        if open_nodes:
            _attach(open_nodes, pending_keys, node)
        elif root is None:
            root = node
    return root


def _new_node(loader, event) -> yaml.Node:
    kind = {
        yaml.ScalarEvent: yaml.ScalarNode,
        yaml.SequenceStartEvent: yaml.SequenceNode,
        yaml.MappingStartEvent: yaml.MappingNode,
    }[type(event)]
    tag = event.tag
    if tag is None or tag == "!":
        value = event.value if kind is yaml.ScalarNode else None
        tag = loader.resolve(kind, value, event.implicit)
    if kind is yaml.ScalarNode:
        return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    return kind(tag, [], event.start_mark, event.end_mark, event.flow_style)


def _attach(open_nodes: list[yaml.Node], pending_keys: list, node: yaml.Node) -> None:
    if not open_nodes:
        return
    parent = open_nodes[-1]
    if isinstance(parent, yaml.SequenceNode):
        parent.value.append(node)
    elif pending_keys[-1] is None:
        pending_keys[-1] = node
    else:
        parent.value.append((pending_keys[-1], node))
        pending_keys[-1] = None


def node_location(node: yaml.Node) -> Location:
    return _location(node.start_mark.name, node.start_mark)


def _location(name: str, mark) -> Location:
    if mark is None:
        return Location(name)
    return Location(name, mark.line + 1, mark.column + 1)


def _check_nodes(relative: str, root: yaml.Node) -> None:
    """Refuse explicit tags, merge keys, nesting (aliases included) and alias bombs."""
    seen: set[int] = set()
    shared = False  # a node reached twice: an alias repeats it
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        if node.tag == "tag:yaml.org,2002:merge":
            raise SourceProblem(
                node_location(node), "merge keys '<<' are not supported; write the keys out"
            )
        if node.tag not in STANDARD_TAGS:
            raise SourceProblem(
                node_location(node),
                f"YAML tag '{node.tag}' is not allowed; write plain values without '!' tags",
            )
        stack.extend(_children(node))
    # Without aliases the composer has bounded the nesting and the size is the node count;
    # measuring the expansion is for files that repeat nodes (most course files do not).
    size, height = _expanded_measures(root) if shared else (len(seen), 0)
    if height > MAX_NESTING:
        raise SourceProblem(
            node_location(root),
            f"aliases nest this file over {MAX_NESTING} levels deep; write the content out",
        )
    if size > MAX_EXPANDED_VALUES:
        raise SourceProblem(
            node_location(root),
            f"aliases expand this file to over {MAX_EXPANDED_VALUES} values (an alias bomb?); "
            "write the content out instead of nesting '*' aliases",
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _expanded_measures(root: yaml.Node) -> tuple[int, int]:
    """Size and height the document would have with every alias copied out.

    Computed on the node graph (aliases share nodes), children before parents, so a
    billion-laughs file is measured in microseconds instead of being expanded.
    """
    measures: dict[int, tuple[int, int]] = {}
    stack = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in measures:
            continue
        if children_done:
            children = [measures[id(child)] for child in _children(node)]
            measures[id(node)] = (
                1 + sum(size for size, _ in children),
                1 + max((height for _, height in children), default=0),
            )
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in measures)
    return measures[id(root)]
