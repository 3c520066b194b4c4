"""coursebridge build DIR -o DIST [--format ...]"""

from pathlib import Path

import click

from builder.errors import UserError
from builder.exporters import EXPORTERS, get_exporter
from builder.exporters.base import FormatNote


@click.command("build")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "dist", type=click.Path(path_type=Path), default=Path("dist"),
    show_default=True, help="Folder the outputs are written to.",
)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(list(EXPORTERS)),
    help="Output format; repeat for several. Default: every format.",
)
@click.option("--strict", is_flag=True,
              help="Fail (exit 1) when the build warns about the course (notes do not count).")
def command(folder: Path, dist: Path, formats: tuple[str, ...], strict: bool) -> None:
    """Build the course in FOLDER into DIST, in every format or those given."""
    from builder.loader import load_course

    course = load_course(folder)
    if dist.resolve() == course.root:
        raise UserError(f"{dist}: is the course folder; write the outputs elsewhere, e.g. -o dist")
    for warning in course.source_warnings:
        click.echo(f"warning: {warning}", err=True)
    warnings = len(course.source_warnings)
    for name in dict.fromkeys(formats or EXPORTERS):  # each format once, in the order given
        result = get_exporter(name).build(course, dist)
        click.echo(f"{name:10} {result.output}")
        for message in result.warnings:
            kind = "note" if isinstance(message, FormatNote) else "warning"
            click.echo(f"{kind}: {name}: {message}", err=True)
        warnings += len(result.problems)
    if strict and warnings:
        raise SystemExit(1)
