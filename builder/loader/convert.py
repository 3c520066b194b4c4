"""Turn YAML nodes into model objects, driven by the model's type hints.

Every problem is recorded with its file, line, column and document path, and conversion
goes on so that one run reports them all. A field that fails gets its default (or None),
so later checks can still look at the rest of the course.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import types
import typing
from functools import cache
from typing import Any, Literal

import yaml

from builder import model
from builder.errors import Location, Problem
from builder.loader.sources import CourseSources, SourceProblem, node_location
from builder.loader.yaml_mistakes import double_quoted

MAX_CONVERTED_NODES = 500_000
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
URL_PATTERN = re.compile(r"(https?://[^\s/?#]+[^\s]*|mailto:[^\s@]+@[^\s@]+)")
DURATION_PATTERN = re.compile(
    r"\s*(?:(?P<hours>\d+)\s*h\s*(?P<hmin>\d+)?\s*(?:min)?|(?P<minutes>\d+)\s*(?:min)?)\s*"
)
TIME_PATTERN = re.compile(r"(\d{1,2})[:h](\d{2})")
INCLUDE_KEY = "include"
INVALID = object()


class TooLarge(Exception):
    """The document expands to more nodes than any course needs (an alias bomb)."""


@dataclasses.dataclass
class Origin:
    """Where a model object (or one of its fields or list items) came from."""

    location: Location
    path: str


class SourceMap:
    """Origins of model objects, for checks that run after conversion."""

    def __init__(self) -> None:
        self._origins: dict[tuple[int, str | int | None], tuple[Any, Origin]] = {}
        self.markdown: list[tuple[model.Markdown, Origin, int]] = []

    def record(self, owner: Any, key: str | int | None, origin: Origin) -> None:
        self._origins[(id(owner), key)] = (owner, origin)

    def origin(self, owner: Any, key: str | int | None = None) -> Origin:
        found = self._origins.get((id(owner), key)) or self._origins.get((id(owner), None))
        return found[1] if found else Origin(Location(""), "")


class Converter:
    def __init__(self, sources: CourseSources):
        self.sources = sources
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.source_map = SourceMap()
        self._budget = MAX_CONVERTED_NODES
        self._include_stack: list[str] = []

    # -- problems --

    def problem(self, node_or_location, path: str, message: str) -> None:
        location = (
            node_or_location
            if isinstance(node_or_location, Location)
            else node_location(node_or_location)
        )
        self.problems.append(Problem(location, path, message))

    def warn_if_cut_by_comment(self, node: yaml.ScalarNode, path: str, markdown: bool) -> None:
        cut = self.sources.comment_cut(node)
        if cut is None:
            return
        column, whole = cut
        fix = f"quote the whole text: {double_quoted(whole)}" if whole else "quote the whole text"
        if markdown:
            fix += ", or write \\# for each #"
        self.warnings.append(Problem(
            Location(node.end_mark.name, node.end_mark.line + 1, column + 1), path,
            f"' #' starts a YAML comment, so the text stops at '{node.value}'; {fix}",
        ))

    def _colon_hint(self, node: yaml.Node) -> str:
        """For text written `- Jour 1 : découvrir`, which YAML reads as a one-key mapping."""
        if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
            return ""
        key, value = node.value[0]
        if key.start_mark.line != value.end_mark.line or not isinstance(value, yaml.ScalarNode):
            return ""
        written = self.sources.line_from(key.start_mark)
        return f"; a ': ' inside a text makes YAML read a key: quote the whole text: {double_quoted(written)}"

    # -- entry point --

    def convert_file(self, relative: str, target: type, path: str = ""):
        try:
            node = self.sources.yaml_root(relative)
        except SourceProblem as error:
            self.problems.append(Problem(error.location, path, error.message))
            return INVALID
        try:
            return self.convert(node, target, path)
        except TooLarge:
            self.problem(
                node,
                path,
                f"document expands to over {MAX_CONVERTED_NODES} values (too many aliases?); "
                "write the course without deeply repeated '*' aliases",
            )
            return INVALID

    def convert(self, node: yaml.Node, target, path: str):
        self._budget -= 1
        if self._budget < 0:
            raise TooLarge
        origin, arguments = typing.get_origin(target), typing.get_args(target)
        if origin in (types.UnionType, typing.Union):
            return self._union(node, arguments, path)
        if target is model.Markdown:
            return self._markdown(node, path)
        included = self._follow_include(node, path)
        if included is not node:
            if included is INVALID:
                return INVALID
            return self._with_include(included, target, path)
        if origin is list:
            return self._list(node, arguments[0], path)
        if origin is Literal:
            return self._choice(node, arguments, path, "value")
        if target in (model.Activity, model.Question):
            return self._polymorphic(node, target, path)
        if dataclasses.is_dataclass(target):
            return self._dataclass(node, target, path)
        return self._scalar(node, target, path)

    # -- includes --

    def _follow_include(self, node: yaml.Node, path: str):
        """The root node of `{include: file.yaml}`, or `node` itself when it is no include."""
        if not _is_include(node):
            return node
        reference_node = node.value[0][1]
        try:
            relative = self.sources.resolve(
                _folder(node), _scalar_text(reference_node), node_location(reference_node)
            )
            if not relative.endswith((".yaml", ".yml")):
                raise SourceProblem(
                    node_location(reference_node),
                    f"cannot include '{relative}' here; expected a .yaml or .yml file",
                )
            if relative in self._include_stack:
                raise SourceProblem(
                    node_location(reference_node),
                    f"'{relative}' includes itself (through {' -> '.join(self._include_stack)}); "
                    "remove the circular include",
                )
            return self.sources.yaml_root(relative)
        except SourceProblem as error:
            self.problems.append(Problem(error.location, f"{path}.{INCLUDE_KEY}", error.message))
            return INVALID

    def _with_include(self, node: yaml.Node, target, path: str):
        self._include_stack.append(node.start_mark.name)
        try:
            return self.convert(node, target, path)
        finally:
            self._include_stack.pop()

    # -- kinds of values --

    def _union(self, node: yaml.Node, options, path: str):
        """`X | None` may be left empty; `Markdown | list[str]` reads what the node's shape is."""
        if type(None) in options and _is_null(node):
            return None
        kinds = [option for option in options if option is not type(None)]
        lists = [kind for kind in kinds if typing.get_origin(kind) is list]
        others = [kind for kind in kinds if kind not in lists]
        if lists and (isinstance(node, yaml.SequenceNode) or not others):
            return self.convert(node, lists[0], path)
        return self.convert(node, others[0], path)

    def _list(self, node: yaml.Node, item_type, path: str):
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, f"expected a list, found {_describe(node)}")
            return INVALID
        items = []
        for index, item_node in enumerate(node.value):
            item_path = f"{path}[{index}]"
            value = self.convert(item_node, item_type, item_path)
            if value is not INVALID:
                self.source_map.record(items, len(items), Origin(node_location(item_node), item_path))
                items.append(value)
        return items

    def _polymorphic(self, node: yaml.Node, base: type, path: str):
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping, found {_describe(node)}")
            return INVALID
        classes = model.ACTIVITY_CLASSES if base is model.Activity else model.QUESTION_CLASSES
        by_type = {name: cls for cls in classes for name in cls.TYPES}
        kind = "activity" if base is model.Activity else "question"
        type_node = _mapping_value(node, "type")
        if type_node is None:
            self.problem(
                node, f"{path}.type", f"missing {kind} type; expected one of: {', '.join(by_type)}"
            )
            return INVALID
        name = _scalar_text(type_node)
        if name not in by_type:
            self.problem(
                type_node,
                f"{path}.type",
                f"unknown {kind} type '{name}'{did_you_mean(name, by_type)}; "
                f"expected one of: {', '.join(by_type)}",
            )
            return INVALID
        return self._dataclass(node, by_type[name], path)

    def _dataclass(self, node: yaml.Node, cls: type, path: str):
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"expected a mapping, found {_describe(node)}")
            return INVALID
        fields = {f.name: f for f in loadable_fields(cls)}
        hints = type_hints(cls)
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for key_node, value_node in node.value:
            key = _scalar_text(key_node)
            field_path = f"{path}.{key}" if path else key
            if key in values or key in origins:
                self.problem(key_node, field_path, f"duplicate key '{key}'; keep only one")
                continue
            if key == INCLUDE_KEY:
                self.problem(
                    key_node,
                    field_path,
                    "'include' must be the only key of its mapping; "
                    "move the other keys into the included file",
                )
                continue
            if key not in fields:
                self.problem(
                    key_node,
                    field_path,
                    f"unknown key '{key}'{did_you_mean(key, fields)}; "
                    f"expected one of: {', '.join(fields)}",
                )
                continue
            origins[key] = Origin(node_location(value_node), field_path)
            value = self.convert(value_node, hints[key], field_path)
            if value is not INVALID:
                values[key] = value
        for name, spec in fields.items():
            if name not in values and name not in origins and _is_required(spec):
                self.problem(
                    node, f"{path}.{name}" if path else name, f"missing required key '{name}'"
                )
        instance = _instantiate(cls, fields, values)
        self.source_map.record(instance, None, Origin(node_location(node), path))
        for name, origin in origins.items():
            self.source_map.record(instance, name, origin)
        return instance

    def _choice(self, node: yaml.Node, allowed, path: str, what: str):
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, path, f"expected one of: {', '.join(allowed)}")
            return INVALID
        value = node.value
        if value not in allowed:
            self.problem(
                node,
                path,
                f"unknown {what} '{value}'{did_you_mean(value, allowed)}; "
                f"expected one of: {', '.join(allowed)}",
            )
            return INVALID
        return value

    def _markdown(self, node: yaml.Node, path: str):
        if _is_include(node):
            return self._markdown_file(node, path)
        if not isinstance(node, yaml.ScalarNode) or _is_null(node):
            self.problem(
                node,
                path,
                f"expected Markdown text or {{include: file.md}}, found {_describe(node)}"
                f"{self._colon_hint(node)}",
            )
            return INVALID
        self.warn_if_cut_by_comment(node, path, markdown=True)
        text = model.Markdown(node.value, _folder(node))
        # Block scalars (| and >) start on the line after their indicator.
        first_line = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
        origin = Origin(Location(node.start_mark.name, first_line, 1), path)
        self.source_map.markdown.append((text, origin, first_line - 1))
        return text

    def _markdown_file(self, node: yaml.Node, path: str):
        reference_node = node.value[0][1]
        try:
            relative = self.sources.resolve(
                _folder(node), _scalar_text(reference_node), node_location(reference_node)
            )
            if not relative.endswith((".md", ".markdown", ".txt")):
                raise SourceProblem(
                    node_location(reference_node),
                    f"cannot include '{relative}' as text; expected a .md file",
                )
            text = model.Markdown(self.sources.read_text(relative), _parent(relative))
        except SourceProblem as error:
            self.problems.append(Problem(error.location, f"{path}.{INCLUDE_KEY}", error.message))
            return INVALID
        self.source_map.markdown.append((text, Origin(Location(relative, 1, 1), path), 0))
        return text

    def _scalar(self, node: yaml.Node, target, path: str):
        if not isinstance(node, yaml.ScalarNode) or _is_null(node):
            hint = self._colon_hint(node) if target is str else ""
            self.problem(node, path, f"expected {_expectation(target)}, found {_describe(node)}{hint}")
            return INVALID
        if target is str:
            self.warn_if_cut_by_comment(node, path, markdown=False)
        try:
            return parse_scalar(node, target, self.sources)
        except ValueError as error:
            self.problem(node, path, str(error))
            return INVALID
        except SourceProblem as error:
            self.problems.append(Problem(error.location, path, error.message))
            return INVALID


