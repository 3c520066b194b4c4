"""`coursebridge moodle doctor`."""

from __future__ import annotations

import sys

import click

from lms_sync.cli import connect, connection_options
from lms_sync.doctor import diagnose


@click.group("moodle")
def group() -> None:
    """Check the connection to a Moodle site."""


@group.command("doctor")
@connection_options
def doctor(**connection) -> None:
    """Show the site, its version, and what the token lacks for each command."""
    report = diagnose(connect(**connection))
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)
