"""Markdown: CommonMark (markdown-it-py) rendered to sanitised HTML (nh3).

Extensions, all plain CommonMark syntax so any editor previews them sensibly:
- ```` ```mermaid alt="Text alternative" ```` fenced blocks become inline SVG diagrams;
- `[@key]` cites a bibliography entry;
- a list item starting with `[ ]` or `[x]` is a task: its box shows as ☐ or ☑;
- table cells carry their column's header as `data-label`, for the phone layout;
- in French, the space before ; ! ? : » and after « becomes non-breaking (french_spacing).
- images and links to files of the course folder become package assets.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Hashable

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from builder.model import Markdown

MARKDOWN_DOCUMENTS = (".md", ".markdown")  # files delivered as printable HTML pages
CITATION = re.compile(r"\[@([A-Za-z][A-Za-z0-9_-]*)\]")
ALT_ATTRIBUTE = re.compile(r'alt="([^"]*)"')
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
READABLE_DIAGRAM_TEXT = 12  # px: a diagram scrolls sideways rather than shrink its text below
SVG_WIDTH = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)')
SVG_FONT_SIZE = re.compile(r'font-size="([\d.]+)"')
SVG_TITLE_ID = re.compile(r'<title id="([^"]+)"')
# A tag of serialised HTML: attribute values are double-quoted and may hold '>'.
HTML_TAG = re.compile(r'(<(?:[^>"]|"[^"]*")*>)')
HTML_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)")
VERBATIM_TAGS = {"code", "pre", "kbd"}
FRENCH_SPACES = (
    (re.compile(r"[ \t\n]+([;!?])"), "\u202f\\1"),  # narrow no-break space
    (re.compile(r"[ \t\n]+([:»])"), "\u00a0\\1"),  # no-break space
    (re.compile(r"«[ \t\n]+"), "«\u00a0"),
)
FRENCH_SIGNS = re.compile(r"[;!?:»«]")  # what FRENCH_SPACES space: without them, nothing to do
TASK = re.compile(r"\[([ xX])\] ")
TASK_BOXES = {" ": "☐", "x": "☑", "X": "☑"}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "kbd", "li", "mark",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "table": {"tabindex"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "data-label"},
    "th": {"colspan", "rowspan", "scope"},
    "*": {"lang", "id"},
}
ALLOWED_CLASSES = {"li": {"task"}, "table": {"stack"}}


@dataclass(frozen=True)
class Diagram:
    source: str
    alt: str | None
    line: int  # 0-based line of the fence in the Markdown text


@dataclass
class MarkdownScan:
    """What a Markdown text refers to, with 0-based line numbers for error messages."""

    images: list[tuple[str, str, int]] = field(default_factory=list)  # (src, alt, line)
    links: list[tuple[str, int]] = field(default_factory=list)  # (href, line)
    citations: list[tuple[str, int]] = field(default_factory=list)  # (key, line)
    diagrams: list[Diagram] = field(default_factory=list)


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


_PARSER = _parser()


class TextMemo:
    """A function of a Markdown source, its results kept for the `room` sources used last.
    The room follows the course (make_room): a fixed bound smaller than a big course's texts
    parsed, scanned and rendered them again for every format."""

    def __init__(self, function: Callable[[str], object]) -> None:
        self.__wrapped__ = function
        self.results: OrderedDict[str, object] = OrderedDict()

    def __call__(self, source: str):
        if source in self.results:
            self.results.move_to_end(source)
            return self.results[source]
        self.results[source] = result = self.__wrapped__(source)
        if len(self.results) > room:
            self.results.popitem(last=False)
        return result

    def cache_clear(self) -> None:
        self.results.clear()


# Texts whose parse, scan and HTML are kept: twice the course's texts (one text may be
# rendered in two styles, documents and a preview's edits add some), never fewer than this.
SMALLEST_ROOM = 4096
room = SMALLEST_ROOM


def make_room(texts: int) -> None:
    """Keep every text of a course of `texts` Markdown texts parsed, scanned and rendered."""
    global room
    room = max(SMALLEST_ROOM, 2 * texts)


# Tokens of tokens' types that render() changes: they are copied, the others shared.
CHANGED_BY_RENDER = {
    "heading_open", "heading_close", "table_open", "td_open", "list_item_open", "fence", "inline",
}  # fmt: skip


@TextMemo
def parse(source: str) -> tuple[Token, ...]:
    """The tokens of a Markdown text, parsed once and shared by the load checks (scan) and
    every renderer of every format; a preview's rebuild reuses those of unchanged texts.
    Read-only: render() works on copies of the tokens it changes."""
    return tuple(_PARSER.parse(source))


def scan(text: Markdown) -> MarkdownScan:
    """What `text` refers to; cached, since a preview or a fuzzer reloads the same texts."""
    return _scan_source(text.source)


# What every reference a scan finds is written with: '[' opens a link, an image or a citation
# ('&' an entity that reads as '['), '<' an autolink, and a diagram's fence says "mermaid".
REFERENCE_MARKS = ("[", "<", "&", "mermaid")


@TextMemo
def _scan_source(source: str) -> MarkdownScan:
    found = MarkdownScan()
    if not any(mark in source for mark in REFERENCE_MARKS):
        return found  # most texts: the question banks, which render few of them, parse fewer
    for token in parse(source):
        line = token.map[0] if token.map else 0
        if token.type == "fence" and _is_mermaid(token):
            found.diagrams.append(Diagram(token.content, _alt(token.info), line))
        for child in token.children or ():
            if child.type == "image":
                found.images.append((child.attrGet("src") or "", child.content, line))
            elif child.type == "link_open":
                found.links.append((child.attrGet("href") or "", line))
            elif child.type == "text":
                found.citations += [(key, line) for key in CITATION.findall(child.content)]
    return found


def is_local_reference(target: str) -> bool:
    """Whether a link or image target names a file of the course (not a URL or an anchor)."""
    return bool(target) and not EXTERNAL.match(target)


def _is_mermaid(token: Token) -> bool:
    return token.info.strip().split(" ", 1)[0] == "mermaid"


def _alt(info: str) -> str | None:
    match = ALT_ATTRIBUTE.search(info)
    return match[1].strip() if match else None


@dataclass
class RenderContext:
    """What the renderer needs from the exporter that calls it."""

    asset_url: Callable[[str], str]  # course-relative path -> URL from the current page
    citation: Callable[[str], tuple[str, str] | None]  # key -> (label, URL)
    diagram: Callable[[Diagram], str]  # -> trusted SVG markup
    heading_offset: int = 1  # '#' becomes <h2>: the page title is the only <h1>
    french: bool = False  # French typography: see french_spacing
    # What asset_url, citation and diagram do, as values: contexts whose styles agree on
    # what a text uses (a None part agrees with nothing) share the text's HTML.
    styles: tuple[Hashable, Hashable, Hashable] = (None, None, None)


# HTML by text and what it depends on: shared by contexts of the same styles (web, cartridge)
_rendered: OrderedDict[tuple, str] = OrderedDict()


def render(text: Markdown | None, context: RenderContext) -> str:
    """Markdown -> sanitised HTML, safe to insert in a page; rendered once for every
    context of the same styles, the assets it names named for each."""
    if not text:
        return ""
    key = _shared_key(text, context)
    if key is None:
        return _render(text, context)
    if key in _rendered:
        _rendered.move_to_end(key)
        for target in local_references(scan(text)):
            context.asset_url(_join(text.base, target))
        return _rendered[key]
    _rendered[key] = html = _render(text, context)
    if len(_rendered) > room:
        _rendered.popitem(last=False)
    return html


def local_references(found: MarkdownScan) -> list[str]:
    """The images and links of a text that name course files."""
    targets = [src for src, _, _ in found.images] + [href for href, _ in found.links]
    return [target for target in targets if is_local_reference(target)]


def _shared_key(text: Markdown, context: RenderContext) -> tuple | None:
    """What the text's HTML depends on, or None when a part it uses has no style."""
    found = scan(text)
    uses = (bool(local_references(found)), bool(found.citations), bool(found.diagrams))
    styles = tuple(style if used else None for style, used in zip(context.styles, uses))
    if any(used and style is None for style, used in zip(styles, uses)):
        return None
    return text.source, text.base, context.heading_offset, context.french, styles


