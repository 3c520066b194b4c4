"""The `coursebridge` command: one module per subcommand, each thin over the library.

A command's module is imported only when that command runs (or shows its own --help), so
`coursebridge --help` and `validate` never import what the Moodle commands or the exporters
need (requests, lxml, Jinja2).
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from builder import __version__
from builder.errors import CourseError, UserError, one_line


# name -> (module, attribute, the command's help as `coursebridge --help` shortens it);
# a test checks each help against the command's own.
COMMANDS = {
    "new": ("builder.cli.new", "command", "Create a small, valid course in FOLDER to start from."),
    "validate": ("builder.cli.validate", "command", "Check the course in FOLDER; write nothing."),
    "build": ("builder.cli.build", "command",
              "Build the course in FOLDER into the output folder (-o, default dist), in every format "
              "or those given."),
    "preview": ("builder.cli.preview", "command",
                "Serve the course's web build, rebuilding and reloading when a source changes."),
    "check": ("builder.cli.check", "command",
              "Check SCORM packages and Common Cartridges, ours or other tools'."),
    "sync": ("lms_sync.cli.sync", "group", "Plan and apply a sync file to Moodle."),
    "moodle": ("lms_sync.cli.moodle", "group",
               "Check the connection to a Moodle site; get the coursebridge Moodle plugin."),
    "report": ("lms_sync.cli.report", "command",
               "Report what the learners of the sync file's course did in Moodle, reading only."),
}


class CoursebridgeGroup(click.Group):
    """Loads commands lazily (COMMANDS); turns the library's UserError into a one-line
    message and its exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """As click does, from COMMANDS' help texts instead of importing every command."""
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [(name, listed_help(name, limit)) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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
        except click.ClickException as error:  # a bad option value may quote a path with a newline
            error.message = one_line(error.message)
            raise
        except (click.exceptions.Exit, SystemExit):
            raise
        except BrokenPipeError:  # the reader left (`coursebridge sync plan ... | head`): stop quietly, as `yes | head` does
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
            sys.exit(141)  # 128 + SIGPIPE
        except Exception as error:  # a bug of ours: say so in one line, not a traceback
            if os.environ.get("COURSEBRIDGE_DEBUG"):
                raise
            click.echo(
                f"internal error: {type(error).__name__}: {one_line(str(error))} "
                "(set COURSEBRIDGE_DEBUG=1 for the traceback, and please report it)",
                err=True,
            )
            sys.exit(70)


def listed_help(name: str, limit: int) -> str:
    """The command's help shortened to `limit` characters, as click shortens it."""
    return click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit)


@click.group(cls=CoursebridgeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coursebridge")
def main() -> None:
    """Write a course once in YAML; build LMS packages; sync Moodle."""
