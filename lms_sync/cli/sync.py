"""`coursebridge sync plan|apply SYNC.yaml`."""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from builder.errors import one_line
from lms_sync.apply import Applier, ApplyResult
from lms_sync.cli import connect, connection_options
from lms_sync.files import PasswordsFile
from lms_sync.journal import Journal, default_journal_path
from lms_sync.plan import KINDS, Plan, make_plan
from lms_sync.state import read_state
from lms_sync.syncfile import load_sync_file

EXIT_FAILED_ITEMS = 4

sync_file_argument = click.argument("sync_file", type=click.Path(path_type=Path))
prune_option = click.option("--prune", is_flag=True, help="Also remove people no longer in the files (from cohorts, groups, the course). Users are never deleted.")
update_users_option = click.option("--update-users", is_flag=True, help="Also update names and emails of existing users.")


@click.group("sync")
def group() -> None:
    """Plan and apply a sync file to Moodle."""


@group.command("plan")
@sync_file_argument
@prune_option
@update_users_option
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@connection_options
def plan(sync_file: Path, prune: bool, update_users: bool, as_json: bool, **connection) -> None:
    """Show what apply would change, grouped by kind, reading Moodle only."""
    spec = load_sync_file(sync_file)
    client = connect(**connection)
    result = make_plan(spec, read_state(client, spec), prune=prune, update_users=update_users)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        for line in plan_lines(result, spec.course.shortname):
            click.echo(line)


@group.command("apply")
@sync_file_argument
@prune_option
@update_users_option
@click.option("--journal", "journal_path", type=click.Path(path_type=Path), help="JSONL journal to append to (default: next to the sync file).")
@click.option("--passwords-file", type=click.Path(path_type=Path), help="Where generated passwords go (users.passwords: generate); created readable by you only.")
@connection_options
def apply(sync_file: Path, prune: bool, update_users: bool, journal_path: Path | None, passwords_file: Path | None, **connection) -> None:
    """Make Moodle match the sync file; safe to run again until it reports nothing to do."""
    spec = load_sync_file(sync_file)
    client = connect(**connection)
    with ExitStack() as files:  # opened before the first call: a bad path stops the run before Moodle changes
        journal = files.enter_context(Journal(journal_path or default_journal_path(sync_file)))
        passwords = files.enter_context(PasswordsFile(passwords_file)) if passwords_file else None
        state = read_state(client, spec)
        planned = make_plan(spec, state, prune=prune, update_users=update_users)
        for note in planned.notes:
            click.echo(one_line(f"note: {note}"), err=True)
        if planned.empty:
            click.echo(nothing_to_do(planned, "Nothing to do", "above"))
            return
        with click.progressbar(length=len(planned.actions), label="Applying", file=sys.stderr) as bar:
            result = Applier(client, spec, state, journal, progress=bar.update, passwords=passwords).apply(planned)
    click.echo(one_line(f"Applied {len(result.done)} of {len(planned.actions)} changes; journal: {journal.path}"))
    if result.failed:
        for line in failure_lines(result):
            click.echo(line, err=True)
        sys.exit(EXIT_FAILED_ITEMS)


def failure_lines(result: ApplyResult) -> list[str]:
    """How many failed, counted by cause first; then each failure with its reason; one line each."""
    lines = [f"{len(result.failed)} failed (fix the causes below, then run apply again):"]
    lines += [f"  {count} {cause}" for cause, count in result.causes()]
    lines.append("Details:")
    lines += [f"  {failure.action.describe()}: {failure.reason}" for failure in result.failed]
    return [one_line(line) for line in lines]


def plan_lines(result: Plan, shortname: str) -> list[str]:
    """The plan as people read it; names from the files or from Moodle may hold a line break or a
    bidi control, written as escapes so that each action stays on its own line."""
    if result.empty:
        lines = [nothing_to_do(result, f"No changes for {shortname}", "below")]
    else:
        counts = result.counts()
        lines = [f"Plan for {shortname}: {len(result.actions)} changes"]
        for kind in KINDS:
            if kind in counts:
                lines.append(f"  {kind} ({counts[kind]}):")
                lines += [f"    {symbol(kind)} {action.explain()}" for action in result.by_kind(kind)]
    lines += [f"note: {note}" for note in result.notes]
    return [one_line(line) for line in lines]


def nothing_to_do(result: Plan, summary: str, where_notes_are: str) -> str:
    """Moodle matches the sync file only when nothing is left that the plan could not do."""
    count = len(result.notes)
    if count == 0:
        return f"{summary}: Moodle matches the sync file."
    return f"{summary}; {count} note{'s' if count > 1 else ''} {where_notes_are} need{'' if count > 1 else 's'} attention."


def symbol(kind: str) -> str:
    return {"create": "+", "add": "+", "enrol": "+", "post": "+", "restore": "+", "upload": "+", "update": "~", "rename": "~"}.get(
        kind.split()[0], "-"
    )