def _render(text: Markdown, context: RenderContext) -> str:
    tokens = [_copy(t) if t.type in CHANGED_BY_RENDER else t for t in parse(text.source)]
    diagrams: dict[str, str] = {}
    nonce = hashlib.sha256(text.source.encode()).hexdigest()[:16]
    for index, token in enumerate(tokens):
        _rewrite(token, text.base, context)
        if token.type == "inline" and index >= 2 and tokens[index - 2].type == "list_item_open":
            _task_box(token, tokens[index - 2])
        if token.type == "fence" and _is_mermaid(token):
            marker = f"cbdiagram{nonce}n{len(diagrams)}"
            diagram = Diagram(token.content, _alt(token.info), token.map[0] if token.map else 0)
            diagrams[marker] = context.diagram(diagram)
            token.type, token.tag, token.nesting = "html_block", "", 0
            token.content = f"<p>{marker}</p>\n"
    _label_cells(tokens, french_text if context.french else str)
    clean = sanitise(_PARSER.renderer.render(tokens, _PARSER.options, {}))
    if context.french:
        clean = french_spacing(clean)
    for marker, svg in diagrams.items():
        clean = clean.replace(f"<p>{marker}</p>", diagram_figure(svg))
    return clean


def _copy(token: Token) -> Token:
    """A copy render() may change without changing the shared parse (children copied too)."""
    children = [_copy(child) for child in token.children] if token.children else token.children
    return Token(
        token.type, token.tag, token.nesting, dict(token.attrs), token.map, token.level,
        children, token.content, token.markup, token.info, token.meta, token.block, token.hidden,
    )