def parse_scalar(node: yaml.ScalarNode, target, sources: CourseSources):
    """Read a scalar as `target`; ValueError says what is wrong and what is expected."""
    text = node.value.strip()
    if target in (str, model.Id, model.Url) and node.tag.endswith((":str", ":int", ":float")):
        if target is model.Id and not ID_PATTERN.fullmatch(text):
            raise ValueError(
                f"invalid identifier '{text}'; expected a letter then letters, digits, '-' or '_'"
            )
        if target is model.Url and not URL_PATTERN.fullmatch(text):
            raise ValueError(f"invalid URL '{text}'; expected an address starting with https://")
        if target is str and not text:
            raise ValueError("empty text; expected some text")
        return target(text) if target is not str else node.value.strip()
    if target is str:
        return text
    if target is bool:
        if node.tag.endswith(":bool"):
            return text.lower() in ("true", "yes", "on", "y")
        raise ValueError(f"expected true or false, found '{text}'")
    if target in (int, model.Percent) and re.fullmatch(r"[-+]?\d+", text):
        value = int(text)
        if target is model.Percent and not 0 <= value <= 100:
            raise ValueError(f"{value} is not a percentage; expected a whole number from 0 to 100")
        if value < 0:
            raise ValueError(f"{value} is negative; expected a positive number")
        return target(value)
    if target is float and re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)", text):
        value = float(text)
        if value < 0:
            raise ValueError(f"{value} is negative; expected a positive number")
        return value
    if target is model.Minutes:
        return _minutes(text)
    if target is dt.time:
        return _time_of_day(text)
    if target is dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"invalid date '{text}'; expected YYYY-MM-DD") from None
    if target is model.CoursePath:
        return model.CoursePath(sources.resolve(_folder(node), text, node_location(node)))
    raise ValueError(f"expected {_expectation(target)}, found '{text}'")


