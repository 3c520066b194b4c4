"""The report's outputs from its figures: terminal summary, CSV, JSON, HTML dashboard, certificates.

Wording is the course's language (builder/i18n, `report:`); markup lives in `templates/`.
The CSV is for Excel: UTF-8 with a BOM, one row per learner; with `;` between fields (what
Excel expects in French) numbers take a decimal comma, with `,` a decimal point.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import lxml.html

from builder import model
from builder.errors import one_line
from builder.i18n import Interface
from builder.learner_work import ChecklistWork, ReflectionWork
from builder.markdown import RenderContext, render
from lms_sync.report.figures import NO_GROUP, GroupFigures, LearnerFigures, Report

TEMPLATES = Path(__file__).parent / "templates"
ACQUIRED, IN_PROGRESS, NOT_ASSESSED = "acquired", "in_progress", "not_assessed"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what spreadsheets take for the start of a formula


@dataclass(frozen=True)
class Formatting:
    """How the outputs write times and numbers."""

    zone: ZoneInfo
    decimal_comma: bool = False

    def moment(self, timestamp: int | None) -> str:
        if not timestamp:
            return ""
        return dt.datetime.fromtimestamp(timestamp, self.zone).strftime("%Y-%m-%d %H:%M")

    def number(self, value: float | None, digits: int = 1) -> str:
        if value is None:
            return ""
        text = f"{round(value, digits):g}"
        return text.replace(".", ",") if self.decimal_comma else text


# --- terminal ---------------------------------------------------------------------------------


def summary_lines(report: Report) -> list[str]:
    """Per group: enrolled, started, completed, passed, mean score; then everyone. A group name
    with a line break, tab or bidi control is written escaped (one_line), so each row is one line."""
    rows = [(one_line(group.name) or "(no group)", group) for group in report.groups] + [("all learners", report.everyone)]
    width = max(len(name) for name, _ in rows)
    lines = [f"{'group':<{width}}  enrolled  started  completed  passed  mean score"]
    for name, group in rows:
        mean = f"{group.mean_score:.1f}" if group.mean_score is not None else "-"
        lines.append(f"{name:<{width}}  {group.enrolled:>8}  {group.started:>7}  {group.completed:>9}  {group.passed:>6}  {mean:>10}")
    return lines


# --- CSV --------------------------------------------------------------------------------------


def csv_text(report: Report, delimiter: str, zone: ZoneInfo) -> str:
    ui = Interface(report.course.language)
    label = lambda key, **values: ui.label("report", key).format(**values)  # noqa: E731
    fmt = Formatting(zone, decimal_comma=delimiter == ";")
    quizzes = report.course.activities_of(model.Quiz)
    header = [label(key) for key in ("username", "lastname", "firstname", "groups", "is_enrolled", "status", "attempts", "score",
                                     "progress", "time_minutes", "first_access", "last_access", "pages_visited")]
    for quiz in quizzes:
        header += [label("quiz_score", quiz=quiz.id), label("quiz_attempts", quiz=quiz.id)]
    header += [label("objective_mastery", objective=o.id) for o in report.course.objectives]
    header.append(label("forum_posts"))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for learner in report.learners:
        person = learner.learner
        row = [
            *map(inert, (person.username, person.lastname, person.firstname, ", ".join(person.groups))),
            label("answer_no" if learner.status == "not_enrolled" else "answer_yes"),
            ui.label("report", "statuses")[learner.status], learner.attempts, fmt.number(learner.score, 2),
            fmt.number(percent(learner.progress), 0), fmt.number(learner.time_spent / 60, 0) if learner.started else "",
            fmt.moment(learner.first_access), fmt.moment(person.last_access), len(learner.pages_visited) if learner.started else "",
        ]
        for quiz in quizzes:
            score, attempts = learner.quizzes.get(quiz.id, (None, 0))
            row += [fmt.number(score, 0), attempts if learner.started else ""]
        row += [fmt.number(percent(learner.mastery.get(o.id)), 0) for o in report.course.objectives]
        row.append(learner.posts)
        writer.writerow(row)
    return "\ufeff" + out.getvalue()


def inert(text: str) -> str:
    """A text Excel would run as a formula (=, +, -, @ first) is quoted with a leading apostrophe."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


def percent(share: float | None) -> float | None:
    return None if share is None else 100 * share


# --- JSON -------------------------------------------------------------------------------------


