"""YAML syntax errors explained where the author must act, with what to write instead.

The parser reports where it got lost, which for the usual mistakes of people writing prose
in YAML is far from the cause: an unclosed quote is noticed at the next quote, maybe forty
lines further; a ': ' inside a title reads as a second key. These are recognised from the
source and the parser's tokens, and said in the author's terms.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import yaml

# `key: value` or `- value` on one line, as authors write them (the key plain, not quoted).
KEY_VALUE_LINE = re.compile(r"(?P<lead>\s*(?:-\s+)*)(?P<key>[^\s\"'#:-][^:#]*?:\s+)?(?P<value>.*?)\s*")
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's, so line numbers agree with its marks


@dataclass(frozen=True)
class Explanation:
    line: int  # 1-based, as editors count; 0 when the parser gave no place
    column: int
    message: str

    @classmethod
    def at(cls, mark, message: str) -> Explanation:
        return cls(mark.line + 1, mark.column + 1, message)


def yaml_lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def explain(text: str, error: yaml.MarkedYAMLError) -> Explanation:
    """Where and what to fix for a YAML syntax error in `text`."""
    lines = yaml_lines(text)
    mark = error.problem_mark or error.context_mark
    problem = error.problem or error.context or "not valid YAML"
    if mark is None:
        return Explanation(0, 0, problem)
    if error.context == "while scanning a quoted scalar" and error.context_mark:
        quote = _char_at(lines, error.context_mark)
        return Explanation.at(
            error.context_mark, f"the text quoted with {quote} here is never closed; end it with {quote}"
        )
    if "mapping values are not allowed" in problem:
        line = lines[mark.line] if mark.line < len(lines) else ""
        return Explanation.at(mark, _colon_in_value(line))
    quoted = _last_quoted_before(text, mark)
    if quoted is not None and quoted.end_mark.line == mark.line:
        quote = "'" if quoted.style == "'" else '"'
        if quoted.start_mark.line < mark.line:
            return Explanation.at(
                quoted.start_mark,
                f"the text quoted with {quote} here is not closed on its line: YAML reads on up to "
                f"the next {quote} (line {mark.line + 1}); end the text with {quote} on this line",
            )
        closing = quoted.end_mark  # just after the quote that closed the text
        return Explanation(
            closing.line + 1, closing.column,
            f"this {quote} ends the quoted text too early; {_quote_inside(quote)}",
        )
    if mark.line < len(lines) and "\t" in lines[mark.line]:
        problem += "; YAML indents with spaces, not tabs: replace the tab characters"
    return Explanation.at(mark, problem)


def _colon_in_value(line: str) -> str:
    advice = "put the whole text in double quotes"
    parts = KEY_VALUE_LINE.fullmatch(line)
    if parts and parts["value"]:
        written = double_quoted(parts["value"])
        if parts["key"]:
            written = f"{parts['key'].rstrip()} {written}"
        advice += f": {'- ' * parts['lead'].count('-')}{written}"
    return f"': ' inside a text makes YAML read a second key; {advice}"


def double_quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _quote_inside(quote: str) -> str:
    if quote == "'":
        return "inside '...' write an apostrophe as two ('') or quote the text with \" instead"
    return "inside \"...\" write a quotation mark as \\\" or use « » instead"


def _last_quoted_before(text: str, mark) -> yaml.ScalarToken | None:
    """The last quoted scalar the scanner read before `mark`, if any."""
    last = None
    stream = io.StringIO(text)
    try:
        for token in yaml.scan(stream, Loader=yaml.SafeLoader):
            # lines and columns, not indexes: libyaml's and this scanner's count alike
            if (token.start_mark.line, token.start_mark.column) >= (mark.line, mark.column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last = token
    except yaml.YAMLError:
        pass  # the tokens read before the scanner's own error are all we need
    return last


def _char_at(lines: list[str], mark) -> str:
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return '"'
