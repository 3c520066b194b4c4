"""One engine for every printable output: WeasyPrint turns print-ready HTML and CSS into PDF.

The trainer's guide, the participant workbook and the training certificates all go through
`html_to_pdf`, so they share page sizes, fonts and typography rules. PDFs are reproducible: the
same HTML gives the same bytes, and the creation date is the build timestamp (SOURCE_DATE_EPOCH
when set), never the clock.
"""

from __future__ import annotations

import datetime as dt
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
    document = weasyprint.HTML(string=_with_creation_date(html), base_url=base).render(pdf_tags=True)
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
