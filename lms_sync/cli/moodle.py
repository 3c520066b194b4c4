"""`coursebridge moodle doctor` and `coursebridge moodle plugin`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from builder.errors import UserError
from lms_sync.cli import connect, connection_options
from lms_sync.doctor import diagnose
from lms_sync.plugin import plugin_version, write_plugin_zip


@click.group("moodle")
def group() -> None:
    """Check the connection to a Moodle site; get the coursebridge Moodle plugin."""


@group.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@connection_options
def doctor(as_json: bool, **connection) -> None:
    """Show the site, its version, and what the token lacks for each command."""
    report = diagnose(connect(**connection))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)


@group.command("plugin")
@click.option("-o", "--output", "folder", type=click.Path(path_type=Path), default=Path("."), show_default=True,
              help="Folder to write local_coursebridge.zip into (created if missing).")
def plugin(folder: Path) -> None:
    """Write the Moodle plugin local_coursebridge.zip (Moodle 4.5 to 5.1), which publishes courses."""
    if folder.exists() and not folder.is_dir():
        raise UserError(f"-o {folder}: is a file; give a folder to write local_coursebridge.zip into")
    try:
        target = write_plugin_zip(folder)
    except OSError as error:
        raise UserError(f"-o {folder}: cannot write there ({error.strerror}); give a folder you can write") from None
    click.echo(f"Wrote {target} (local_coursebridge version {plugin_version()}).")
    click.echo("Install it at Site administration > Plugins > Install plugins, or unzip it into local/ and run admin/cli/upgrade.php.")
