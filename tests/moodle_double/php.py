"""Read what local_coursebridge's PHP declares, so the double follows the plugin's code, not a copy of it.

A small parser for the subset Moodle's external functions are written in: `execute_parameters()` returning
`new external_function_parameters([...])` of `external_value`, `external_single_structure` and
`external_multiple_structure`, with PARAM_* and VALUE_* constants, strings, numbers and arrays. Also the
functions of db/services.php and the strings of lang/<lang>/local_coursebridge.php.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from lms_sync.plugin import PLUGIN_FOLDER

from .params import DEFAULT, OPTIONAL, REQUIRED, Multiple, Single, Value

TOKEN = re.compile(
    r"\s+|//[^\n]*|/\*.*?\*/"  # skipped
    r"|(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+)|(?P<name>[A-Za-z_\\][A-Za-z0-9_\\]*)|(?P<punct>=>|[\[\](),;])",
    re.DOTALL,
)
REQUIREDNESS = {"VALUE_REQUIRED": REQUIRED, "VALUE_OPTIONAL": OPTIONAL, "VALUE_DEFAULT": DEFAULT}
CONSTANTS = {"null": None, "true": True, "false": False, **REQUIREDNESS}


class PhpSyntaxError(Exception):
    pass


def php_string(literal: str) -> str:
    """A single-quoted PHP string's value: only \\' and \\\\ are escapes."""
    return re.sub(r"\\([\\'])", r"\1", literal[1:-1])


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) from the start of `text`, read only as far as the parser asks: the rest may be any PHP."""
    position = 0
    while position < len(text):
        match = TOKEN.match(text, position)
        if match is None:
            raise PhpSyntaxError(f"unexpected {text[position:position + 20]!r}")
        position = match.end()
        if match.lastgroup:
            yield match.lastgroup, match[match.lastgroup]


class _Parser:
    def __init__(self, text: str):
        self.items = tokens(text)
        self.next = next(self.items)

    def take(self, value: str | None = None) -> tuple[str, str]:
        kind, text = self.next
        if value is not None and text != value:
            raise PhpSyntaxError(f"expected {value!r}, found {text!r}")
        self.next = next(self.items, ("end", ""))
        return kind, text

    def peek(self) -> str:
        return self.next[1]

    def expression(self):
        kind, text = self.take()
        if kind == "string":
            return php_string(text)
        if kind == "number":
            return int(text)
        if text == "[":
            return self.array()
        if text == "new":
            _, cls = self.take()
            self.take("(")
            arguments = self.sequence(")")
            return structure(cls.rsplit("\\", 1)[-1], arguments)
        if kind == "name" and text.startswith("PARAM_"):
            return text.removeprefix("PARAM_").lower()
        if kind == "name" and text in CONSTANTS:
            return CONSTANTS[text]
        raise PhpSyntaxError(f"unexpected {text!r}")

    def sequence(self, end: str) -> list:
        values = []
        while self.peek() != end:
            values.append(self.expression())
            if self.peek() == ",":
                self.take(",")
        self.take(end)
        return values

    def array(self):
        keyed, listed = {}, []
        while self.peek() != "]":
            value = self.expression()
            if self.peek() == "=>":
                self.take("=>")
                keyed[value] = self.expression()
            else:
                listed.append(value)
            if self.peek() == ",":
                self.take(",")
        self.take("]")
        return keyed if keyed else listed


def structure(cls: str, arguments: list):
    """The double's description for one `new external_*(...)`."""
    required = arguments[2] if len(arguments) > 2 else REQUIRED
    default = arguments[3] if len(arguments) > 3 else None
    if cls == "external_function_parameters":
        return Single(arguments[0])
    if cls == "external_value":
        return Value(arguments[0], required, default)
    if cls == "external_single_structure":
        return Single(arguments[0], required, default)
    if cls == "external_multiple_structure":
        return Multiple(arguments[0], required, [] if default is None else default)
    raise PhpSyntaxError(f"unknown structure {cls}")


def class_file(function: str) -> Path:
    return PLUGIN_FOLDER / "classes" / "external" / f"{function.removeprefix('local_coursebridge_')}.php"


@cache
def execute_parameters(function: str) -> Single:
    """The parameters a plugin function declares, read from its class."""
    text = class_file(function).read_text(encoding="utf-8")
    body = text[text.index("function execute_parameters()") :]
    return _Parser(body[body.index("return ") + len("return ") :]).expression()


@cache
def service_functions() -> dict[str, dict]:
    """db/services.php's $functions: name -> its declaration (classname, description, type)."""
    text = (PLUGIN_FOLDER / "db" / "services.php").read_text(encoding="utf-8")
    return _Parser(text[text.index("$functions = ") + len("$functions = ") :]).expression()


@cache
def lang_strings(lang: str) -> dict[str, str]:
    text = (PLUGIN_FOLDER / "lang" / lang / "local_coursebridge.php").read_text(encoding="utf-8")
    return {php_string(key): php_string(value) for key, value in re.findall(r"\$string\[('[^']*')\] = ('(?:[^'\\]|\\.)*');", text)}
