"""APA-style references and short citation labels for bibliography entries."""

from __future__ import annotations

from markupsafe import Markup, escape

from builder.model import Work


def surname(author: str) -> str:
    return author.split(",", 1)[0].strip()


def citation_label(work: Work) -> str:
    """`Wenger, 1998`, `Lave & Wenger, 1991`, `Wenger et al., 2002`."""
    names = [surname(author) for author in work.authors]
    if len(names) == 1:
        who = names[0]
    elif len(names) == 2:
        who = f"{names[0]} & {names[1]}"
    else:
        who = f"{names[0]} et al."
    return f"{who}, {work.year}"


def _authors(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + ", & " + names[-1]


def reference(work: Work) -> Markup:
    """The full reference as safe HTML (titles in italics where APA puts them)."""
    parts = [escape(f"{_authors(work.authors)} ({work.year}). ")]
    if work.type == "article":
        parts.append(escape(f"{work.title}. "))
        if work.container:
            parts.append(Markup("<em>{}</em>").format(work.container))
        if work.volume:
            parts.append(Markup(", <em>{}</em>").format(work.volume))
        if work.issue:
            parts.append(escape(f"({work.issue})"))
        if work.pages:
            parts.append(escape(f", {work.pages}"))
        parts.append(escape(". "))
    elif work.type == "chapter":
        parts.append(escape(f"{work.title}. "))
        editors = f"{_authors(work.editors)} (Éd.), " if work.editors else ""
        parts.append(escape(f"In {editors}"))
        parts.append(Markup("<em>{}</em>").format(work.container or ""))
        parts.append(escape(f" (p. {work.pages}). " if work.pages else ". "))
    else:
        title = Markup("<em>{}</em>").format(work.title)
        parts.append(title)
        parts.append(escape(f" ({work.edition})" if work.edition else ""))
        parts.append(escape(". "))
    publisher = ", ".join(filter(None, [work.place, work.publisher]))
    if publisher and work.type != "article":
        parts.append(escape(f"{publisher}. "))
    if work.doi:
        parts.append(_link(f"https://doi.org/{work.doi}"))
    elif work.url:
        parts.append(_link(work.url))
    return Markup("").join(parts).rstrip()


def _link(url: str) -> Markup:
    return Markup('<a href="{0}">{0}</a>').format(url)
