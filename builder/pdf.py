"""One engine for every printable output: WeasyPrint turns print-ready HTML and CSS into PDF.

The trainer's guide, the participant workbook and the training certificates all go through
`html_to_pdf`, so they share page sizes, fonts and typography rules. PDFs are reproducible: the
same HTML gives the same bytes, and the creation date is the build timestamp (SOURCE_DATE_EPOCH
when set), never the clock.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

from builder.errors import UserError
from builder.packaging import build_timestamp

MISSING_ENGINE = (
    "cannot write PDF files: WeasyPrint or the system libraries it needs are missing ({reason}); "
    "install them with: pip install weasyprint && sudo apt-get install libpango-1.0-0 "
    "libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
)


def html_to_pdf(html: str, base_url: Path | None = None) -> bytes:
    """The PDF of `html`; stylesheets and images load from `base_url` (a folder), and links to
    files stay relative to it, as in the HTML."""
    weasyprint = _engine()
    base = _url(base_url)
    # Tagged PDF: headings, lists and tables stay structure for screen readers.
    document = weasyprint.HTML(string=_with_creation_date(html), base_url=base).render(
        font_config=_font_configuration(html), pdf_tags=True
    )
    if base:
        _keep_links_relative(document, base)
    return document.write_pdf(pdf_tags=True)


def _engine():
    # Imported on first use: WeasyPrint is slow to import and only printable outputs need it.
    try:
        import weasyprint
    except (ImportError, OSError) as error:
        raise UserError(MISSING_ENGINE.format(reason=str(error).splitlines()[0])) from None
    return weasyprint


def _font_configuration(html: str):
    """The process's one font configuration for a document whose style is all inline and
    declares no font (the certificates, one per learner), else None: WeasyPrint then gathers
    the system's fonts for that document alone. Gathering them is a fifth of a one-page
    document's time; a configuration only grows by @font-face rules, so sharing it never
    makes one document's bytes depend on another's."""
    if "@font-face" in html or "<link" in html:
        return None
    return _shared_font_configuration()


@lru_cache(maxsize=1)
def _shared_font_configuration():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def _with_creation_date(html: str) -> str:
    """Add the build timestamp as the document's creation date, unless the HTML has one."""
    if "dcterms.created" in html or "<head>" not in html:
        return html
    moment = dt.datetime(*build_timestamp(), tzinfo=dt.UTC).isoformat()
    return html.replace("<head>", f'<head><meta name="dcterms.created" content="{moment}">', 1)


def _keep_links_relative(document, base: str) -> None:
    """WeasyPrint makes every link absolute: a link to a file beside the HTML would name the
    folder the PDF was made in (a build's scratch folder), so break once moved and change the
    bytes from one build to the next."""
    for page in document.pages:
        page.links = [(kind, target.removeprefix(base) if kind == "external" else target, *place)
                      for kind, target, *place in page.links]  # fmt: skip


def _url(folder: Path | None) -> str | None:
    return folder.resolve().as_uri() + "/" if folder is not None else None
