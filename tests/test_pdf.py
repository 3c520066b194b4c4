"""The one HTML-to-PDF engine every printable output uses."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from builder.pdf import html_to_pdf

PAGE = (
    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Livret</title></head>'
    "<body><h1>Animer une communauté</h1><p>Réflexion\u00a0: écrire ici.</p></body></html>"
)


def test_text_is_extractable_and_title_kept():
    reader = PdfReader(io.BytesIO(html_to_pdf(PAGE)))
    text = reader.pages[0].extract_text()
    assert "Animer une communauté" in text
    assert "Réflexion" in text
    assert reader.metadata.title == "Livret"


def test_same_html_same_bytes_and_creation_date_is_the_build_timestamp(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768348800")  # 2026-01-14T00:00:00Z
    first = html_to_pdf(PAGE)
    assert first == html_to_pdf(PAGE)
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"].startswith("D:20260114")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768435200")
    assert html_to_pdf(PAGE) != first


def test_documents_with_inline_style_and_no_font_of_their_own_share_the_fonts_and_keep_their_bytes():
    import weasyprint

    from builder import pdf

    alone = weasyprint.HTML(string=pdf._with_creation_date(PAGE)).write_pdf(pdf_tags=True)
    other = PAGE.replace("<body>", "<body><table><tr><td>Acquis</td></tr></table>")
    html_to_pdf(other)
    assert html_to_pdf(PAGE) == alone
    assert pdf._font_configuration(PAGE) is pdf._font_configuration(other) is not None
    with_font = PAGE.replace("</head>", "<style>@font-face { font-family: X; src: url(x.ttf) }</style></head>")
    assert pdf._font_configuration(with_font) is None
    assert pdf._font_configuration(PAGE.replace("</head>", '<link rel="stylesheet" href="print.css"></head>')) is None


def test_missing_engine_is_one_line_saying_what_to_install(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def refuse_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0'\nmore details")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse_weasyprint)
    from builder.errors import UserError

    with pytest.raises(UserError) as raised:
        html_to_pdf(PAGE)
    message = str(raised.value)
    assert "\n" not in message
    assert "libpango-1.0-0" in message and "pip install weasyprint" in message
