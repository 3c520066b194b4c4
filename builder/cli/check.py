"""coursebridge check PACKAGE.zip..."""

from pathlib import Path

import click

from builder.package_check import check_package


@click.command("check")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
def command(packages: tuple[Path, ...]) -> None:
    """Check SCORM packages and Common Cartridges, ours or other tools'.

    One line per finding, then a summary per package; exit status 1 when any has errors.
    """
    failed = False
    for path in packages:
        report = check_package(path)
        for finding in report.findings:
            click.echo(str(finding))
        click.echo(report.summary())
        failed = failed or bool(report.errors)
    if failed:
        raise SystemExit(1)
