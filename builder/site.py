"""The learner-facing site's structure: which pages exist, their URLs, order and navigation.

No HTML here: templates (builder/themes/) turn these pages into markup. Every output
that shows pages (web, SCORM) uses the same structure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from builder.model import Activity, Course, Day, Sequence

HOME = "index.html"


@dataclass
class Page:
    kind: str  # "home", "activity", "glossary" or "bibliography"
    url: str
    title: str
    day: Day | None = None
    sequence: Sequence | None = None
    activity: Activity | None = None
    day_index: int | None = None  # position of `day` in the course
    previous: Page | None = field(default=None, repr=False)
    next: Page | None = field(default=None, repr=False)

    @property
    def template(self) -> str:
        return f"{self.kind}.html.j2"


@dataclass
class SequenceEntry:
    sequence: Sequence
    pages: list[Page]


@dataclass
class DayEntry:
    day: Day
    sequences: list[SequenceEntry]


@dataclass
class Site:
    course: Course
    pages: list[Page]
    toc: list[DayEntry]

    @cached_property
    def activity_pages(self) -> list[Page]:
        """Listed once: every page's progress bar counts them."""
        return [page for page in self.pages if page.kind == "activity"]

    def toc_days(self, page: Page) -> list[DayEntry]:
        """The days `page`'s table of contents shows: its own day and the days beside it, or
        every day from a page outside the days (the programme, glossary, bibliography). So a
        page of a day costs the same to render, and weighs the same, however long the course."""
        if page.day_index is None:
            return self.toc
        return self.toc[max(0, page.day_index - 1) : page.day_index + 2]

    def url_of(self, kind: str) -> str | None:
        """URL of the home, glossary or bibliography page (None when the course has none)."""
        return self._first_urls.get(kind)

    @cached_property
    def _first_urls(self) -> dict[str, str]:
        """The first page of each kind, found once: every citation links the bibliography."""
        return {page.kind: page.url for page in reversed(self.pages)}


def build_site(course: Course, labels: dict[str, str]) -> Site:
    """`labels` (the interface catalogue) names and titles the glossary and bibliography."""
    home = Page("home", HOME, course.title)
    pages = [home]
    toc = []
    for day_index, day in enumerate(course.days):
        entries = []
        for sequence in day.sequences:
            sequence_pages = [
                Page("activity", f"{activity.id}.html", activity.title, day, sequence, activity,
                     day_index)
                for activity in sequence.activities
            ]
            pages += sequence_pages
            entries.append(SequenceEntry(sequence, sequence_pages))
        toc.append(DayEntry(day, entries))
    if course.glossary:
        pages.append(Page("glossary", labels["glossary_file"], labels["glossary"]))
    if course.bibliography:
        pages.append(Page("bibliography", labels["bibliography_file"], labels["bibliography"]))
    for before, after in zip(pages, pages[1:]):
        before.next, after.previous = after, before
    return Site(course, pages, toc)
