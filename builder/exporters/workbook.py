"""`workbook`: the participant workbook (livret du participant), as print-ready HTML and PDF.

The programme, then day by day what participants do on paper (exercises, workshops and case
studies, discussion prompts, reflection questions, self-assessments) with room to write, the
course's tools and templates printed in full, the glossary and the bibliography. No answers and
no trainer material: only what learners see anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder import model
from builder.markdown import MARKDOWN_DOCUMENTS
from builder.printed import PrintedDay, PrintExporter, PrintRenderer, TocEntry, document_anchor

# The activities printed for participants, and the room to write each gets (a class of
# print.css; None: nothing to write, a checklist has its boxes, a resource its page).
WRITING_ROOM = {
    model.Exercise: "room-large",
    model.Discussion: "room-medium",
    model.Reflection: "room-small",  # for each question
    model.Checklist: None,
    model.Resource: None,
}


@dataclass
class WorkbookSequence:
    slot: model.Slot
    activities: list[model.Activity]

    @property
    def sequence(self) -> model.Sequence:
        return self.slot.sequence


@dataclass
class PrintedDocument:
    """A tool or template of the course (a Markdown resource), printed in full once."""

    path: str
    title: str

    @property
    def anchor(self) -> str:
        return document_anchor(self.path)


class WorkbookExporter(PrintExporter):
    name = "workbook"
    description = "participant workbook: programme, exercises with room to write, tools (PDF + print HTML)"
    template = "print/workbook.html.j2"

    def documents(self, course: model.Course) -> list[str]:
        return [document.path for document in printed_documents(course)]

    def context(self, course: model.Course, renderer: PrintRenderer) -> dict:
        days = [_workbook_day(day) for day in course.days]
        documents = printed_documents(course)
        return {
            "days": days,
            "documents": documents,
            "toc": _toc(course, days, documents, renderer),
            "writing_room": lambda activity: WRITING_ROOM[_kind(activity)],
        }


def printed_documents(course: model.Course) -> list[PrintedDocument]:
    """The Markdown files offered as resources, each once, titled by its first resource."""
    documents: dict[str, PrintedDocument] = {}
    for resource in course.activities_of(model.Resource):
        if resource.file and resource.file.endswith(MARKDOWN_DOCUMENTS):
            documents.setdefault(resource.file, PrintedDocument(resource.file, resource.title))
    return list(documents.values())


def _workbook_day(day: model.Day) -> PrintedDay:
    timetable = model.day_schedule(day)
    sequences = []
    for slot in timetable:
        if slot.sequence:
            on_paper = [a for a in slot.sequence.activities if _kind(a) in WRITING_ROOM]
            if on_paper:
                sequences.append(WorkbookSequence(slot, on_paper))
    return PrintedDay(day, timetable, sequences)


def _kind(activity: model.Activity) -> type:
    return next((kind for kind in WRITING_ROOM if isinstance(activity, kind)), type(activity))


def _toc(course: model.Course, days: list[PrintedDay], documents: list[PrintedDocument],
         renderer: PrintRenderer) -> list[TocEntry]:
    ui = renderer.ui
    entries = [TocEntry("programme", ui("programme"), 1)]
    for workbook_day in days:
        entries.append(TocEntry(f"day-{workbook_day.day.id}", workbook_day.day.title, 1))
        entries += [TocEntry(f"seq-{s.sequence.id}", s.sequence.title, 2)
                    for s in workbook_day.sequences]
    if documents:
        entries.append(TocEntry("tools", ui("tools_and_templates"), 1))
        entries += [TocEntry(document.anchor, document.title, 2) for document in documents]
    if course.glossary:
        entries.append(TocEntry("glossary", ui("glossary"), 1))
    if course.bibliography:
        entries.append(TocEntry("bibliography", ui("bibliography"), 1))
    return entries
