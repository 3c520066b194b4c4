"""coursebridge check PACKAGE.zip..."""

from pathlib import Path

import click

from builder.package_check import check_package, require_package_file


@click.command("check")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
def command(packages: tuple[Path, ...]) -> None:
    """Check SCORM packages and Common Cartridges, ours or other tools'.

    Package by package: one line per finding, naming the package, then its summary. Exit
    status 1 when any has errors. A missing file or a folder stops the run before any report.
    """
    for path in packages:
        require_package_file(path)
    failed = False
    for path in packages:
        report = check_package(path)
        for finding in report.findings:
            click.echo(str(finding))
        click.echo(report.summary())
        failed = failed or bool(report.errors)
    if failed:
        raise SystemExit(1)
