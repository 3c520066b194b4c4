"""coursebridge new DIR"""

import shlex
from pathlib import Path

import click

from builder.scaffold import create_course


@click.command("new")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", help="Course title (default: a sample title to edit).")
def command(folder: Path, title: str | None) -> None:
    """Create a small, valid course in FOLDER to start from."""
    files = create_course(folder, title)
    for path in files:
        click.echo(f"created {path}")
    click.echo(f"Next: edit {shlex.quote(str(folder / 'course.yaml'))}, then run: "
               f"coursebridge validate {shlex.quote(str(folder))}")
