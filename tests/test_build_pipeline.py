"""The build pipeline: each Markdown text parsed once, pages rendered once for every format."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent import futures
from pathlib import Path

import pytest

from builder import markdown, model, render
from builder.exporters import get_exporter
from builder.exporters.imscc import CartridgeRenderer
from builder.loader import load_course
from builder.loader.convert import Converter
from builder.loader.sources import CourseSources
from builder.render import SiteRenderer
from conftest import FLAGSHIP

SCREEN_FORMATS = ("web", "scorm12", "scorm2004", "imscc", "moodlexml", "gift")


@pytest.fixture
def parses(monkeypatch) -> Counter:
    """Sources given to the Markdown parser, counted, with the parse caches emptied."""
    counted: Counter = Counter()
    parse = markdown._PARSER.parse

    def counting(source, *arguments):
        counted[source] += 1
        return parse(source, *arguments)

    markdown.parse.cache_clear()
    markdown._scan_source.cache_clear()
    monkeypatch.setattr(markdown._PARSER, "parse", counting)
    yield counted
    markdown.parse.cache_clear()
    markdown._scan_source.cache_clear()


def test_each_markdown_text_is_parsed_once_for_the_checks_and_every_format(parses, tmp_path):
    course = load_course(FLAGSHIP)
    checked = set(parses)  # the texts that may refer to something (markdown.REFERENCE_MARKS)
    assert len(checked) > 20
    for name in SCREEN_FORMATS:  # the printed ones render through markdown.render too
        get_exporter(name).build(course, tmp_path)
    assert checked <= set(parses)
    assert max(parses.values()) == 1


def test_the_markdown_caches_hold_every_text_of_the_course_loaded(parses, monkeypatch, tmp_path):
    """Their room follows the course: with a room of 8 texts (far fewer than the flagship's)
    unless the course asks for more, each text is still parsed once and rendered once per style."""
    monkeypatch.setattr(markdown, "SMALLEST_ROOM", 8)
    monkeypatch.setattr(markdown, "room", 8)
    rendered: Counter = Counter()
    render = markdown._render
    monkeypatch.setattr(markdown, "_render", lambda text, context: rendered.update(
        [(text.source, context.heading_offset, context.styles)]) or render(text, context))
    markdown._rendered.clear()
    course = load_course(FLAGSHIP)
    assert markdown.room == 2 * len(course_texts())
    for name in SCREEN_FORMATS:
        get_exporter(name).build(course, tmp_path)
    assert max(parses.values()) == 1
    assert len(rendered) > 8 and max(rendered.values()) == 1


def course_texts() -> list[str]:
    sources = CourseSources(FLAGSHIP)
    converter = Converter(sources)
    converter.convert_file("course.yaml", model.Course)
    return [text.source for text, _, _ in converter.source_map.markdown]


def test_a_text_the_checks_do_not_parse_refers_to_nothing(monkeypatch):
    """A scan parses only texts with a REFERENCE_MARK: without one, a parse finds nothing."""
    texts = course_texts()
    unmarked = [text.replace("[", "(").replace("<", "(").replace("&", "+")
                .replace("mermaid", "sirène") for text in texts]
    unmarked += ["Voir https://example.org/guide.md, www.example.org ou ecrire@example.org."]
    assert sum(map(len, unmarked)) > 100_000
    skipping = [markdown._scan_source.__wrapped__(text) for text in texts + unmarked]
    monkeypatch.setattr(markdown, "REFERENCE_MARKS", ("",))  # in every text: each one parsed
    parsed = [markdown._scan_source.__wrapped__(text) for text in texts + unmarked]
    assert skipping == parsed
    assert all(found == markdown.MarkdownScan() for found in parsed[len(texts):])
    assert sum(bool(found.links or found.citations or found.diagrams) for found in parsed) > 20
    monkeypatch.undo()
    one_mark_each = ['```mermaid alt="Deux étapes"\ngraph TD\n  A --> B\n```\n',
                     "Voir <https://example.org/guide>.", "Selon &#91;@dupont2020&#93;.",
                     "Voir [le guide](guide.md)."]  # fmt: skip
    assert all(markdown._scan_source.__wrapped__(text) != markdown.MarkdownScan()
               for text in one_mark_each)  # fmt: skip


def test_pages_are_rendered_once_for_web_and_both_scorm_versions(rendered_pages, tmp_path: Path):
    course = load_course(FLAGSHIP)
    outputs = {name: get_exporter(name).build(course, tmp_path).output
               for name in ("web", "scorm12", "scorm2004")}
    assert len(rendered_pages) > 40 and set(rendered_pages.values()) == {1}
    home = (outputs["web"] / "index.html").read_text(encoding="utf-8")
    assert 'data-runtime="web"' in home and "scorm.js" not in home
    assert not (outputs["web"] / "_static" / "scorm.js").exists()


def test_every_runtime_gets_its_own_parts_and_no_slot_is_left():
    files = {runtime: SiteRenderer(load_course(FLAGSHIP)).site_files(runtime)
             for runtime in ("web", "scorm12", "scorm2004")}
    for runtime, site in files.items():
        home = site["index.html"].decode()
        assert f'data-runtime="{runtime}"' in home
        assert ("_static/scorm.js" in site) == (runtime != "web")
        pages = [content.decode() for path, content in site.items() if path.endswith(".html")]
        assert not [page for page in pages if "coursebridge-runtime" in page]


def test_pages_rendered_by_worker_processes_are_the_same_bytes(monkeypatch, tmp_path: Path):
    sequential = get_exporter("web").build(load_course(FLAGSHIP), tmp_path / "one").output
    workers = _count_pools(monkeypatch)
    # A browser test run before in this process may have left Playwright's thread behind, which
    # turns forking off (the next test); this one is about what the workers render.
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    parallel = get_exporter("web").build(load_course(FLAGSHIP), tmp_path / "two").output
    assert workers == [2]
    files = sorted(path.relative_to(sequential) for path in sequential.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(parallel) for path in parallel.rglob("*") if path.is_file())
    assert all((sequential / path).read_bytes() == (parallel / path).read_bytes() for path in files)


def test_cartridge_pages_rendered_by_worker_processes_are_the_same_bytes_and_cached(
    monkeypatch, tmp_path: Path
):
    sequential = get_exporter("imscc").build(load_course(FLAGSHIP), tmp_path / "one").output
    workers = _count_pools(monkeypatch)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in the test above
    course = load_course(FLAGSHIP)
    parallel = get_exporter("imscc").build(course, tmp_path / "two").output
    assert workers == [2]
    assert parallel.read_bytes() == sequential.read_bytes()

    def no_rendering(*arguments):
        raise AssertionError("a page the workers rendered is not in this process's cache")

    monkeypatch.setattr(CartridgeRenderer, "render", no_rendering)
    again = get_exporter("imscc").build(course, tmp_path / "three").output
    assert again.read_bytes() == sequential.read_bytes()


def test_pages_are_rendered_in_this_process_while_another_thread_runs(monkeypatch, tmp_path: Path):
    workers = _count_pools(monkeypatch)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # as a preview's server thread
    other.start()
    try:
        get_exporter("web").build(load_course(FLAGSHIP), tmp_path)
    finally:
        stop.set()
        other.join()
    assert workers == []  # forking with a thread running may deadlock the child


def _count_pools(monkeypatch) -> list[int]:
    """The worker counts of the process pools rendering pages (which a flagship's 50-odd
    pages are made to need)."""
    monkeypatch.setattr(render, "PARALLEL_PAGES", 10)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)
    workers: list[int] = []
    pool = futures.ProcessPoolExecutor
    monkeypatch.setattr(futures, "ProcessPoolExecutor",
                        lambda count, **options: workers.append(count) or pool(count, **options))
    return workers


def test_a_text_is_rendered_to_html_once_for_contexts_that_agree_on_what_it_uses(
    monkeypatch, tmp_path: Path
):
    rendered: Counter = Counter()
    render = markdown._render
    monkeypatch.setattr(markdown, "_render",
                        lambda text, context: rendered.update([text.source]) or render(text, context))
    markdown._rendered.clear()
    course = load_course(FLAGSHIP)
    for name in ("web", "imscc", "moodlexml", "gift"):
        get_exporter(name).build(course, tmp_path)
    feedback = course.activities_of(model.Quiz)[0].questions[0].feedback.correct
    assert feedback and not markdown.local_references(markdown.scan(feedback))
    assert rendered[feedback.source] == 1  # the quiz page, the cartridge, both question banks
    cited = next(text for text in rendered if "[@" in text
                 and not markdown.local_references(markdown.scan(model.Markdown(text))))
    assert rendered[cited] == 2  # linked to the bibliography page, or to the work itself


@pytest.mark.parametrize("name", ["gift", "moodlexml"])
def test_a_question_bank_built_without_the_cache_never_hashes_the_tool(name, monkeypatch, tmp_path):
    """Cache keys include a hash of every file of the tool: a build that keeps nothing needs
    none (the texts' shared renders are keyed within the process)."""
    from click.testing import CliRunner

    from builder import build_cache
    from builder.cli import main

    def refuse() -> str:
        raise AssertionError("the tool's files were hashed")

    monkeypatch.setattr(build_cache, "tool_fingerprint", refuse)
    result = CliRunner().invoke(main, ["build", str(FLAGSHIP), "-o", str(tmp_path), "-f", name,
                                       "--no-cache"])  # fmt: skip
    assert result.exit_code == 0, result.output
