"""Output formats, one Exporter class each, looked up by name."""

from __future__ import annotations

from builder.errors import UserError
from builder.exporters.base import BuildResult, Exporter
from builder.exporters.gift import GiftExporter
from builder.exporters.imscc import ImsccExporter
from builder.exporters.moodlexml import MoodleXmlExporter
from builder.exporters.scorm import Scorm12Exporter, Scorm2004Exporter
from builder.exporters.web import WebExporter

EXPORTERS: dict[str, type[Exporter]] = {
    exporter.name: exporter
    for exporter in (
        WebExporter, Scorm12Exporter, Scorm2004Exporter, ImsccExporter, MoodleXmlExporter,
        GiftExporter,
    )
}


def get_exporter(name: str) -> Exporter:
    try:
        return EXPORTERS[name]()
    except KeyError:
        raise UserError(
            f"unknown format '{name}'; expected one of: {', '.join(EXPORTERS)}"
        ) from None


__all__ = ["EXPORTERS", "BuildResult", "Exporter", "get_exporter"]