def _minutes(text: str) -> model.Minutes:
    match = DURATION_PATTERN.fullmatch(text)
    if not match:
        raise ValueError(f"invalid duration '{text}'; expected minutes like 45, '90 min' or '1h30'")
    if match["minutes"]:
        minutes = int(match["minutes"])
    else:
        minutes = int(match["hours"]) * 60 + int(match["hmin"] or 0)
    if minutes <= 0:
        raise ValueError(f"duration '{text}' is not positive; expected at least 1 minute")
    return model.Minutes(minutes)


def _time_of_day(text: str) -> dt.time:
    match = TIME_PATTERN.fullmatch(text)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f"invalid time '{text}'; expected HH:MM, e.g. \"09:30\" (quoted)")
    return dt.time(int(match[1]), int(match[2]))


# -- model introspection --------------------------------------------------------------------


@cache
def type_hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def loadable_fields(cls: type) -> list[dataclasses.Field]:
    """The fields a YAML file may set (internal ones, like Course.root, excluded)."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal")]


def _is_required(spec: dataclasses.Field) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


def _instantiate(cls: type, fields: dict[str, dataclasses.Field], values: dict[str, Any]):
    """Build the object even when fields failed, so later checks still see the rest."""
    arguments = dict(values)
    for name, spec in fields.items():
        if name not in arguments and _is_required(spec):
            arguments[name] = [] if typing.get_origin(type_hints(cls)[name]) is list else None
    return cls(**arguments)


# -- node helpers --------------------------------------------------------------------------


def _is_include(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.MappingNode)
        and len(node.value) == 1
        and _scalar_text(node.value[0][0]) == INCLUDE_KEY
    )


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _mapping_value(node: yaml.MappingNode, key: str):
    for key_node, value_node in node.value:
        if _scalar_text(key_node) == key:
            return value_node
    return None


def _scalar_text(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else f"<{_describe(node)}>"


def _folder(node: yaml.Node) -> str:
    return _parent(node.start_mark.name)


def _parent(relative: str) -> str:
    return relative.rsplit("/", 1)[0] if "/" in relative else ""


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if _is_null(node):
        return "nothing"
    value = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    return f"'{value}'"


def _expectation(target) -> str:
    return {
        str: "text",
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        model.Id: "an identifier",
        model.Minutes: "a duration such as 45 or '1h30'",
        model.Percent: "a percentage from 0 to 100",
        model.Url: "a URL",
        model.CoursePath: "a file path",
        dt.date: "a date YYYY-MM-DD",
        dt.time: "a time HH:MM",
    }.get(target, getattr(target, "__name__", str(target)))


def did_you_mean(word: str, candidates) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
