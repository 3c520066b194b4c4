"""The build cache: an unchanged build does nothing, an edit renders again only what shows it,
and every output stays byte-identical to a clean build's."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder import build_cache, loader
from builder.build_cache import CACHE_FOLDER, RENDERS_FILE, RenderCache
from builder.cli import main


# The formats whose pages the cache keeps (the printed ones are rendered afresh each time).
CACHED = ["-f", "web", "-f", "scorm12", "-f", "scorm2004", "-f", "imscc", "-f", "moodlexml",
          "-f", "gift"]  # fmt: skip


def build(folder: Path, dist: Path, *options: str):
    formats = [] if "-f" in options else CACHED
    result = CliRunner().invoke(main, ["build", str(folder), "-o", str(dist), *formats, *options])
    assert result.exit_code == 0, result.output
    return result


def tree(dist: Path) -> dict[str, bytes]:
    """Every output file's bytes (the cache left out)."""
    return {path.relative_to(dist).as_posix(): path.read_bytes()
            for path in sorted(dist.rglob("*"))
            if path.is_file() and CACHE_FOLDER not in path.parts}


def first_page_text(folder: Path) -> Path:
    return sorted((folder / "pages").rglob("*.md"))[0]


def test_an_unchanged_build_loads_nothing_and_says_the_same(flagship_copy, tmp_path, monkeypatch):
    first = build(flagship_copy, tmp_path / "dist")
    before = tree(tmp_path / "dist")

    def refuse(folder):
        raise AssertionError("the course was loaded again")

    monkeypatch.setattr(loader, "load_course", refuse)
    again = build(flagship_copy, tmp_path / "dist")
    assert again.output == first.output
    assert tree(tmp_path / "dist") == before


def test_messages_name_the_paths_given_this_time(flagship_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    build(Path("flagship"), Path("dist"), "-f", "gift")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    again = build(Path("../flagship"), Path("../dist"), "-f", "gift")
    assert "../dist/" in again.output


def test_a_changed_output_or_timestamp_is_built_again(flagship_copy, tmp_path, monkeypatch):
    dist = tmp_path / "dist"
    build(flagship_copy, dist, "-f", "web", "-f", "scorm12")
    (dist / "web" / "index.html").write_text("abîmé", encoding="utf-8")
    build(flagship_copy, dist, "-f", "web", "-f", "scorm12")
    assert "abîmé" not in (dist / "web" / "index.html").read_text(encoding="utf-8")
    package = next(dist.glob("*-scorm12.zip"))
    before = package.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    build(flagship_copy, dist, "-f", "web", "-f", "scorm12")
    assert package.read_bytes() != before


def test_one_edited_page_is_the_only_page_rendered_again(flagship_copy, tmp_path,
                                                         rendered_pages):  # fmt: skip
    dist = tmp_path / "dist"
    build(flagship_copy, dist)
    assert len(rendered_pages) > 40
    text = first_page_text(flagship_copy)
    text.write_text(text.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    rendered_pages.clear()
    build(flagship_copy, dist)
    assert len(rendered_pages) == 1
    page = (dist / "web" / next(iter(rendered_pages))).read_text(encoding="utf-8")
    assert "Une phrase ajoutée." in page


def test_the_outline_is_hashed_once_per_build(flagship_copy, tmp_path, monkeypatch):
    """Every page's key includes the outline, which grows with the course: hashing it for
    each page made big builds quadratic."""
    hashed: list[str] = []

    class Outline(str):
        def __repr__(self) -> str:  # how fingerprint() reads its parts
            hashed.append("outline")
            return super().__repr__()

    course_outline = build_cache.course_outline
    monkeypatch.setattr(build_cache, "course_outline",
                        lambda course: Outline(course_outline(course)))
    build(flagship_copy, tmp_path / "dist", "--no-cache")
    assert hashed == ["outline"]


EDITS = {
    "a page's text": lambda folder: _append(first_page_text(folder), "\nUne phrase ajoutée.\n"),
    "a day's title, shown by every page": lambda folder: _retitle(folder / "days" / "jour-1.yaml"),
    "a printable document": lambda folder: _append(
        sorted((folder / "resources").glob("*.md"))[0], "\nUne ligne de plus.\n"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_a_cached_build_after_an_edit_is_byte_identical_to_a_clean_build(
    edit: str, flagship_copy: Path, tmp_path: Path
):
    cached = tmp_path / "cached"
    build(flagship_copy, cached)
    EDITS[edit](flagship_copy)
    build(flagship_copy, cached)
    build(flagship_copy, tmp_path / "clean", "--no-cache")
    assert not (tmp_path / "clean" / CACHE_FOLDER).exists()
    assert tree(cached) == tree(tmp_path / "clean")


def test_the_cache_is_safe_to_delete_or_damage(flagship_copy, tmp_path):
    dist = tmp_path / "dist"
    build(flagship_copy, dist, "-f", "web")
    expected = tree(dist)
    (dist / CACHE_FOLDER / RENDERS_FILE).write_text("{not json", encoding="utf-8")
    (flagship_copy / "notes.txt").write_text("hors cours", encoding="utf-8")  # a new key
    build(flagship_copy, dist, "-f", "web")
    assert tree(dist) == expected
    shutil.rmtree(dist / CACHE_FOLDER)
    build(flagship_copy, dist, "-f", "web")
    assert tree(dist) == expected


def test_another_version_of_the_tool_reads_an_empty_cache(tmp_path):
    cache = RenderCache()
    cache.put("key", "<p>page</p>", {"image.png"})
    cache.save(tmp_path)
    assert RenderCache.load(tmp_path).get("key").assets == ("image.png",)
    path = tmp_path / CACHE_FOLDER / RENDERS_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('"tool": "', '"tool": "other'),
                    encoding="utf-8")
    assert RenderCache.load(tmp_path).get("key") is None


def test_the_tool_as_installed_includes_the_libraries_that_shape_pages():
    from importlib.metadata import version

    installed = [name.lower().replace("_", "-")
                 for name in build_cache.installed_packages(build_cache.SHAPING_LIBRARIES)]
    for distribution in ("jinja2", "markdown-it-py", "nh3"):
        assert f"{distribution}-{version(distribution)}.dist-info" in installed, installed


def test_a_library_upgraded_is_a_new_build_not_a_replay(flagship_copy, tmp_path, monkeypatch):
    build(flagship_copy, tmp_path / "dist")
    loaded = []
    load = loader.load_course
    monkeypatch.setattr(loader, "load_course", lambda *a, **k: loaded.append(1) or load(*a, **k))
    upgraded = [*build_cache.installed_packages(build_cache.SHAPING_LIBRARIES), "nh3-99.0.dist-info"]
    monkeypatch.setattr(build_cache, "installed_packages", lambda modules: upgraded)
    build_cache.tool_fingerprint.cache_clear()
    try:
        build(flagship_copy, tmp_path / "dist")
    finally:
        build_cache.tool_fingerprint.cache_clear()
    assert loaded  # the record and the cached pages were another installation's


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _retitle(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: (.*)$", r"title: \1 (revu)", source, count=1, flags=re.M),
                    encoding="utf-8")
