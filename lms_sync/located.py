"""Reading YAML with the place of every value, so each problem names its file, line and column."""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
from collections.abc import Iterator
from pathlib import Path

import yaml

from builder.errors import CourseError, Location, Problem
from builder.loader.sources import SourceProblem, compose
from builder.loader.yaml_mistakes import explain

__all__ = [
    "SAVE_AS_UTF8",
    "InputError",
    "NodeReader",
    "Problem",
    "did_you_mean",
    "expected_one_of",
    "compose_yaml",
    "mapping_items",
    "read_utf8",
    "scalar_text",
]


class InputError(CourseError):
    """The sync file or a roster is invalid; printed one problem a line, before any call to Moodle."""


SAVE_AS_UTF8 = "save it with UTF-8 encoding"


def read_utf8(path: Path, shown_as: str, how_to_fix: str) -> str:
    """The file's text, without a leading BOM; InputError at the first byte that is not UTF-8."""
    try:
        data = path.read_bytes().removeprefix(codecs.BOM_UTF8)
    except OSError as error:
        raise InputError([Problem(Location(shown_as), "", f"cannot read it ({error.strerror}); check its permissions")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8")) + 1  # characters, as editors count
        problem = Problem(Location(shown_as, line, column), "", f"not valid UTF-8 (byte 0x{data[error.start]:02x}); {how_to_fix}")
        raise InputError([problem]) from None


def did_you_mean(word: str, candidates) -> str:
    """` (did you mean 'x'?)` for the candidate closest to a misspelt word, or nothing."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.75)  # 0.6 offers "course" for "colour"
    return f" (did you mean '{close[0]}'?)" if close else ""


def expected_one_of(choices: tuple[str, ...], given: str) -> str:
    return f"expected one of {', '.join(choices)}{did_you_mean(given, choices)}"


def where(file: str, node: yaml.Node) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


def compose_yaml(text: str, file: str) -> yaml.Node | None:
    """The document's nodes, by the course loader's composer (nesting bounded, no recursion);
    InputError, located where the author must act, if it is not valid YAML."""
    try:
        return compose(text, file)
    except SourceProblem as problem:
        raise InputError([Problem(problem.location, "", problem.message)]) from None
    except yaml.MarkedYAMLError as error:
        explained = explain(text, error)
        location = Location(file, explained.line, explained.column)
        raise InputError([Problem(location, "", f"not valid YAML ({explained.message})")]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(Location(file), "", f"not valid YAML ({error})")]) from None


def scalar_text(node: yaml.Node) -> str:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else ""


def mapping_items(node: yaml.MappingNode, file: str) -> Iterator[tuple[str, yaml.Node, Location]]:
    for key_node, value_node in node.value:
        yield scalar_text(key_node), value_node, where(file, key_node)


class NodeReader:
    """Typed reads of YAML nodes that record a Problem instead of raising, to report them all."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def fail(self, node: yaml.Node | None, path: str, message: str) -> None:
        self.problems.append(Problem(where(self.file, node) if node is not None else Location(self.file), path, message))

    def mapping(self, node: yaml.Node, path: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path, f"expected a mapping with {', '.join(required + optional)}")
            return None
        found: dict[str, yaml.Node] = {}
        allowed = required + optional
        for key, value, location in mapping_items(node, self.file):
            if key not in allowed:
                message = f"unknown key{did_you_mean(key, allowed)}; expected one of {', '.join(allowed)}"
                self.problems.append(Problem(location, join(path, key), message))
            elif key in found:
                self.problems.append(Problem(location, join(path, key), "given twice; keep one"))
            else:
                found[key] = value
        for key in required:
            if key not in found:
                self.fail(node, path, f"missing `{key}`")
        return found

    def text(self, node: yaml.Node | None, path: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null" or not str(node.value).strip():
            self.fail(node, path, "expected a non-empty text")
            return None
        return str(node.value).strip()

    def flag(self, node: yaml.Node | None, path: str) -> bool | None:
        if node is None:
            return None
        value = scalar_text(node).lower()
        if value not in {"true", "false", "yes", "no"}:
            self.fail(node, path, "expected true or false")
            return None
        return value in {"true", "yes"}

    def integer(self, node: yaml.Node | None, path: str) -> int | None:
        if node is None:
            return None
        if not scalar_text(node).isdigit():
            self.fail(node, path, "expected a whole number")
            return None
        return int(scalar_text(node))

    def date(self, node: yaml.Node | None, path: str) -> dt.date | None:
        if node is None:
            return None
        try:
            return dt.date.fromisoformat(scalar_text(node))
        except ValueError:
            self.fail(node, path, "expected a date YYYY-MM-DD")
            return None

    def text_list(self, node: yaml.Node | None, path: str) -> list[str]:
        if node is None:
            return []
        if isinstance(node, yaml.ScalarNode):
            single = self.text(node, path)
            return [single] if single else []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, path, "expected a list of texts")
            return []
        return [text for i, item in enumerate(node.value) if (text := self.text(item, f"{path}[{i}]"))]


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key
