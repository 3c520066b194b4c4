"""Whole-course checks that need more than one value: ids, references, timings, Markdown."""

from __future__ import annotations

import re

from builder import model
from builder.errors import Location, Problem
from builder.loader.convert import Origin, SourceMap, did_you_mean
from builder.loader.sources import CourseSources, SourceProblem
from builder.markdown import MARKDOWN_DOCUMENTS, is_local_reference, scan

VERSION = re.compile(r"\d+\.\d+\.\d+")


class CourseChecker:
    def __init__(self, course: model.Course, source_map: SourceMap, sources: CourseSources):
        self.course = course
        self.where = source_map
        self.sources = sources
        self.problems: list[Problem] = []

    def run(self) -> list[Problem]:
        self._version()
        self._unique_ids()
        self._objective_references()
        self._questions()
        self._activities()
        self._sessions()
        for day in self.course.days:
            self._timetable(day)
        self._glossary()
        self._markdown()
        return self.problems

    def report(self, owner, key, message: str, origin: Origin | None = None) -> None:
        origin = origin or self.where.origin(owner, key)
        path = origin.path
        self.problems.append(Problem(origin.location, path, message))

    # -- individual checks --

    def _version(self) -> None:
        if self.course.version and not VERSION.fullmatch(self.course.version):
            self.report(
                self.course,
                "version",
                f"invalid version '{self.course.version}'; expected MAJOR.MINOR.PATCH, e.g. 1.0.0",
            )

    def _unique_ids(self) -> None:
        seen: dict[str, Origin] = {}
        things = [*self.course.days]
        things += [s for d in self.course.days for s in d.sequences]
        things += [a for _, _, a in self.course.activities()]
        things += [q for quiz in self.course.activities_of(model.Quiz) for q in quiz.questions]
        for group in (things, self.course.objectives, self.course.bibliography):
            seen.clear()
            for thing in group:
                if not thing.id:
                    continue
                key = thing.id.lower()
                if key in seen:
                    first = seen[key]
                    self.report(
                        thing,
                        "id",
                        f"duplicate id '{thing.id}' (first used at {first.location}, "
                        f"{first.path}); expected ids unique in the course, ignoring case",
                    )
                else:
                    seen[key] = self.where.origin(thing, "id")

    def _objective_references(self) -> None:
        known = {o.id for o in self.course.objectives if o.id}
        for owner, key in self._objective_lists():
            values = getattr(owner, key)
            for index, objective in enumerate(values):
                if objective not in known:
                    self.report(
                        values,
                        index,
                        f"unknown objective '{objective}'{did_you_mean(objective, known)}; "
                        f"expected one of: {', '.join(sorted(known)) or '(no objectives defined)'}",
                    )

    def _objective_lists(self):
        for day in self.course.days:
            for sequence in day.sequences:
                yield sequence, "objectives"
                for activity in sequence.activities:
                    yield activity, "objectives"
                    if hasattr(activity, "assesses"):
                        yield activity, "assesses"
                    for question in getattr(activity, "questions", []):
                        if isinstance(question, model.Question):
                            yield question, "assesses"

    def _questions(self) -> None:
        for quiz in self.course.activities_of(model.Quiz):
            if not quiz.questions:
                self.report(quiz, "questions", "quiz has no questions; expected at least one")
            for question in quiz.questions:
                self._question(question)

    def _question(self, question: model.Question) -> None:
        if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
            right = sum(1 for choice in question.choices if choice.correct)
            if len(question.choices) < 2:
                self.report(question, "choices", "fewer than 2 choices; expected at least 2")
            if isinstance(question, model.SingleChoice) and right != 1:
                self.report(
                    question,
                    "choices",
                    f"{right} choices marked correct; a 'single' question needs exactly one "
                    "(use type 'multiple' for several)",
                )
            if isinstance(question, model.MultipleChoice) and right < 1:
                self.report(
                    question, "choices", "no choice marked correct; expected at least one"
                )
            self._distinct(question, "choices", [c.text for c in question.choices])
        elif isinstance(question, model.Matching):
            if len(question.pairs) < 2:
                self.report(question, "pairs", "fewer than 2 pairs; expected at least 2")
            self._distinct(question, "pairs", [p.prompt for p in question.pairs])
        elif isinstance(question, model.ShortAnswer) and not question.answers:
            self.report(question, "answers", "no accepted answer; expected at least one")
        if question.points is not None and question.points <= 0:
            self.report(question, "points", "points must be above 0")

    def _distinct(self, owner, key: str, texts: list[str]) -> None:
        seen = set()
        for text in texts:
            if text in seen:
                self.report(owner, key, f"'{text}' appears twice; expected distinct items")
            seen.add(text)

    def _activities(self) -> None:
        for resource in self.course.activities_of(model.Resource):
            if resource.file:
                try:
                    self._readable_document(resource.file)
                except SourceProblem as error:
                    self.problems.append(
                        Problem(error.location, self.where.origin(resource, "file").path,
                                error.message))
            if bool(resource.file) == bool(resource.url):
                self.report(
                    resource,
                    None,
                    "a resource needs exactly one of 'file' and 'url'",
                )
        for checklist in self.course.activities_of(model.Checklist):
            if not checklist.items:
                self.report(checklist, "items", "checklist has no items; expected at least one")
        for reflection in self.course.activities_of(model.Reflection):
            if not reflection.questions:
                self.report(reflection, "questions", "no questions; expected at least one")
        for day in self.course.days:
            for sequence in day.sequences:
                if not sequence.activities:
                    self.report(
                        sequence, None, "sequence has no activities; expected at least one"
                    )

    def _sessions(self) -> None:
        for session in self.course.sessions:
            if session.start and session.end and session.end < session.start:
                self.report(session, "end", "session ends before it starts")
        dated = [(s.start, s.end or s.start) for s in self.course.sessions if s.start]
        for day in self.course.days:
            if day.date and dated and not any(a <= day.date <= b for a, b in dated):
                self.report(
                    day, "date", f"{day.date} is outside every session; expected a session date"
                )

    def _timetable(self, day: model.Day) -> None:
        breaks_readable = all(b.start is not None and b.duration is not None for b in day.breaks)
        if not day.sequences or day.start is None or not breaks_readable:
            return  # the unreadable values are reported already; no timetable to check
        slots = model.day_schedule(day)
        previous: model.Slot | None = None  # the slot that ends last so far
        for slot in slots:
            owner = slot.sequence or slot.break_
            if slot.sequence and slot.start == slot.end:
                self.report(
                    owner,
                    None,
                    "cannot tell how long this sequence lasts; give it a 'duration' "
                    "or give the next item a 'start'",
                )
            if previous and slot.start < previous.end:
                self.report(
                    owner,
                    "start" if owner.start else None,
                    f"starts at {slot.start:%H:%M}, before '{previous.title}' ends at "
                    f"{previous.end:%H:%M}; expected items that do not overlap",
                )
            if slot.past_midnight:
                self.report(owner, None, "ends after midnight; a day's items must end by 23:59")
            elif day.end and slot.end > day.end:
                self.report(
                    owner,
                    None,
                    f"ends at {slot.end:%H:%M}, after the day's end at {day.end:%H:%M}",
                )
            if previous is None or slot.end > previous.end:
                previous = slot
        if slots and slots[0].start < day.start:
            owner = slots[0].sequence or slots[0].break_
            self.report(owner, "start", f"starts before the day's start at {day.start:%H:%M}")

    def _glossary(self) -> None:
        terms = {entry.term for entry in self.course.glossary if entry.term}
        seen = set()
        for entry in self.course.glossary:
            if entry.term and entry.term.lower() in seen:
                self.report(entry, "term", f"term '{entry.term}' defined twice; keep one entry")
            seen.add((entry.term or "").lower())
            for index, other in enumerate(entry.see_also):
                if other not in terms:
                    self.report(
                        entry.see_also,
                        index,
                        f"'{other}' is not a glossary term{did_you_mean(other, terms)}",
                    )

    def _markdown(self) -> None:
        works = {work.id for work in self.course.bibliography if work.id}
        for text, origin, line_offset in self.where.markdown:
            found = scan(text)

            def at(line: int, origin=origin, line_offset=line_offset) -> Location:
                return Location(origin.location.file, line + line_offset + 1, 1)

            for src, alt, line in found.images:
                if not alt.strip():
                    self._add(at(line), origin.path, f"image '{src}' has no text alternative; "
                              "write ![what the image shows](path)")
                self._local_file(text.base, src, at(line), origin.path)
            for href, line in found.links:
                if is_local_reference(href):
                    self._local_file(text.base, href, at(line), origin.path)
            for key, line in found.citations:
                if key not in works:
                    self._add(at(line), origin.path, f"citation '[@{key}]' names no bibliography "
                              f"entry{did_you_mean(key, works)}; expected a bibliography id")
            for diagram in found.diagrams:
                self._diagram(diagram, at, origin.path)

    def _diagram(self, diagram, at, path: str) -> None:
        from builder.diagrams import DiagramError, check_mermaid

        if not diagram.alt:
            self._add(at(diagram.line), path, 'mermaid diagram has no text alternative; '
                      'write ```mermaid alt="what the diagram shows"')
        try:
            check_mermaid(diagram.source)  # even when the alternative is missing (reported above)
        except DiagramError as error:
            self._add(at(diagram.line + error.line), path, f"diagram: {error.message}")

    def _local_file(self, base: str, reference: str, where: Location, path: str) -> None:
        target = reference.split("#", 1)[0].split("?", 1)[0]
        try:
            self._readable_document(self.sources.resolve(base, target, where))
        except SourceProblem as error:
            self._add(error.location, path, error.message)

    def _readable_document(self, relative: str) -> None:
        """Markdown documents are rendered into pages: they must be readable UTF-8 text."""
        if relative.endswith(MARKDOWN_DOCUMENTS):
            self.sources.read_text(relative)

    def _add(self, location: Location, path: str, message: str) -> None:
        self.problems.append(Problem(location, path, message))

