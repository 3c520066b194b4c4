"""The SCORM runtime in a real browser, against scorm-again's Scorm12API and Scorm2004API.

A learner opens the package, navigates, answers right and wrong, leaves, comes back (the
test player plays the LMS: it relaunches with the CMI data an LMS keeps), lands on the
same page with the answers restored, finishes; the final CMI data is checked against
each version's formats and limits, stricter than scorm-again (which relaxes SCORM 1.2's).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course

pytestmark = pytest.mark.browser

FLAGSHIP = Path(__file__).resolve().parents[2] / "course_src" / "animer-communaute-apprenante"
SCORM12_SUSPEND_DATA_LIMIT = 4096

FORMATS = {
    "scorm12": {
        "id": r"[A-Za-z0-9_-]{1,255}",  # CMIIdentifier, as the 1.2 specification words it
        "response": {
            "true-false": r"[tf]",
            "choice": r"[0-9a-z](,[0-9a-z])*",
            "matching": r"[0-9a-z]\.[0-9a-z](,[0-9a-z]\.[0-9a-z])*",
            "fill-in": r".{0,255}",
        },
        "result": r"correct|wrong",
        "latency": r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?",
        "time": r"\d{2}:\d{2}:\d{2}",
        "session": r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?",
    },
    "scorm2004": {
        "id": r"\S{1,4000}",
        "response": {
            "true-false": r"true|false",
            "choice": r"[0-9a-z](\[,\][0-9a-z])*",
            "matching": r"[0-9a-z]\[\.\][0-9a-z](\[,\][0-9a-z]\[\.\][0-9a-z])*",
            "fill-in": r"[^{].{0,249}",
        },
        "result": r"correct|incorrect",
        "latency": r"PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S",
        "time": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?Z",
        "session": r"PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S",
    },
}
RESPONSE = {"scorm12": "student_response", "scorm2004": "learner_response"}
TIME = {"scorm12": "time", "scorm2004": "timestamp"}


def interactions(final: dict) -> list[dict]:
    rows: dict[int, dict] = {}
    for key, value in final.items():
        match = re.fullmatch(r"cmi\.interactions\.(\d+)\.(.+)", key)
        if match and value != {}:
            rows.setdefault(int(match[1]), {})[match[2]] = value
    return [rows[index] for index in sorted(rows)]


def assert_interaction_formats(version: str, rows: list[dict]) -> None:
    formats = FORMATS[version]
    for row in rows:
        assert re.fullmatch(formats["id"], row["id"]), row
        assert re.fullmatch(formats["response"][row["type"]], row[RESPONSE[version]]), row
        assert len(row[RESPONSE[version]]) <= 255, row
        assert re.fullmatch(formats["result"], row["result"]), row
        assert re.fullmatch(formats["latency"], row["latency"]), row
        assert re.fullmatch(formats["time"], row[TIME[version]]), row
        pattern = row["correct_responses.0.pattern"]
        assert re.fullmatch(formats["response"][row["type"]], pattern), row
        if version == "scorm2004":
            assert row["description"].startswith("{lang=fr}") and len(row["description"]) <= 259


def answer_scaffold_quiz(frame, right: bool) -> None:
    frame.locator("input[name='quiz-definition--q-domaine'][value='0']").check()
    truth = "false" if right else "true"
    frame.locator(f"input[name='quiz-definition--q-vrai-faux'][value='{truth}']").check()
    frame.locator("form.quiz button[type=submit]").click()


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_learner_journey_is_tracked_resumed_and_reported(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    frame.locator("#start-link").click()
    frame.locator("h1", has_text="Qu'est-ce qu'une communauté").wait_for()
    frame.locator("a.pager-next").click()
    frame.locator("h1", has_text="Vérifier ses connaissances").wait_for()
    assert player.initialisations() == 1  # pages are swapped in, never reloaded

    answer_scaffold_quiz(frame, right=False)  # one right, one wrong
    status = frame.locator(".quiz-result")
    assert "50" in status.inner_text() and status.get_attribute("role") == "status"
    assert frame.locator(".feedback.is-incorrect").count() == 1
    first = player.leave()

    score = "cmi.core.score.raw" if version == "scorm12" else "cmi.score.raw"
    assert first[score] == "50"
    if version == "scorm12":
        assert first["cmi.core.lesson_status"] == "failed"
        assert first["cmi.core.lesson_location"] == "quiz-definition.html"
    else:
        assert (first["cmi.completion_status"], first["cmi.success_status"]) == (
            "incomplete",
            "failed",
        )
        assert first["cmi.location"] == "quiz-definition.html"

    frame = player.launch()  # back the next day: same page, answers restored
    frame.locator("h1", has_text="Vérifier ses connaissances").wait_for()
    assert frame.locator("input[name='quiz-definition--q-domaine'][value='0']").is_checked()
    assert frame.locator("input[name='quiz-definition--q-vrai-faux'][value='true']").is_checked()
    assert "50" in frame.locator(".quiz-result").inner_text()

    frame.locator(".quiz-retry").click()
    answer_scaffold_quiz(frame, right=True)
    frame.locator(".feedback.is-correct").nth(1).wait_for()
    while frame.locator("a.pager-next").count():  # visit every remaining page
        title = frame.locator("a.pager-next").get_attribute("href")
        frame.locator("a.pager-next").click()
        frame.locator(f"body[data-page='{title}']").wait_for()
    final = player.leave()

    rows = interactions(final)
    assert [row["result"] for row in rows] == (
        ["correct", "wrong", "correct", "correct"] if version == "scorm12"
        else ["correct", "incorrect", "correct", "correct"]
    )  # fmt: skip
    assert_interaction_formats(version, rows)
    assert rows[1]["id"] == "quiz-definition--q-vrai-faux"
    if version == "scorm12":
        assert final["cmi.core.lesson_status"] == "passed"
        assert (final["cmi.core.score.raw"], final["cmi.core.score.min"]) == ("100", "0")
        assert final["cmi.core.score.max"] == "100"
        assert re.fullmatch(FORMATS[version]["session"], final["cmi.core.session_time"])
        assert len(final["cmi.suspend_data"]) <= SCORM12_SUSPEND_DATA_LIMIT
    else:
        assert (final["cmi.completion_status"], final["cmi.success_status"]) == (
            "completed",
            "passed",
        )
        assert (final["cmi.score.scaled"], final["cmi.score.raw"]) == ("1", "100")
        assert final["cmi.progress_measure"] == "1"
        assert re.fullmatch(FORMATS[version]["session"], final["cmi.session_time"])
    assert player.errors() == []


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_checklist_ticks_survive_a_relaunch(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    frame.locator("a[href='auto-evaluation.html']").first.click()
    frame.locator("h1", has_text="Où en suis-je").wait_for()
    frame.locator("input[name='i0'][value='2']").check()
    frame.locator("input[name='i1'][value='1']").check()
    player.leave()
    frame = player.launch()
    frame.locator("h1", has_text="Où en suis-je").wait_for()
    assert frame.locator("input[name='i0'][value='2']").is_checked()
    assert frame.locator("input[name='i1'][value='1']").is_checked()
    status = "cmi.core.lesson_status" if version == "scorm12" else "cmi.completion_status"
    assert player.stored[status] == "incomplete"
    assert player.errors() == []


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_preview_and_review_record_no_result(lms, course_dir, version):
    player = lms(course_dir, version)
    mode, status = (
        ("cmi.core.lesson_mode", "cmi.core.lesson_status")
        if version == "scorm12"
        else ("cmi.mode", "cmi.completion_status")
    )
    player.stored[mode] = "browse"
    frame = player.launch()
    frame.locator("a[href='quiz-definition.html']").first.click()
    frame.locator("h1", has_text="Vérifier ses connaissances").wait_for()
    answer_scaffold_quiz(frame, right=True)
    final = player.leave()
    assert interactions(final) == []
    assert final[status] == ("browsed" if version == "scorm12" else "unknown")  # the LMS's own
    assert final["cmi.suspend_data"]  # the learner still finds their answers


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_state_from_another_layout_is_ignored_and_results_are_kept(lms, course_dir, version):
    player = lms(course_dir, version)
    if version == "scorm12":
        player.stored.update(
            {
                "cmi.core.lesson_status": "passed",
                "cmi.core.score.raw": "90",
                "cmi.core.lesson_location": "auto-evaluation.html",
            }
        )
    else:
        player.stored.update(
            {
                "cmi.completion_status": "completed",
                "cmi.success_status": "passed",
                "cmi.score.raw": "90",
                "cmi.score.scaled": "0.9",
                "cmi.location": "auto-evaluation.html",
            }
        )
    player.stored["cmi.suspend_data"] = "1zzzz|_|2aaz|2"  # saved by an older course layout
    frame = player.launch()
    frame.locator("h1", has_text="Où en suis-je").wait_for()
    assert not frame.locator("input:checked").count()
    layout = frame.locator("body").evaluate("() => window.CourseBridgeCourse.layout")
    final = player.leave()
    if version == "scorm12":
        assert (final["cmi.core.lesson_status"], final["cmi.core.score.raw"]) == ("passed", "90")
    else:
        assert (final["cmi.completion_status"], final["cmi.success_status"]) == (
            "completed",
            "passed",
        )
    assert layout != "zzzz" and final["cmi.suspend_data"].startswith(f"1{layout}|")
    assert player.errors() == []


def test_quiz_by_keyboard_alone_then_focus_on_the_result(lms, course_dir):
    player = lms(course_dir, "scorm12")
    frame = player.launch()
    frame.locator("a[href='quiz-definition.html']").first.click()
    frame.get_by_label("Le domaine").focus()
    keyboard = player.page.keyboard
    keyboard.press("Space")
    keyboard.press("Tab")  # into the true/false group, on "Vrai"
    keyboard.press("ArrowDown")  # "Faux"
    keyboard.press("Tab")  # the submit button
    keyboard.press("Enter")
    assert frame.get_by_label("Faux").is_checked()
    assert "100" in frame.locator(".quiz-result[role=status]").inner_text()
    assert frame.locator(".feedback.is-correct").count() == 2
    assert frame.locator(".quiz-result").evaluate("result => result === document.activeElement")


def test_attempt_limit_survives_a_relaunch(lms, course_dir):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(
        day.read_text(encoding="utf-8").replace(
            "        title: Vérifier ses connaissances\n",
            "        title: Vérifier ses connaissances\n        attempts: 1\n",
        ),
        encoding="utf-8",
    )
    player = lms(course_dir, "scorm2004")
    frame = player.launch()
    frame.locator("a[href='quiz-definition.html']").first.click()
    answer_scaffold_quiz(frame, right=False)
    assert frame.locator(".quiz-retry").is_hidden()
    player.leave()
    frame = player.launch()
    frame.locator("h1", has_text="Vérifier ses connaissances").wait_for()
    assert frame.locator(".quiz-retry").is_hidden()
    assert frame.locator("form.quiz button[type=submit]").is_disabled()
    assert "Vous avez utilisé toutes vos tentatives" in frame.locator(".quiz-result").inner_text()


def test_files_open_beside_the_course_without_ending_the_session(lms, course_dir):
    player = lms(course_dir, "scorm12")
    frame = player.launch()
    frame.locator("a[href='grille.html']").first.click()
    link = frame.locator("a[data-resource='grille']")
    with player.page.context.expect_page() as opened:
        link.click()
    assert opened.value.url.endswith("assets/resources/grille.html")
    assert not any(call[0] == "LMSFinish" for call in player.page.evaluate("() => apiCalls"))


def test_without_an_lms_progress_stays_in_the_browser_and_the_learner_is_told(
    page, serve_folder, course_dir, tmp_path
):
    output = get_exporter("scorm12").build(load_course(course_dir), tmp_path).output
    with zipfile.ZipFile(output) as package:
        package.extractall(tmp_path / "package")
    page.goto(serve_folder(tmp_path / "package") + "definition.html")
    assert page.locator("#tracking-notice").is_visible()
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('coursebridge:cours:1'))")
    assert stored["v"] == [0]


def test_the_whole_flagship_fits_scorm12_suspend_data(lms):
    """Every page visited, every question answered (short answers wrong, long, accented),
    every checklist filled: the state still fits SCORM 1.2's 4096 characters."""
    player = lms(FLAGSHIP, "scorm12")
    frame = player.launch()
    frame.locator("#start-link").click()
    while True:
        fill_every_form(frame)
        if not frame.locator("a.pager-next").count():
            break
        following = frame.locator("a.pager-next").get_attribute("href")
        frame.locator("a.pager-next").click()
        frame.locator(f"body[data-page='{following}']").wait_for()
    worst = frame.locator("body").evaluate(WORST_CASE_STATE)
    final = player.leave()
    assert final["cmi.core.score.raw"] and final["cmi.core.lesson_status"] in ("passed", "failed")
    assert len(final["cmi.suspend_data"]) < SCORM12_SUSPEND_DATA_LIMIT
    assert_interaction_formats("scorm12", interactions(final))
    assert player.errors() == []
    assert worst < SCORM12_SUSPEND_DATA_LIMIT


