"""Injection payloads in every text field come out inert in every output format."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builder.exporters import EXPORTERS, get_exporter
from builder.loader import load_course
import gift_parser
from hostile import active_content, hostile_course


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, Path]:
    folder = hostile_course(tmp_path_factory.mktemp("hostile") / "cours")
    course = load_course(folder)
    dist = tmp_path_factory.mktemp("dist")
    return {name: get_exporter(name).build(course, dist).output for name in EXPORTERS}


def _html_documents(output: Path):
    """(name, markup) of every HTML document in an output folder or package."""
    if output.is_dir():
        for path in sorted(output.rglob("*.html")):
            yield str(path.relative_to(output)), path.read_text(encoding="utf-8")
    elif zipfile.is_zipfile(output):
        with zipfile.ZipFile(output) as archive:
            for name in archive.namelist():
                if name.endswith((".html", ".htm")):
                    yield name, archive.read(name).decode("utf-8")


def _embedded_html(output: Path):
    """HTML that XML formats carry as text, where they declare it HTML (CC's texttype,
    Moodle XML's format="html"); other text is plain and shown as typed."""
    def from_xml(name: str, data: bytes):
        root = etree.fromstring(data)
        for element in root.iter():
            if not isinstance(element.tag, str) or not element.text:
                continue
            parent = element.getparent()
            declared_html = element.get("texttype") == "text/html" or (
                parent is not None and parent.get("format") == "html")
            if declared_html:
                yield f"{name}:{element.sourceline}", f"<div>{element.text}</div>"

    if zipfile.is_zipfile(output):
        with zipfile.ZipFile(output) as archive:
            for name in archive.namelist():
                if name.endswith(".xml"):
                    yield from from_xml(name, archive.read(name))
    elif output.suffix == ".xml":
        yield from from_xml(output.name, output.read_bytes())


@pytest.mark.parametrize("name", list(EXPORTERS))
def test_no_active_content_in_any_output(outputs, name):
    output = outputs[name]
    documents = [*_html_documents(output), *_embedded_html(output)]
    if name not in ("gift",):
        assert documents, f"{name}: no HTML found to check"
    for where, markup in documents:
        assert active_content(markup) == [], where


def test_gift_html_texts_are_inert(outputs):
    """Read back as Moodle would; every text Moodle treats as HTML must be inert."""
    questions = gift_parser.parse(outputs["gift"].read_text(encoding="utf-8"))
    assert questions
    for question in questions:
        texts = [question.text, question.general_feedback, question.feedback_true,
                 question.feedback_false]
        texts += [t for answer in question.answers for t in (answer.text, answer.feedback)]
        texts += [text for text, _ in question.subquestions]
        for text in filter(None, texts):
            if text.format == "html" and text.text:
                assert active_content(f"<div>{text.text}</div>") == [], question.name


def test_a_javascript_url_is_refused_by_the_loader(course_dir):
    from builder.errors import CourseError

    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "file: ../resources/grille.md", "url: javascript:alert(1)"), encoding="utf-8")
    with pytest.raises(CourseError, match="invalid URL 'javascript:alert"):
        load_course(course_dir)
