"""The `coursebridge` command: one module per subcommand, each thin over the library."""

from __future__ import annotations

import os
import sys

import click

from builder import __version__
from builder.errors import CourseError, UserError


class CoursebridgeGroup(click.Group):
    """Turns the library's UserError into a one-line message and its exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CourseError as error:
            for problem in error.problems:
                click.echo(str(problem), err=True)
            count = len(error.problems)
            click.echo(f"{count} problem{'s' if count > 1 else ''} found.", err=True)
            sys.exit(error.exit_code)
        except UserError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as error:  # a bug of ours: say so in one line, not a traceback
            if os.environ.get("COURSEBRIDGE_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {error} "
                "(set COURSEBRIDGE_DEBUG=1 for the traceback, and please report it)",
                err=True,
            )
            sys.exit(70)


@click.group(cls=CoursebridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coursebridge")
def main() -> None:
    """Write a course once in YAML; build LMS packages; sync Moodle."""


def _register() -> None:
    from builder.cli import build, check, new, preview, validate

    for module in (new, validate, build, preview, check):
        main.add_command(module.command)
    from lms_sync.cli import moodle, sync

    main.add_command(sync.group)
    main.add_command(moodle.group)


_register()