def fill_every_form(frame) -> None:
    for form in frame.locator("form.quiz").all():
        for radio_group in form.locator("fieldset.question").all():
            radios = radio_group.locator("input[type=radio]")
            if radios.count():
                radios.last.check()
            for box in radio_group.locator("input[type=checkbox]").all():
                box.check()
            for select in radio_group.locator("select").all():
                select.select_option(index=1)
            for text in radio_group.locator("input[type=text]").all():
                text.fill("Une réponse délibérément fausse, longue et accentuée : ça déborde")
        form.locator("button[type=submit]").click()
        form.locator(".quiz-result").filter(has_text="%").wait_for()
    for checklist in frame.locator("form.checklist").all():
        for item in checklist.locator("fieldset.checklist-item, div.checklist-item").all():
            item.locator("input").last.check()


# Encodes a synthetic state: every quiz submitted 99 times, every choice ticked, every
# matching answered, every short answer wrong with 40 non-Latin characters.
WORST_CASE_STATE = """() => {
  const course = window.CourseBridgeCourse;
  const pages = window.CourseBridgePages;
  const state = { v: pages.map((_, i) => i), q: {}, c: {} };
  for (const quiz of course.quizzes) {
    state.q[quiz.id] = { n: 99, s: 100, a: quiz.questions.map((q) =>
      q.type === "single" ? String(q.choices - 1) : q.type === "truefalse" ? "false"
      : q.type === "multiple" ? [...Array(q.choices).keys()]
      : q.type === "matching" ? q.options.slice(0, q.pairs) : "ж".repeat(60)) };
  }
  for (const list of course.checklists) state.c[list.id] = Array(list.items).fill(9);
  return window.CourseBridgeTracker.encode(state).length;
}"""
