"""Compiled templates kept between processes in the user's cache folder, as __pycache__ keeps
Python's: a later build compiles none, and its outputs are those of a build that compiled all."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from click.testing import CliRunner

from builder import render
from builder.cli import main
from builder.render import COMPILED_TEMPLATES, CompiledTemplates
from conftest import FLAGSHIP


def as_next_process(monkeypatch) -> None:
    """The compiled templates as a new process starts with them: none, the cache folder unread."""
    monkeypatch.setattr(COMPILED_TEMPLATES, "compiled", {})
    monkeypatch.setattr(COMPILED_TEMPLATES, "loaded", False)


@pytest.fixture
def new_process(monkeypatch, tmp_path: Path) -> list[str]:
    """As in a fresh process with an empty cache folder (tmp_path/cache); the names of the
    templates compiled from here on."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    as_next_process(monkeypatch)
    compiled: list[str] = []
    compile_template = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, source, name=None, *args:
                        compiled.append(name) or compile_template(self, source, name, *args))
    return compiled


def build_web(dist: Path) -> dict[str, bytes]:
    result = CliRunner().invoke(main, ["build", str(FLAGSHIP), "-o", str(dist), "-f", "web",
                                       "--no-cache"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return {path.relative_to(dist).as_posix(): path.read_bytes()
            for path in sorted(dist.rglob("*")) if path.is_file()}


def test_a_build_compiles_no_template_an_earlier_process_compiled(new_process, tmp_path,
                                                                  monkeypatch):  # fmt: skip
    compiling = build_web(tmp_path / "first")
    assert new_process
    kept = render.user_cache_folder() / CompiledTemplates.file_name()
    assert kept.is_file()
    new_process.clear()
    as_next_process(monkeypatch)
    assert build_web(tmp_path / "second") == compiling  # --no-cache: compiled code is no render
    assert new_process == []


def test_a_changed_template_compiles_again(new_process, tmp_path, monkeypatch):
    build_web(tmp_path / "first")
    as_next_process(monkeypatch)
    COMPILED_TEMPLATES.load()
    key, (_, code) = next(iter(COMPILED_TEMPLATES.compiled.items()))
    COMPILED_TEMPLATES.compiled[key] = ("the checksum of an earlier source", code)
    new_process.clear()
    build_web(tmp_path / "second")
    assert len(new_process) == 1


def test_a_damaged_or_unwritable_cache_folder_changes_nothing(new_process, tmp_path, monkeypatch):
    expected = build_web(tmp_path / "expected")
    kept = render.user_cache_folder() / CompiledTemplates.file_name()
    kept.write_bytes(b"not marshal data")
    as_next_process(monkeypatch)
    new_process.clear()
    assert build_web(tmp_path / "damaged") == expected
    assert new_process  # compiled again, and kept again
    kept_again = CompiledTemplates()
    kept_again.load()
    assert kept_again.compiled.keys() == COMPILED_TEMPLATES.compiled.keys()
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))  # cannot hold a folder
    as_next_process(monkeypatch)
    assert build_web(tmp_path / "unwritable") == expected


def test_the_kept_code_is_per_jinja_version_and_options(monkeypatch):
    name = CompiledTemplates.file_name()
    monkeypatch.setitem(render.TEMPLATE_OPTIONS, "trim_blocks", False)
    assert CompiledTemplates.file_name() != name
    monkeypatch.undo()
    monkeypatch.setattr(jinja2, "__version__", "0.0")
    assert CompiledTemplates.file_name() != name


def test_the_cache_folder_is_the_xdg_one(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert render.user_cache_folder() == tmp_path / "coursebridge"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/folder")  # ignored, as the specification says
    monkeypatch.setenv("HOME", str(tmp_path))
    assert render.user_cache_folder() == tmp_path / ".cache" / "coursebridge"
