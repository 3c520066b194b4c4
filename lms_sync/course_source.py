"""What the sync takes from the course folder: its title, summary, day titles and discussion prompts."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from builder.loader import load_course
from builder.markdown import RenderContext, render
from builder.model import Discussion


@dataclass(frozen=True)
class Prompt:
    activity: str
    title: str  # the Common Cartridge names the forum it creates for the prompt after it
    subject: str
    message_html: str
    forum: str | None


@dataclass(frozen=True)
class CourseContent:
    title: str
    summary_html: str
    day_titles: tuple[str, ...]  # in programme order: the names of sections 1, 2, ...
    prompts: tuple[Prompt, ...]


# Moodle gets plain HTML: course-relative links stay as written, citations as their key,
# diagrams as their text alternative (the course's packages carry the real ones).
_CONTEXT = RenderContext(
    asset_url=lambda path: path,
    citation=lambda key: None,
    diagram=lambda diagram: f"<p>{html.escape(diagram.alt or '')}</p>",
)


def moodle_html(markdown) -> str:
    return render(markdown, _CONTEXT)


def read_course(folder: Path) -> CourseContent:
    course = load_course(folder)
    prompts = tuple(
        Prompt(activity.id, activity.title, activity.discussion_subject, moodle_html(activity.prompt), activity.forum)
        for activity in course.activities_of(Discussion)
    )
    day_titles = tuple(day.title for day in course.days)
    return CourseContent(course.title, moodle_html(course.description), day_titles, prompts)
