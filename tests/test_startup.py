"""Start-up: each command imports only what it uses (the import lists, never timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from builder.cli import COMMANDS, listed_help, main
from conftest import FLAGSHIP, ROOT

MOODLE_ONLY = {"requests", "urllib3", "lms_sync.client"}
RENDERING = {"jinja2", "lxml", "weasyprint", "builder.render", "builder.exporters.questions"}
LOADING = {"yaml", "markdown_it", "builder.loader"}
IMPORTS_OF = """
import json, sys
from builder.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(*arguments: str) -> set[str]:
    """Every module a fresh `coursebridge ARGUMENTS` has imported when it ends."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS_OF, *arguments],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_help_imports_no_command():
    modules = imported_by("--help")
    assert not modules & (MOODLE_ONLY | RENDERING | LOADING)
    assert not {name for name in modules if name.startswith(("builder.cli.", "lms_sync"))}


def test_validate_imports_no_renderer_and_no_moodle_client():
    modules = imported_by("validate", str(FLAGSHIP))
    assert "builder.loader" in modules
    assert not modules & (MOODLE_ONLY | RENDERING)


def test_web_build_imports_only_its_exporter(tmp_path: Path):
    modules = imported_by("build", str(FLAGSHIP), "-o", str(tmp_path), "-f", "web")
    assert (tmp_path / "web" / "index.html").is_file()
    assert "builder.exporters.web" in modules
    other_exporters = {"builder.exporters.scorm", "builder.exporters.imscc",
                       "builder.exporters.moodlexml", "builder.exporters.gift"}
    assert not modules & (MOODLE_ONLY | other_exporters)
    assert "builder.diagrams.layout" in modules and "statistics" not in modules


@pytest.mark.parametrize("name", ["scorm12", "imscc"])
def test_a_package_imports_lxml_html_no_more(name: str, tmp_path: Path):
    """Manifests take the description's plain text from lxml.etree's HTML parser."""
    modules = imported_by("build", str(FLAGSHIP), "-o", str(tmp_path), "-f", name, "--no-cache")
    assert "builder.html_text" in modules and "lxml.html" not in modules


@pytest.mark.parametrize("name", ["gift", "moodlexml"])
def test_a_question_bank_imports_no_template_engine(name: str, tmp_path: Path):
    """The question banks render Markdown texts only: no Jinja2, no site, no page renderer,
    and the flagship's diagrams, which no question shows, are checked but never drawn."""
    modules = imported_by("build", str(FLAGSHIP), "-o", str(tmp_path), "-f", name, "--no-cache")
    assert {"builder.exporters.questions", "builder.diagrams.flowchart"} <= modules
    assert not modules & {"jinja2", "builder.render", "builder.site", "lxml.html",
                          "builder.diagrams.mermaid", "builder.diagrams.layout"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_listed_help_is_the_commands_own(name: str):
    command = main.get_command(click.Context(main), name)
    assert command.name == name
    assert listed_help(name, 200) == command.get_short_help_str(200)
