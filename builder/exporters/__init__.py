"""Output formats, one Exporter class each, looked up by name.

Each format's module is imported only when that format is built: building the web site
never imports lxml's XML schemas or the question banks.
"""

from __future__ import annotations

import importlib

from builder.errors import UserError
from builder.exporters.base import BuildResult, Exporter

# name -> (module, class), in the order `build` writes them
EXPORTERS: dict[str, tuple[str, str]] = {
    "web": ("builder.exporters.web", "WebExporter"),
    "scorm12": ("builder.exporters.scorm", "Scorm12Exporter"),
    "scorm2004": ("builder.exporters.scorm", "Scorm2004Exporter"),
    "imscc": ("builder.exporters.imscc", "ImsccExporter"),
    "moodlexml": ("builder.exporters.moodlexml", "MoodleXmlExporter"),
    "gift": ("builder.exporters.gift", "GiftExporter"),
    "guide": ("builder.exporters.guide", "GuideExporter"),
    "workbook": ("builder.exporters.workbook", "WorkbookExporter"),
}


def get_exporter(name: str) -> Exporter:
    try:
        module, class_name = EXPORTERS[name]
    except KeyError:
        raise UserError(
            f"unknown format '{name}'; expected one of: {', '.join(EXPORTERS)}"
        ) from None
    return getattr(importlib.import_module(module), class_name)()


__all__ = ["EXPORTERS", "BuildResult", "Exporter", "get_exporter"]
