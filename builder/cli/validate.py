"""coursebridge validate DIR"""

from pathlib import Path

import click

from builder.coverage import coverage_matrix, format_matrix
from builder.loader import load_course


@click.command("validate")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--coverage", is_flag=True, help="Print which activities address and assess each objective.")
def command(folder: Path, coverage: bool) -> None:
    """Check the course in FOLDER; write nothing. Exit status 2 when invalid."""
    course = load_course(folder)
    for warning in course.source_warnings:
        click.echo(f"warning: {warning}", err=True)
    matrix = coverage_matrix(course)
    if coverage:
        click.echo(format_matrix(matrix))
        if not matrix.complete:
            raise SystemExit(1)
    else:
        for gap in matrix.gaps:
            click.echo(f"warning: {gap} (see --coverage)", err=True)
    activities = sum(1 for _ in course.activities())
    days = len(course.days)
    click.echo(f"{folder}: valid ({days} day{'s' if days > 1 else ''}, {activities} activities).")
