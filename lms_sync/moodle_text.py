"""What Moodle does to the text it is given and the text it returns, so the plan compares like with like.

Moodle's web services return names (categories, courses, sections, groups, forums, discussion
subjects) through format_string(), which is not reversible: `R&D` and `R&amp;D` both come back
as `R&amp;D`. So the plan never unescapes what Moodle returns; it applies format_string() to the
name it wants and compares that with Moodle's answer (`same_name`).

Parameters typed PARAM_TEXT or PARAM_NOTAGS are refused unless strip_tags() leaves them unchanged
(validate_param in lib/moodlelib.php), so tags are checked at plan time with the same function.
"""

from __future__ import annotations

import html
import re

# lib/weblib.php replace_ampersands_not_followed_by_entity()
_BARE_AMPERSAND = re.compile(r"&(?![a-zA-Z0-9#]{1,8};)")


def format_string(text: str) -> str:
    """format_string() as web services apply it on a default site (formatstringstriptags on, no filters)."""
    if not text:
        return ""
    escaped = _BARE_AMPERSAND.sub("&amp;", text)
    return strip_tags(escaped).replace("<", "&lt;").replace(">", "&gt;")


def same_name(wanted: str, returned: str) -> bool:
    """Whether Moodle's answer `returned` is what it shows for a name stored as `wanted`."""
    return format_string(wanted) == returned


def shown(returned: str) -> str:
    """A name Moodle returned, readable in the terminal (entities decoded); for display only."""
    return html.unescape(returned)


def strip_tags(text: str) -> str:
    """PHP's strip_tags() without allowed tags (ext/standard/string.c, php_strip_tags_ex).

    Not a regular expression on purpose: PHP keeps a `<` followed by white space, ignores `>` inside
    quoted attribute values, counts nested `<`, and drops everything after a tag left open.
    """
    out: list[str] = []
    state = 0  # 0 text, 1 tag, 2 <?...?>, 3 <!...>, 4 <!-- comment -->
    depth = 0
    in_quote = ""
    previous_quote = ""  # PHP's `lc` inside <?...?>
    for index, char in enumerate(text):
        before = text[index - 1] if index else ""
        if char == "<":
            if in_quote:
                continue
            following = text[index + 1] if index + 1 < len(text) else ""
            if following.isspace() and following != "":
                if state == 0:
                    out.append(char)
                continue
            if state == 0:
                state = 1
            elif state == 1:
                depth += 1
        elif char == ">":
            if depth:
                depth -= 1
            elif in_quote:
                continue
            elif state == 1 or state == 3:
                state, in_quote = 0, ""
            elif state == 2:
                if previous_quote != '"' and before == "?":
                    state, in_quote = 0, ""
            elif state == 4:
                if text[index - 2 : index] == "--":
                    state, in_quote = 0, ""
            else:
                out.append(char)
        elif char in "\"'":
            if state == 4:
                continue
            if state == 2 and before != "\\":
                previous_quote = "" if previous_quote == char else char
            elif state == 0:
                out.append(char)
            if state and index and (state == 1 or before != "\\") and (not in_quote or char == in_quote):
                in_quote = "" if in_quote else char
        elif char == "!" and state == 1 and before == "<":
            state = 3
        elif char == "-" and state == 3 and text[index - 2 : index] == "!-":
            state = 4
        elif char == "?" and state == 1 and before == "<":
            state = 2
        elif state == 0:
            out.append(char)
    return "".join(out)
