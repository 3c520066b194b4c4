"""`coursebridge report SYNC.yaml -o DIR [--certificates]`: what the learners did, read from Moodle."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from builder.loader import load_course
from builder.model import Course, Session
from builder.pdf import html_to_pdf
from lms_sync.cli import connect, connection_options
from lms_sync.report.collect import ReportInputError, collect, learner_usernames
from lms_sync.report.figures import NOT_ENROLLED, Report, compute
from lms_sync.report.render import CertificateInfo, certificates_html, csv_text, dashboard_html, figures_json, summary_lines
from lms_sync.syncfile import SyncSpec, load_sync_file

CERTIFICATES = "certificates"


@click.command("report")
@click.argument("sync_file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("report"), show_default=True,
              help="Folder for report.csv, report.html, report.json and the certificates.")
@click.option("--role", "roles", multiple=True, default=("student",), show_default=True,
              help="Enrolment role of the people reported on; repeat for several.")
@click.option("--delimiter", type=click.Choice([";", ","]), default=";", show_default=True,
              help="CSV field separator: ';' for Excel in French (decimal comma), ',' elsewhere (decimal point).")
@click.option("--timezone", "zone_name", help="Time zone of the times written (default: this computer's), e.g. Europe/Paris.")
@click.option("--include-learner-texts", "learner_texts", is_flag=True,
              help="Also put each learner's reflections and self-assessments in report.html and report.json (personal texts).")
@click.option("--certificates", is_flag=True, help="Also write each learner's training certificate (PDF) and all of them in one PDF.")
@click.option("--issued", type=click.DateTime(["%Y-%m-%d"]), help="Date written on the certificates (default: today).")
@click.option("--signatory", help="Name and position of who signs the certificates, e.g. 'Marie Durand, directrice'.")
@connection_options
def command(sync_file: Path, output: Path, roles: tuple[str, ...], delimiter: str, zone_name: str | None, learner_texts: bool, certificates: bool,
            issued: dt.datetime | None, signatory: str | None, **connection) -> None:
    """Report what the learners of the sync file's course did in Moodle, reading only."""
    spec = load_sync_file(sync_file)
    course = _course(spec)
    zone = _zone(zone_name)
    unknown = [role for role in roles if role not in spec.roles]
    if unknown:
        raise ReportInputError(f"--role {unknown[0]}: unknown role; expected one of {', '.join(spec.roles)}")
    _check_output(output)
    client = connect(**connection)
    count = len(learner_usernames(spec, roles))
    with click.progressbar(length=count, label="Reading learners", file=sys.stderr) as bar:
        collected = collect(client, spec, roles, progress=bar.update)
    report = compute(course, collected, learner_texts=learner_texts)
    read_at = dt.datetime.now(dt.UTC)
    output.mkdir(parents=True, exist_ok=True)
    _write(output / "report.csv", csv_text(report, delimiter, zone).encode("utf-8"))
    _write(output / "report.json", (json.dumps(figures_json(report, read_at), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    _write(output / "report.html", dashboard_html(report, read_at, zone).encode("utf-8"))
    if certificates:
        info = CertificateInfo(_session(course, spec), (issued or dt.datetime.now(zone)).date(), signatory)
        _write_certificates(report, info, output / CERTIFICATES)
    for line in summary_lines(report):
        click.echo(line)
    click.echo(f"Report written to {output} ({client.stats.total} calls to Moodle, none of them a write)")


def _course(spec: SyncSpec) -> Course:
    if spec.source is None:
        raise ReportInputError(f"{spec.path}: the report needs the course itself; add `source:` (the course folder) under course:")
    return load_course(spec.source)


def _zone(name: str | None) -> ZoneInfo | dt.tzinfo:
    if name is None:
        return dt.datetime.now().astimezone().tzinfo
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ReportInputError(f"--timezone {name}: unknown time zone; expected a name like Europe/Paris or UTC") from None


def _check_output(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise ReportInputError(f"{output}: is a file; give a folder for the report, e.g. -o report")


def _session(course: Course, spec: SyncSpec) -> Session | None:
    """The course session the Moodle course is for: the one starting on the sync file's start date, else the only one."""
    start = dt.datetime.fromtimestamp(spec.course.start, dt.UTC).date() if spec.course.start else None
    matching = [session for session in course.sessions if session.start == start]
    if matching:
        return matching[0]
    if len(course.sessions) == 1:
        return course.sessions[0]
    if not course.sessions:
        click.echo("note: the course has no `sessions:`; certificates show no dates or place", err=True)
        return None
    raise ReportInputError(f"{spec.path}: course.start ({start}) matches none of the course's {len(course.sessions)} sessions; "
                    "set course.start to the first day of the session the certificates are for")


def _write_certificates(report: Report, info: CertificateInfo, folder: Path) -> None:
    learners = [learner for learner in report.learners if learner.status != NOT_ENROLLED]
    folder.mkdir(exist_ok=True)
    with click.progressbar(learners, label="Writing certificates", file=sys.stderr) as bar:
        for learner in bar:
            _write(folder / f"attestation-{learner.learner.username}.pdf", html_to_pdf(certificates_html(report, [learner], info)))
    _write(folder / "attestations.pdf", html_to_pdf(certificates_html(report, learners, info)))


def _write(path: Path, data: bytes) -> None:
    """Beside the target first, then swapped in: a failure never leaves half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    os.replace(partial, path)
