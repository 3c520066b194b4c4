"""Printable documents (the trainer's guide, the participant workbook): what they share.

Each is one print-ready HTML file (CSS Paged Media: A4, running titles, page numbers, a table
of contents with page numbers), the images it shows beside it, and its PDF, made by builder.pdf
from that same HTML. Here: the exporter that writes them, the Jinja2 environment of
`templates/print/`, and Markdown rendered for paper (citations and course documents linked
inside the document). No markup here; no logic in the templates.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import jinja2
from markupsafe import Markup

from builder import bibliography, markdown, model
from builder.build_cache import pdf_cache_of, pdf_key
from builder.course_text import CourseText
from builder.exporters.base import Exporter
from builder.i18n import Interface
from builder.markdown import french_text
from builder.pdf import html_to_pdf
from builder.slugs import slugify

TEMPLATES = Path(__file__).parent / "themes" / "default" / "templates"
ASSETS_FOLDER = "assets"
STYLESHEET = "print.css"


class PrintExporter(Exporter):
    """Writes `<folder>/<course id>-<name>.html`, its stylesheet and images, and the PDF of
    that same HTML."""

    template: ClassVar[str]
    own_process = True  # WeasyPrint takes seconds, on another core (builder.background)

    def output_name(self, course: model.Course) -> str:
        return self.name

    def file_stem(self, course: model.Course) -> str:
        return f"{course.id}-{self.name}"

    def write(self, course: model.Course, target: Path, warnings: list[str]) -> None:
        renderer = PrintRenderer(course, self.documents(course))
        html = renderer.render(
            self.template, document_title=renderer.ui(f"{self.name}_title"),
            document_class=self.name, stylesheet=STYLESHEET, **self.context(course, renderer),
        )
        files = {STYLESHEET: (TEMPLATES / "print" / STYLESHEET).read_bytes()}
        for path in sorted(renderer.assets):
            files[f"{ASSETS_FOLDER}/{path}"] = (course.root / path).read_bytes()
        target.mkdir()
        for path, content in files.items():
            (target / path).parent.mkdir(parents=True, exist_ok=True)
            (target / path).write_bytes(content)
        (target / f"{self.file_stem(course)}.html").write_text(html, encoding="utf-8")
        (target / f"{self.file_stem(course)}.pdf").write_bytes(self.pdf(course, html, files, target))

    def pdf(self, course: model.Course, html: str, files: dict[str, bytes], folder: Path) -> bytes:
        """The PDF of `html` (beside `files`, in `folder`): the cached one when an earlier build
        made it from the same HTML and files, else WeasyPrint's (seconds of layout)."""
        cache = pdf_cache_of(course)
        key = pdf_key(html, files)
        pdf = cache.get(self.name, key)
        if pdf is None:
            pdf = html_to_pdf(html, base_url=folder)
            cache.put(self.name, key, pdf)
        return pdf

    def documents(self, course: model.Course) -> list[str]:
        """Course documents (Markdown files) printed in full, so links to them stay inside."""
        return []

    @abstractmethod
    def context(self, course: model.Course, renderer: PrintRenderer) -> dict:
        """What the template needs besides the course and the interface strings."""


@dataclass
class TocEntry:
    anchor: str
    title: str
    level: int  # 1: a chapter (a day, an annex); 2: a section of it


@dataclass
class PrintedDay:
    """A day as a document prints it: its timetable, then the sequences it has something of
    (GuideSequence or WorkbookSequence: each has `sequence`)."""

    day: model.Day
    timetable: list[model.Slot]
    sequences: list

    @property
    def printed(self) -> set[str]:
        """The ids of the sequences printed: the timetable links to these, and only these."""
        return {part.sequence.id for part in self.sequences}


def document_anchor(course_path: str) -> str:
    return "doc-" + slugify(course_path.rsplit(".", 1)[0])


class PrintRenderer(CourseText):
    """The print templates' environment, for one course."""

    def __init__(self, course: model.Course, documents: list[str]):
        super().__init__(course)
        self.ui = Interface(course.language)
        self.french = course.language == "fr"
        self.documents = {path: document_anchor(path) for path in documents}
        self.assets: set[str] = set()  # course files the document shows or links to
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            markdown=self.markdown,
            markdown_inline=self.markdown_inline,
            typography=self.typography,
            text_or_bullets=self.text_or_bullets,
            duration=self.ui.duration,
            time=self.ui.time,
            date=self.ui.date,
            number=self.ui.number,
        )
        self.env.globals.update(
            t=self.ui, ui=self.ui, course=course,
            reference=bibliography.reference, work_anchor=work_anchor,
            printed=self.documents, printed_document=self.document,
        )

    def render(self, template: str, **context) -> str:
        return self.env.get_template(template).render(**context)

    def typography(self, text: str) -> str:
        """French spacing for texts from the YAML (titles, list items), as in rendered Markdown."""
        return french_text(text) if self.french else text

    def markdown(self, text: model.Markdown | None, heading_offset: int = 3) -> Markup:
        return Markup(markdown.render(text, self._context(heading_offset)))

    def markdown_inline(self, text: model.Markdown | str | None) -> Markup:
        """Short texts (questions, feedback, indicators): a single paragraph loses its <p>."""
        if isinstance(text, str):
            text = model.Markdown(text)
        return Markup(markdown.unwrap_paragraph(markdown.render(text, self._context(3))))

    def text_or_bullets(self, value: model.Markdown | list[str]) -> Markup:
        """Markdown text as it is, a list of short texts as a bulleted list."""
        if isinstance(value, model.Markdown):
            return self.markdown(value)
        items = (Markup("<li>{}</li>").format(self.markdown_inline(item)) for item in value)
        return Markup("<ul>{}</ul>").format(Markup("").join(items))

    def document(self, course_path: str, title: str) -> Markup:
        """A course document (a template, a grid) printed in full, under its own first heading
        (or `title` when it has none)."""
        source = (self.course.root / course_path).read_text(encoding="utf-8-sig")
        if not source.lstrip().startswith("# "):
            source = f"# {title}\n\n{source}"
        base = course_path.rsplit("/", 1)[0] if "/" in course_path else ""
        return Markup(markdown.render(model.Markdown(source, base), self._context(1)))

    def _context(self, heading_offset: int) -> markdown.RenderContext:
        return markdown.RenderContext(
            self._link, self._citation, self.diagram, heading_offset, french=self.french
        )

    def _link(self, course_path: str) -> str:
        """A document printed here is linked to inside; any other file is copied beside."""
        if course_path in self.documents:
            return "#" + self.documents[course_path]
        self.assets.add(course_path)
        return f"{ASSETS_FOLDER}/{course_path}"

    def _citation(self, key: str):
        work = self.works.get(key)
        return (bibliography.citation_label(work), "#" + work_anchor(work)) if work else None


def work_anchor(work: model.Work) -> str:
    return f"ref-{work.id}"