def diagram_figure(svg: str) -> str:
    """The SVG in a keyboard-scrollable region, named by the diagram's title, whose SVG is
    never narrower than what keeps its smallest text READABLE_DIAGRAM_TEXT px high."""
    region = 'class="diagram-scroll" tabindex="0" role="region"'
    title = SVG_TITLE_ID.search(svg)
    if title:
        region += f' aria-labelledby="{title[1]}"'
    width = SVG_WIDTH.search(svg)
    sizes = [float(size) for size in SVG_FONT_SIZE.findall(svg)]
    if width and sizes and min(sizes) > 0:
        readable = min(1.0, READABLE_DIAGRAM_TEXT / min(sizes)) * float(width[1])
        region += f' style="--readable-width:{readable:.0f}px"'
    return f'<figure class="diagram"><div {region}>{svg}</div></figure>'


def french_spacing(markup: str) -> str:
    """French typography in serialised HTML: the ordinary spaces before ; ! ? (U+202F),
    before : and » and after « (U+00A0) become non-breaking, so these signs never start a
    line. Only text is changed, never tags, attributes or code; other texts are left as
    they are ('9:30', 'https://', 'Quoi?')."""
    parts = HTML_TAG.split(markup)
    verbatim = 0  # depth of code, pre and kbd elements
    for index, part in enumerate(parts):
        if index % 2:
            name = HTML_TAG_NAME.match(part)
            if name and name[1].lower() in VERBATIM_TAGS:
                verbatim += -1 if part.startswith("</") else 1
        elif not verbatim:
            parts[index] = french_text(part)
    return "".join(parts)


def unwrap_paragraph(html: str) -> str:
    """HTML for short texts (questions, feedback, indicators): a single paragraph loses its <p>."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def french_text(text: str) -> str:
    """french_spacing for a plain text."""
    if not FRENCH_SIGNS.search(text):  # most texts between two tags: one search, not three
        return text
    for pattern, replacement in FRENCH_SPACES:
        text = pattern.sub(replacement, text)
    return text


def typeset(text: str, language: str | None) -> str:
    """A plain text from the YAML (a title) as the course's language sets it: French
    spacing in French courses, as their Markdown texts get it."""
    return french_text(text) if language == "fr" else text


def sanitise(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _rewrite(token: Token, base: str, context: RenderContext) -> None:
    if token.type in ("heading_open", "heading_close"):
        level = min(6, int(token.tag[1]) + context.heading_offset)
        token.tag = f"h{level}"
    if token.type == "table_open":
        token.attrSet("tabindex", "0")
        token.attrSet("class", "stack")  # rows stack as cards on phones
    children = token.children or []
    rewritten: list[Token] = []
    for child in children:
        if child.type == "image" and is_local_reference(child.attrGet("src") or ""):
            child.attrSet("src", context.asset_url(_join(base, child.attrGet("src"))))
        elif child.type == "link_open" and is_local_reference(child.attrGet("href") or ""):
            child.attrSet("href", context.asset_url(_join(base, child.attrGet("href"))))
        if child.type == "text" and CITATION.search(child.content):
            rewritten += _cite(child, context)
            continue
        rewritten.append(child)
    if children:
        token.children = rewritten


def _task_box(inline: Token, item: Token) -> None:
    """A list item's leading '[ ] ' or '[x] ' becomes a box character; the item a task."""
    first = inline.children[0] if inline.children else None
    match = TASK.match(first.content) if first and first.type == "text" else None
    if match:
        first.content = TASK_BOXES[match[1]] + "\u00a0" + first.content[match.end() :]
        item.attrSet("class", "task")


def _label_cells(tokens: list[Token], typography: Callable[[str], str]) -> None:
    """Each body cell gets its column's header text as data-label (phones show rows as cards)."""
    headers: list[str] = []
    column = 0
    for index, token in enumerate(tokens):
        if token.type == "thead_open":
            headers = []
        elif token.type == "th_open":
            inline = tokens[index + 1]
            words = (c.content for c in inline.children or () if c.type in ("text", "code_inline"))
            headers.append(typography("".join(words).strip()))
        elif token.type == "tr_open":
            column = 0
        elif token.type == "td_open":
            if column < len(headers) and headers[column]:
                token.attrSet("data-label", headers[column])
            column += 1


def _cite(token: Token, context: RenderContext) -> list[Token]:
    parts: list[Token] = []
    position = 0
    for match in CITATION.finditer(token.content):
        parts.append(_text(token.content[position : match.start()]))
        found = context.citation(match[1])
        if found:
            label, url = found
            html_token = Token("html_inline", "", 0)
            html_token.content = f'(<a href="{html.escape(url)}">{html.escape(label)}</a>)'
            parts.append(html_token)
        else:
            parts.append(_text(match[0]))
        position = match.end()
    parts.append(_text(token.content[position:]))
    return parts


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _join(base: str, reference: str) -> str:
    """Course-relative path of a reference made in a file of folder `base`."""
    target = reference.split("#", 1)[0].split("?", 1)[0]
    return posixpath.normpath(posixpath.join(base, target)) if base else posixpath.normpath(target)
