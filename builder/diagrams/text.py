"""Label text: from Mermaid's HTML-ish labels to plain lines, and their estimated size.

No font file is read: widths come from per-character advance widths (the larger of DejaVu
Sans and Liberation Sans, the widest common system-ui fallbacks, rounded up), so boxes are
never too narrow for the text whatever sans-serif font the reader has.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

# Advance widths in em, per character.
_WIDTH_GROUPS = {
    0.30: "'Iijl",
    0.35: " ,./:;\\|’‘",
    0.40: "()-[]ft",
    0.45: "!r",
    0.50: '"*J`',
    0.55: "csz“”",
    0.60: "?L_kvxy–",
    0.65: "$0123456789FTabdeghnopqu{}«»€",
    0.70: "ABEKPSVXYZ",
    0.75: "CNRU",
    0.80: "&DGHOQ",
    0.85: "#+<=>^w~",
    0.90: "M",
    1.00: "%Wm—…æÆ→",
    1.05: "@œ",
    1.10: "Œ",
}
_CHAR_WIDTHS = {char: width for width, chars in _WIDTH_GROUPS.items() for char in chars}
_DEFAULT_WIDTH = 0.65
_WIDE_WIDTH = 1.0
# Bold glyphs are about 14% wider in DejaVu Sans.
_BOLD_FACTOR = 1.15
LINE_HEIGHT = 1.25  # in em

_LINE_BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
# A tag starts with a letter right after "<": "a < b" is text, "<b>" is a tag.
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Mermaid's entity codes: #quot; #35; (HTML entities are decoded afterwards).
_MERMAID_ENTITY = re.compile(r"#(quot|amp|lt|gt|\d{1,7});")
_MERMAID_ENTITY_NAMES = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
_SPACED_PUNCTUATION = re.compile(r"[?!:;»…]+")


def clean_label(raw: str) -> str:
    """Mermaid label markup -> plain text; `<br>` becomes a line break, other tags vanish."""
    text = _MERMAID_ENTITY.sub(_decode_mermaid_entity, raw)
    text = _LINE_BREAK_TAG.sub("\n", text)
    text = html.unescape(_HTML_TAG.sub("", text))
    lines = (" ".join(_printable(line).split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _decode_mermaid_entity(match: re.Match[str]) -> str:
    code = match.group(1)
    if code.isdigit():
        return chr(int(code)) if int(code) <= 0x10FFFF else ""
    return _MERMAID_ENTITY_NAMES[code]


def _printable(text: str) -> str:
    """Drop control, format and private-use characters: invalid in XML or invisible."""
    return "".join(char for char in text.replace("\t", " ") if unicodedata.category(char)[0] != "C")


def char_width(char: str) -> float:
    """Advance width of one character, in em."""
    if char in _CHAR_WIDTHS:
        return _CHAR_WIDTHS[char]
    base = unicodedata.normalize("NFD", char)[0]
    if base in _CHAR_WIDTHS:
        return _CHAR_WIDTHS[base]
    if unicodedata.combining(char):
        return 0.0
    return _WIDE_WIDTH if unicodedata.east_asian_width(char) in ("W", "F") else _DEFAULT_WIDTH


def text_width(text: str, font_size: float, bold: bool = False) -> float:
    width = sum(char_width(char) for char in text) * font_size
    return width * _BOLD_FACTOR if bold else width


def wrap(text: str, max_width: float, font_size: float, bold: bool = False) -> list[str]:
    """Greedy word wrap of each line of `text`; a word wider than the limit gets its own line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in _unbreakable_words(paragraph):
            candidate = f"{current} {word}" if current else word
            if current and text_width(candidate, font_size, bold) > max_width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _unbreakable_words(paragraph: str) -> list[str]:
    """Words, with French spaced punctuation kept on the line of the word it belongs to:
    never a line starting with "?" or "»", nor ending with "«"."""
    words: list[str] = []
    for word in paragraph.split(" "):
        if words and (_SPACED_PUNCTUATION.fullmatch(word) or words[-1] == "«"):
            words[-1] += " " + word
        else:
            words.append(word)
    return words


@dataclass(frozen=True)
class TextBlock:
    """Wrapped lines of one label and the size they take."""

    lines: list[str]
    font_size: float
    bold: bool

    @property
    def line_height(self) -> float:
        return self.font_size * LINE_HEIGHT

    @property
    def width(self) -> float:
        return max(text_width(line, self.font_size, self.bold) for line in self.lines)

    @property
    def height(self) -> float:
        return len(self.lines) * self.line_height


def text_block(text: str, max_width: float, font_size: float, bold: bool = False) -> TextBlock:
    return TextBlock(wrap(text, max_width, font_size, bold), font_size, bold)
