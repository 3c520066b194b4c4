"""coursebridge build DIR -o DIST [--format ...]"""

import sys
from pathlib import Path

import click

from builder.build_cache import BuildRecord, PdfCache, RenderCache, attach, attach_pdfs
from builder.errors import UserError
from builder.exporters import EXPORTERS, get_exporter


@click.command("build")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "-o", "--output", "dist", type=click.Path(path_type=Path), default=Path("dist"),
    show_default=True, help="Folder the outputs are written to.",
)
@click.option(
    "-f", "--format", "formats", multiple=True, type=click.Choice(list(EXPORTERS)),
    help="Output format; repeat for several. Default: every format.",
)
@click.option("--strict", is_flag=True,
              help="Fail (exit 1) when the build warns about the course (notes do not count).")
@click.option("--no-cache", is_flag=True,
              help="Render everything afresh; neither read nor write DIST/.coursebridge-cache.")
@click.option("-v", "--verbose", is_flag=True,
              help="Name everything a note is about (a long list shows its first few otherwise).")
def command(folder: Path, dist: Path, formats: tuple[str, ...], strict: bool, no_cache: bool,
            verbose: bool) -> None:  # fmt: skip
    """Build the course in FOLDER into the output folder (-o, default dist), in every format or those given."""
    names = list(dict.fromkeys(formats or EXPORTERS))  # each format once, in the order given
    record = None if no_cache else BuildRecord(dist)
    key = record.key(folder, names, verbose) if record else None
    last = record.replay(key) if key else None
    if last:  # nothing changed since the last build: its outputs are up to date
        for stream, text in last["messages"]:
            click.echo(text, err=stream == "err")
        problems = last["problems"]
    else:
        messages, outputs, problems = build(folder, dist, names, cached=not no_cache, verbose=verbose)
        if key:
            record.save(key, outputs, messages, problems)
    if strict and problems:
        raise SystemExit(1)


def build(folder: Path, dist: Path, names: list[str], cached: bool, verbose: bool = False):
    """Build each format, showing its messages as it goes (notes in brief unless `verbose`);
    the messages, the outputs and the number of warnings about the course."""
    from builder.background import start_in_background
    from builder.exporters.base import FormatNote
    from builder.loader import load_course

    course = load_course(folder)
    if dist.resolve() == course.root:
        raise UserError(f"{dist}: is the course folder; write the outputs elsewhere, e.g. -o dist")
    cache = RenderCache.load(dist) if cached else RenderCache()
    attach(course, cache)
    if cached:
        attach_pdfs(course, PdfCache(dist))
    messages, outputs, problems = [], [], len(course.source_warnings)

    def show(stream: str, text: str) -> None:
        click.echo(text, err=stream == "err")
        messages.append((stream, text))

    for warning in course.source_warnings:
        show("err", f"warning: {warning}")
    exporters = [get_exporter(name) for name in names]
    background = start_in_background(course, dist, exporters)
    try:
        for exporter in exporters:
            job = background.get(exporter.name)
            result = job.result() if job else exporter.build(course, dist)
            outputs.append(result.output)
            show("out", f"{exporter.name:10} {result.output}")
            for message in result.warnings:
                if isinstance(message, FormatNote):
                    show("err", f"note: {exporter.name}: {message if verbose else message.brief}")
                else:
                    show("err", f"warning: {exporter.name}: {message}")
            problems += len(result.problems)
    finally:  # after a failure, the formats still building stop
        for job in background.values():
            job.stop()
    if cached:
        cache.save(dist)
    rendering = sys.modules.get("builder.render")  # imported by the formats with pages only
    if rendering:  # compiled code, as __pycache__ keeps: --no-cache renders afresh all the same
        rendering.COMPILED_TEMPLATES.save()
    return messages, outputs, problems
