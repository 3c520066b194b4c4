"""coursebridge preview DIR"""

from pathlib import Path

import click

from builder.errors import UserError
from builder.loader import COURSE_FILE
from builder.preview import PreviewServer


@click.command("preview")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("-p", "--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--poll", is_flag=True,
              help="Look at the files every 0.1 s instead of being notified of changes by the "
                   "system: for network or shared folders, whose changes it may not see.")
def command(folder: Path, port: int, poll: bool) -> None:
    """Serve the course's web build, rebuilding and reloading when a source changes."""
    if not (folder / COURSE_FILE).is_file():
        raise UserError(f"{folder}: no {COURSE_FILE} here; expected a course folder")
    server = PreviewServer(folder, port, report=lambda line: click.echo(line, err=True), poll=poll)
    server.start()
    click.echo(f"Serving {folder} at {server.url} (Ctrl+C to stop)")
    server.serve_until_interrupted()