def figures_json(report: Report, read_at: dt.datetime) -> dict:
    """Every figure, for other tools: times in ISO 8601 UTC, shares from 0 to 1, scores in %."""
    iso = lambda t: dt.datetime.fromtimestamp(t, dt.UTC).isoformat().replace("+00:00", "Z") if t else None  # noqa: E731
    return {
        "course": {"id": report.course.id, "title": report.course.title, "moodle": report.moodle_course,
                   "passing_score": report.passing_score, "activity_pages": report.pages_total},
        "read_at": read_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "learners": [
            {
                "username": l.learner.username, "firstname": l.learner.firstname, "lastname": l.learner.lastname,
                "moodle_id": l.learner.moodle_id, "groups": list(l.learner.groups), "enrolled": l.status != "not_enrolled",
                "status": l.status, "completed": l.completed, "passed": l.passed, "attempts": l.attempts, "score": l.score,
                "progress": l.progress, "time_spent_seconds": l.time_spent, "first_access": iso(l.first_access),
                "last_access": iso(l.learner.last_access), "pages_visited": list(l.pages_visited),
                "quizzes": {quiz: {"score": score, "attempts": attempts} for quiz, (score, attempts) in l.quizzes.items()},
                "answers": {question: {"correct": a.correct, "response": a.response} for question, a in l.answers.items()},
                "mastery": l.mastery, "forum_posts": l.posts,
                **({"work": [work_json(work) for work in l.work]} if report.learner_texts else {}),
            }
            for l in report.learners
        ],
        "groups": [group_json(group) for group in report.groups],
        "everyone": {key: value for key, value in group_json(report.everyone).items() if key != "name"},
        "questions": [
            {"quiz": q.quiz.id, "question": q.question.id, "type": q.question.type, "assesses": q.question.assesses,
             "answered": q.answered, "correct": q.correct, "success_rate": q.success_rate,
             "most_common_wrong_answer": {"answer": q.common_wrong[0], "count": q.common_wrong[1]} if q.common_wrong else None}
            for q in report.questions
        ],
        "objectives": [
            {"id": o.objective.id, "text": o.objective.text, "questions": o.questions,
             "assessed_in_the_room": [a.id for a in o.activities], "mean_mastery": o.mean_mastery,
             "mastered": o.mastered, "measured": o.measured}
            for o in report.objectives
        ],
        "discussions": [
            {"activity": p.activity.id, "title": p.activity.title, "forum": p.forum,
             "groups": [{"name": name or None, "members": p.members[name], "posters": p.posters[name], "posts": p.replies[name],
                         "who": [learner.username for learner in p.who[name]]}
                        for name in p.members]}
            for p in report.prompts
        ],
    }


def group_json(group: GroupFigures) -> dict:
    return {"name": group.name or None, "enrolled": group.enrolled, "started": group.started, "completed": group.completed,
            "passed": group.passed, "mean_score": group.mean_score, "mastery": group.mastery}


def work_json(work: ReflectionWork | ChecklistWork) -> dict:
    """A reflection's answers or a checklist's levels, None where nothing is stored."""
    if isinstance(work, ReflectionWork):
        return {"activity": work.activity.id, "type": "reflection", "title": work.activity.title,
                "answers": [{"question": question, "answer": answer} for question, answer in work.pairs]}
    return {"activity": work.activity.id, "type": "checklist", "title": work.activity.title,
            "items": [{"item": item, "level": level} for item, level in work.pairs]}


# --- HTML and PDF -----------------------------------------------------------------------------


def _environment(ui: Interface, fmt: Formatting) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(t=lambda key, **values: ui.label("report", key).format(**values), ui=ui, fmt=fmt,
                       percent=lambda share: "" if share is None else f"{ui.number(round(100 * share))} %" if ui.language == "fr" else f"{round(100 * share)}%",
                       no_group=NO_GROUP)
    return env


def dashboard_html(report: Report, read_at: dt.datetime, zone: ZoneInfo) -> str:
    ui = Interface(report.course.language)
    fmt = Formatting(zone, decimal_comma=ui.language == "fr")
    questions = sorted(report.questions, key=lambda q: (q.success_rate is None, q.success_rate or 0, q.question.id))
    charts = {
        "groups": [(group.name or ui.label("report", "no_group"), [share(n, group.enrolled) for n in (group.started, group.completed, group.passed)])
                   for group in report.groups],
        "objectives": [(f"{item.objective.id} – {item.objective.text}", [item.mean_mastery]) for item in report.objectives],
        "questions": [(plain_text(item.question.text), [item.success_rate]) for item in questions if item.answered],
    }
    return _environment(ui, fmt).get_template("dashboard.html.j2").render(
        report=report, read_on=ui.date(read_at.astimezone(zone).date()), questions=questions, charts=charts, plain=plain_text,
    )


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def certificate_level(mastery: float | None, passing: int) -> str:
    if mastery is None:
        return NOT_ASSESSED
    return ACQUIRED if mastery * 100 >= passing else IN_PROGRESS


@dataclass(frozen=True)
class CertificateInfo:
    session: model.Session | None
    issued: dt.date
    signatory: str | None  # name and position of who signs


def certificates_html(report: Report, learners: list[LearnerFigures], info: CertificateInfo) -> str:
    """One HTML document, one page per learner (the merged PDF; one learner gives one certificate)."""
    ui = Interface(report.course.language)
    session = info.session
    dates = ui.date_range(session.start, session.end) if session else ""
    return _environment(ui, Formatting(ZoneInfo("UTC"), decimal_comma=ui.language == "fr")).get_template("certificate.html.j2").render(
        report=report, learners=learners, dates=dates, place=session.place if session else None,
        issued=ui.date(info.issued), signatory=info.signatory,
        hours=ui.number(report.course.duration.hours) if report.course.duration else None,
        level=lambda mastery: certificate_level(mastery, report.passing_score),
    )


_PLAIN = RenderContext(asset_url=lambda path: path, citation=lambda key: None, diagram=lambda diagram: diagram.alt or "")


def plain_text(markdown: model.Markdown) -> str:
    markup = render(markdown, _PLAIN)
    return " ".join(lxml.html.fromstring(markup).text_content().split()) if markup.strip() else ""
