"""Minimal SVG serialisation: every attribute value and text node goes through `escape`."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape for XML text and double- or single-quoted attribute values."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def number(value: float) -> str:
    """A coordinate with at most two decimals and no noise: 12, 12.5, -3.25."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def element(tag: str, content: str | None = None, **attributes: str | None) -> str:
    """`<tag a="v">content</tag>`; a trailing `_` is dropped from names and `_` becomes `-`.

    `content` is markup (already escaped); None attributes are left out.
    """
    rendered = "".join(
        f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"'
        for name, value in attributes.items()
        if value is not None
    )
    if content is None:
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{content}</{tag}>"
