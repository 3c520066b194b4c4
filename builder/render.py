"""Renders the site's pages with the theme's Jinja2 templates (logic here, markup there).

The pages are rendered once for every runtime (web, scorm12, scorm2004): what differs
between runtimes lives in the macros of `runtime_parts.html.j2`, the only template that sees
`runtime`; pages call `runtime_part("name")`, which leaves a slot that `site_files(runtime)`
fills with that runtime's part.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import CodeType

import jinja2
from markupsafe import Markup

from builder import bibliography, markdown, model
from builder.background import fork_is_safe
from builder.build_cache import cache_of, fingerprint, outline_key
from builder.course_text import CourseText
from builder.i18n import Interface
from builder.markdown import MARKDOWN_DOCUMENTS
from builder.site import Page, Site, build_site
from builder.slugs import slugify

THEME = Path(__file__).parent / "themes" / "default"
STATIC_FOLDER = "_static"
# Theme files that only some runtimes load; every other static file goes everywhere.
STATIC_RUNTIMES = {"scorm.js": ("scorm12", "scorm2004")}
PAGES_SCRIPT = "course-pages.js"  # the activity pages in order, loaded once, not in each page
ASSETS_FOLDER = "assets"
RUNTIME_PARTS = "runtime_parts.html.j2"
# Pages per worker process below which starting processes costs more than it saves.
PARALLEL_PAGES = 150
# '<' is escaped in every text a page shows, so no course text can forge a slot.
RUNTIME_SLOT = re.compile(r"<!--coursebridge-runtime:(\w+)-->")


# The environment options that change the code templates compile to (a compiled-templates key).
TEMPLATE_OPTIONS = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True,
                    "keep_trailing_newline": True}


class CompiledTemplates(jinja2.BytecodeCache):
    """Each template compiled once per process, shared by every renderer's environment
    (compiling is most of a small build's rendering time), and kept for the next process in
    the user's cache folder, as Python keeps compiled modules in __pycache__: one file per
    Jinja2 version, Python version and TEMPLATE_OPTIONS, holding each template's code under
    its path and the checksum of its source, so a changed template recompiles. Safe to
    delete; never written where it cannot be."""

    PREFIX = "templates-"  # then a digest of what the code depends on, then ".marshal"

    def __init__(self) -> None:
        self.compiled: dict[str, tuple[str, CodeType]] = {}  # key -> (source checksum, code)
        self.loaded = False  # the cache folder's file is read when a template is first needed
        self.changed = False  # templates compiled since the last load or save

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if not self.loaded:
            self.load()
        checksum, code = self.compiled.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = (bucket.checksum, bucket.code)
        self.changed = True

    @classmethod
    def file_name(cls) -> str:
        made_by = repr((jinja2.__version__, jinja2.bccache.bc_magic, sorted(TEMPLATE_OPTIONS.items())))
        return f"{cls.PREFIX}{hashlib.sha256(made_by.encode()).hexdigest()[:16]}.marshal"

    def load(self) -> None:
        """Add the templates that earlier processes kept in the user's cache folder."""
        self.loaded = True
        try:
            compiled = marshal.loads((user_cache_folder() / self.file_name()).read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(compiled, dict):
            self.compiled = {**compiled, **self.compiled}

    def save(self) -> None:
        """Keep the templates compiled in this process; quietly not where the cache folder
        cannot be written (a read-only home, say)."""
        if not self.changed:
            return
        folder = user_cache_folder()
        scratch = folder / f".{self.file_name()}-{os.getpid()}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            scratch.write_bytes(marshal.dumps(self.compiled))
            os.replace(scratch, folder / self.file_name())
        except OSError:
            with contextlib.suppress(OSError):  # a half-written scratch file, if any
                scratch.unlink(missing_ok=True)
            return
        self.changed = False


def user_cache_folder() -> Path:
    """coursebridge's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):  # unset, or relative, which the XDG specification says to ignore
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "coursebridge"


COMPILED_TEMPLATES = CompiledTemplates()


class TypesetEnvironment(jinja2.Environment):
    """Templates read every `title` and `subtitle` typeset for the course's language, so
    titles from the YAML get the French spacing Markdown texts get, in every template."""

    TYPESET_ATTRIBUTES = frozenset({"title", "subtitle"})

    def __init__(self, language: str | None, **options) -> None:
        super().__init__(**options)
        self.language = language

    def getattr(self, obj, attribute: str):
        value = super().getattr(obj, attribute)
        if attribute in self.TYPESET_ATTRIBUTES and type(value) is str:  # not Markup
            return markdown.typeset(value, self.language)
        return value


@dataclass
class RenderedSite:
    """Every file of the learner-facing site, keyed by relative path, for all runtimes."""

    pages: dict[str, str] = field(default_factory=dict)  # HTML with runtime slots
    files: dict[str, bytes] = field(default_factory=dict)  # every runtime's static files, assets


def site_renderer(course: model.Course) -> SiteRenderer:
    """The course's renderer, shared by the exporters of one build: web, SCORM 1.2 and
    SCORM 2004 package the same pages, rendered once."""
    if "site" not in course.shared_renders:
        course.shared_renders["site"] = SiteRenderer(course)
    return course.shared_renders["site"]


class SiteRenderer(CourseText):
    """Turns a Course into HTML pages; exporters decide where the files go."""

    def __init__(self, course: model.Course):
        super().__init__(course)
        self.ui = Interface(course.language)
        self.site: Site = build_site(course, self.ui.strings)
        self._rendered: RenderedSite | None = None
        self._parts: dict[str, jinja2.environment.TemplateModule] = {}  # runtime -> its parts
        self.cache = cache_of(course)
        self.outline = outline_key(course)  # what every page shows of the whole course, hashed
        self.assets: set[str] = set()
        self.naming: set[str] = set()  # the assets named by the page being rendered
        self.env = TypesetEnvironment(
            course.language,
            loader=jinja2.FileSystemLoader(THEME / "templates"),
            undefined=jinja2.StrictUndefined,
            bytecode_cache=COMPILED_TEMPLATES,
            **TEMPLATE_OPTIONS,
        )
        self.env.filters.update(
            markdown=self.markdown,
            markdown_inline=self.markdown_inline,
            duration=self.ui.duration,
            time=self.ui.time,
            date=self.ui.date,
            number=self.ui.number,
            anchor=anchor,
        )
        self.env.globals.update(
            t=self.ui,
            course=course,
            site=self.site,
            ui=self.ui,
            static=STATIC_FOLDER,
            reference=bibliography.reference,
            schedule=model.day_schedule,
            asset_url=self.asset_url,
            runtime_part=runtime_slot,
            pages_script=PAGES_SCRIPT,
            shuffled_matches=shuffled_matches,
            pages={kind: self.site.url_of(kind) for kind in ("home", "glossary", "bibliography")},
        )

    # -- whole site --

    def site_files(self, runtime: str) -> dict[str, bytes]:
        """The site as `runtime` ("web", "scorm12" or "scorm2004") runs it."""
        rendered = self.render_site()
        files = {url: self.fill(html, runtime).encode() for url, html in rendered.pages.items()}
        for path, content in rendered.files.items():
            name = path.removeprefix(f"{STATIC_FOLDER}/")
            if runtime in STATIC_RUNTIMES.get(name, (runtime,)):
                files[path] = content
        return files

    def fill(self, html: str, runtime: str) -> str:
        """`html` with its runtime slots filled with `runtime`'s parts."""
        if runtime not in self._parts:
            self._parts[runtime] = self.env.get_template(RUNTIME_PARTS).make_module(
                {"runtime": runtime}
            )
        parts = self._parts[runtime]
        return RUNTIME_SLOT.sub(lambda slot: str(getattr(parts, slot[1])()), html)

    def render_site(self) -> RenderedSite:
        """Every page and file, rendered on the first call only."""
        if self._rendered:
            return self._rendered
        rendered = self._rendered = RenderedSite()
        keys = [fingerprint(type(self).__name__, page.url, self.outline, page.activity)
                for page in self.site.pages]  # fmt: skip
        self.render_missing({key: partial(self.render_page, page)
                             for page, key in zip(self.site.pages, keys)})  # fmt: skip
        for page, key in zip(self.site.pages, keys):
            rendered.pages[page.url] = self.cached(key, partial(self.render_page, page))
        for name in sorted((THEME / "static").iterdir()):
            rendered.files[f"{STATIC_FOLDER}/{name.name}"] = name.read_bytes()
        rendered.files[f"{STATIC_FOLDER}/{PAGES_SCRIPT}"] = self.pages_script().encode()
        done: set[str] = set()
        while pending := sorted(self.assets - done):  # documents may name more assets
            for path in pending:
                rendered.files[f"{ASSETS_FOLDER}/{self.asset_target(path)}"] = self._asset_bytes(path)
                done.add(path)
        return rendered

    def render_missing(self, renders: dict[str, Callable[[], str]]) -> None:
        """Cache the HTML of each key the cache lacks, as its function renders it (with the
        assets it names), all together: in worker processes on a big course."""
        missing = [(key, render) for key, render in renders.items() if not self.cache.get(key)]
        for (key, _), (html, named) in zip(missing, self._render_all([r for _, r in missing])):
            self.cache.put(key, html, named)

    def _render_all(self, renders: list[Callable[[], str]]) -> list[tuple[str, set[str]]]:
        """Each page's HTML and the assets it names; spread over worker processes when
        there are enough pages to gain (forked, they share this renderer) and forking is
        safe (`fork_is_safe`)."""
        workers = min(os.cpu_count() or 1, len(renders) // PARALLEL_PAGES)
        if workers < 2 or not fork_is_safe():
            return [self._render_naming(render) for render in renders]
        import multiprocessing  # here: a small build does not pay for importing them
        from concurrent.futures import ProcessPoolExecutor

        global _FORKED
        _FORKED = self, renders
        chunks = [range(start, len(renders), workers * 4) for start in range(workers * 4)]
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(workers, mp_context=context) as pool:
                done = list(pool.map(_render_in_worker, chunks))
        finally:
            _FORKED = None
        results: list = [None] * len(renders)
        for chunk, rendered in zip(chunks, done):
            for index, result in zip(chunk, rendered):
                results[index] = result
        return results

    def _render_naming(self, render: Callable[[], str]) -> tuple[str, set[str]]:
        self.naming = set()
        return render(), self.naming

    def cached(self, key: str, render: Callable[[], str]) -> str:
        """The HTML cached under `key`, else render()'s, cached; either way the assets it
        names are named, as if rendered."""
        found = self.cache.get(key)
        if found:
            for path in found.assets:
                self.asset_url(path)
            return found.html
        self.naming = set()
        html = render()
        self.cache.put(key, html, self.naming)
        return html

    def render_page(self, page: Page) -> str:
        template = self.env.get_template(page.template)
        return template.render(page=page, quiz_data=self.quiz_data)

    def pages_script(self) -> str:
        urls = json.dumps([page.url for page in self.site.activity_pages], ensure_ascii=False)
        return f"window.CourseBridgePages = {urls};\n"

    # -- assets --

    def asset_target(self, course_path: str) -> str:
        """Markdown documents are delivered as printable HTML pages."""
        if course_path.endswith(MARKDOWN_DOCUMENTS):
            return posixpath.splitext(course_path)[0] + ".html"
        return course_path

    def asset_url(self, course_path: str) -> str:
        self.assets.add(course_path)
        self.naming.add(course_path)
        return f"{ASSETS_FOLDER}/{self.asset_target(course_path)}"

    def _asset_bytes(self, course_path: str) -> bytes:
        source = self.course.root / course_path
        if not course_path.endswith(MARKDOWN_DOCUMENTS):
            return source.read_bytes()
        text = model.Markdown(source.read_text(encoding="utf-8-sig"), posixpath.dirname(course_path))
        key = fingerprint(type(self).__name__, course_path, text, self.outline)
        return self.cached(key, partial(self._document, text, course_path)).encode()

    def _document(self, text: model.Markdown, course_path: str) -> str:
        """A Markdown document of the course as a printable page."""
        depth = course_path.count("/") + 1  # the document sits under assets/<folders>
        prefix = "../" * depth
        context = self._context(prefix=prefix, heading_offset=0)
        body = markdown.render(text, context)
        return self.env.get_template("document.html.j2").render(
            body=Markup(body), title=_first_heading(text.source), prefix=prefix
        )

    # -- Markdown --

    def _context(self, prefix: str = "", heading_offset: int = 1) -> markdown.RenderContext:
        def asset(path: str) -> str:
            return prefix + self.asset_url(path)

        def citation(key: str):
            work = self.works.get(key)
            if not work:
                return None
            return bibliography.citation_label(work), f"{prefix}{self.site.url_of('bibliography')}#{key}"

        styles = (("assets", prefix), ("bibliography", prefix, self.works_key), self.diagram_style)
        return markdown.RenderContext(
            asset, citation, self.diagram, heading_offset, self.course.language == "fr", styles
        )

    def markdown(self, text: model.Markdown | None, heading_offset: int = 1) -> Markup:
        return Markup(markdown.render(text, self._context(heading_offset=heading_offset)))

    def markdown_inline(self, text: model.Markdown | None) -> Markup:
        """For short texts (questions, feedback): a single paragraph loses its <p>."""
        return Markup(markdown.unwrap_paragraph(markdown.render(text, self._context())))

    # -- quizzes --

    def quiz_data(self, quiz: model.Quiz) -> Markup:
        """The answer key and feedback the quiz script needs, as JSON safe inside <script>."""
        data = {
            "id": quiz.id,
            "passing": quiz.passing_score if quiz.passing_score is not None
            else self.course.passing_score,
            "attempts": quiz.attempts,
            "graded": quiz.graded,
            "questions": [self._question_data(q) for q in quiz.questions],
        }
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))

    def _question_data(self, question: model.Question) -> dict:
        data = {
            "id": question.id,
            "type": question.type,
            "points": question.points,
            "correct": str(self.markdown_inline(question.feedback.correct)),
            "incorrect": str(self.markdown_inline(question.feedback.incorrect)),
        }
        if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
            data["answer"] = [i for i, c in enumerate(question.choices) if c.correct]
            data["choiceFeedback"] = [str(self.markdown_inline(c.feedback)) for c in question.choices]
        elif isinstance(question, model.TrueFalse):
            data["answer"] = question.answer
        elif isinstance(question, model.Matching):
            data["answer"] = [pair.match for pair in question.pairs]
        elif isinstance(question, model.ShortAnswer):
            data["answer"] = question.answers
            data["caseSensitive"] = question.case_sensitive
        return data


# The renderer and the renders its forked workers run (inherited, never pickled).
_FORKED: tuple[SiteRenderer, list[Callable[[], str]]] | None = None


def _render_in_worker(chunk: range) -> list[tuple[str, set[str]]]:
    renderer, renders = _FORKED
    return [renderer._render_naming(renders[index]) for index in chunk]


def runtime_slot(name: str) -> Markup:
    """Where the runtime's part `name` (a macro of runtime_parts.html.j2) goes in a page."""
    return Markup(f"<!--coursebridge-runtime:{name}-->")


def shuffled_matches(question: model.Matching) -> list[str]:
    """Right-hand items in a stable order that does not give the answer away."""
    return sorted(
        {pair.match for pair in question.pairs},
        key=lambda text: hashlib.sha256(f"{question.id}:{text}".encode()).hexdigest(),
    )


def anchor(text: str) -> str:
    """A fragment identifier from any text: `Communauté de pratique` -> `communaute-de-pratique`."""
    return slugify(text) or "terme"


def _first_heading(source: str) -> str:
    for line in source.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return ""
