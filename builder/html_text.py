"""The plain text of sanitised HTML, for the fields of a manifest that take no markup."""

from __future__ import annotations

from lxml import etree


def plain_text(html: str) -> str:
    """What a reader sees of `html` (a fragment, as markdown.render makes), its white space
    collapsed. lxml's HTML parser puts a fragment in a <body>; lxml.html, which wraps it
    differently for the same text, costs an import more."""
    if not html.strip():
        return ""
    return " ".join(etree.HTML(html).xpath("string(/html/body)").split())
