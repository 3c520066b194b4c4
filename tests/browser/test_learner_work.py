"""Reflections and checklist ticks kept by the LMS, not by the browser (docs/scorm.md,
"Learner work"): the test LMS carries the CMI data from one launch to the next and
localStorage is cleared in between, as Moodle clears it at each login."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from builder.learner_work import learner_work
from builder.loader import load_course

from .test_accessibility import violations

pytestmark = pytest.mark.browser

# Launch modes: each SCORM version, and SCORM 1.2 with cmi.comments kept as Moodle keeps it.
MODES = [
    pytest.param("scorm12", False, id="scorm12"),
    pytest.param("scorm12", True, id="scorm12-appending-like-moodle"),
    pytest.param("scorm2004", False, id="scorm2004"),
]
ANSWERS = ["Une idée, « entre guillemets »\n{et une accolade}", "Deuxième réponse\\ fin"]


# Follows a link to any page of the course, as a learner would from the table of contents.
FOLLOW = """(body, name) => {
  const link = Object.assign(document.createElement('a'), { href: name });
  document.getElementById('main').append(link);
  link.click();
}"""


def open_page(frame, name: str):
    frame.locator("body").evaluate(FOLLOW, name)
    frame.locator(f"body[data-page='{name}']").wait_for()


def new_login(player):
    """What Moodle does to the package's origin when the learner's login time changes
    (the player and the package share that origin, as Moodle's pages and pluginfile.php)."""
    player.page.evaluate("() => localStorage.clear()")


def decoded(player, course_dir) -> dict:
    work = learner_work(player.version, load_course(course_dir), player.stored)
    return {entry.activity.id: entry for entry in work}


@pytest.mark.parametrize(("version", "appends"), MODES)
def test_reflections_and_ticks_come_back_after_a_new_login(
    lms, course_with_reflection, version, appends
):
    course_dir = course_with_reflection
    player = lms(course_dir, version)
    player.appends_comments = appends
    frame = player.launch()
    open_page(frame, "ma-reflexion.html")
    areas = frame.locator("form.reflection textarea")
    for i, answer in enumerate(ANSWERS):
        areas.nth(i).fill(answer)
    note = frame.locator("form.reflection .note").inner_text()
    assert "votre plateforme de formation les enregistre" in note
    open_page(frame, "mes-engagements.html")
    frame.locator("input[name='i0']").check()
    open_page(frame, "auto-evaluation.html")
    frame.locator("input[name='i0'][value='2']").check()
    frame.locator("input[name='i1'][value='0']").check()
    player.leave()
    new_login(player)

    frame = player.launch()
    open_page(frame, "ma-reflexion.html")
    assert [areas.nth(i).input_value() for i in range(2)] == ANSWERS
    assert not frame.locator(".text-kept-locally").count()
    areas.nth(0).fill("Réponse revue")
    open_page(frame, "mes-engagements.html")
    assert frame.locator("input[name='i0']").is_checked()
    assert not frame.locator("input[name='i1']").is_checked()
    open_page(frame, "auto-evaluation.html")
    assert frame.locator("input[name='i0'][value='2']").is_checked()
    assert frame.locator("input[name='i1'][value='0']").is_checked()
    player.leave()
    assert player.errors() == []

    assert_comment_formats(player)
    work = decoded(player, course_dir)  # what a trainer's report reads from the same data
    assert work["ma-reflexion"].answers == ["Réponse revue", ANSWERS[1]]
    assert work["mes-engagements"].levels == [1, None]
    assert work["auto-evaluation"].levels == [2, 0]
    if version == "scorm12":  # what a trainer reads in Moodle's track details
        log = player.stored["cmi.comments"]
        assert log.count("[ma-reflexion.1]") == (2 if appends else 1)  # Moodle: records added
        assert "[ma-reflexion.1] Réponse revue" in log.split("\n")
        lines = set(log.split("\n"))
        assert {"[mes-engagements] ✓; —", "[auto-evaluation] Oui; Pas encore"} <= lines
        assert len(log) <= 4096
    else:
        assert comments(player.stored) == {
            "ma-reflexion.1": "{lang=fr}Réponse revue",
            "ma-reflexion.2": "{lang=fr}" + ANSWERS[1].replace("\\", "\\\\"),
            "mes-engagements": "{lang=fr}✓; —",
            "auto-evaluation": "{lang=fr}Oui; Pas encore",
        }


def assert_comment_formats(player) -> None:
    """Within the specifications' limits, stricter than both Moodle and scorm-again."""
    if player.version == "scorm12":
        writes = [call[2] for call in player.page.evaluate("() => apiCalls")
                  if call[0] == "LMSSetValue" and call[1] == "cmi.comments"]  # fmt: skip
        assert writes and all(len(value) <= 4096 for value in writes)  # CMIString4096
        return
    for key, value in player.stored.items():
        if key.endswith(".comment"):  # localized characterstring (SPM 4000), one line
            assert re.fullmatch(r"\{lang=fr\}[^{\n\r][^\n\r]{0,3999}|\{lang=fr\}", value), value
        elif key.endswith(".location"):
            assert len(value) <= 250
        elif key.endswith(".timestamp"):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?Z", value)


def comments(stored: dict) -> dict:
    """SCORM 2004 comments from the learner, by location."""
    count = sum(key.endswith(".location") for key in stored if "comments_from_learner" in key)
    entry = "cmi.comments_from_learner.{}.{}".format
    return {stored[entry(n, "location")]: stored[entry(n, "comment")] for n in range(count)}


@pytest.mark.parametrize(("version", "length"), [("scorm12", 4200), ("scorm2004", 4001)])
def test_an_answer_too_long_for_the_lms_is_kept_on_the_device_and_said(
    lms, course_with_reflection, version, length
):
    course_dir = course_with_reflection
    long_text = ("Une très longue réflexion. " * 200)[:length]
    player = lms(course_dir, version)
    frame = player.launch()
    open_page(frame, "ma-reflexion.html")
    areas = frame.locator("form.reflection textarea")
    areas.nth(0).fill(long_text)
    areas.nth(1).fill("Courte")
    areas.nth(1).blur()
    notice = frame.locator("#ma-reflexion-1-kept[role=status]")
    notice.wait_for()
    assert "gardée seulement sur cet appareil" in notice.inner_text()
    assert areas.nth(0).get_attribute("aria-describedby") == "ma-reflexion-1-kept"
    assert not frame.locator("#ma-reflexion-2-kept").count()
    assert violations(Axe(), player.page.query_selector("#sco").content_frame()) == []
    player.leave()
    assert decoded(player, course_dir)["ma-reflexion"].answers == [None, "Courte"]

    frame = player.launch()  # the same device: the text is there, and still said to be
    open_page(frame, "ma-reflexion.html")
    assert areas.nth(0).input_value() == long_text
    frame.locator("#ma-reflexion-1-kept").wait_for()
    areas.nth(0).fill("Plus courte")
    areas.nth(0).blur()
    frame.locator("#ma-reflexion-1-kept").wait_for(state="detached")
    player.leave()
    assert decoded(player, course_dir)["ma-reflexion"].answers == ["Plus courte", "Courte"]


LAST_LEVELS = """(form) => form.querySelectorAll('.checklist-item').forEach((item) => {
  const inputs = item.querySelectorAll('input');
  inputs[inputs.length - 1].click();
})"""
FLAGSHIP_ANSWER = (  # a couple of sentences, as a learner writes them
    "Dans mon union, les coordinatrices se retrouvent déjà chaque mois ; je proposerai "
    "qu'elles choisissent elles-mêmes un thème et qu'une d'entre elles anime à tour de rôle."
)


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_the_flagships_reflections_all_fit(lms, flagship_copy, version):
    course = load_course(flagship_copy)
    player = lms(flagship_copy, version)
    frame = player.launch()
    work = learner_work(version, course, {})
    for entry in work:  # every item at its last level: the longest readable copy, or close
        if not hasattr(entry, "answers"):
            open_page(frame, f"{entry.activity.id}.html")
            frame.locator("form.checklist").evaluate(LAST_LEVELS)
    reflections = [entry for entry in work if hasattr(entry, "answers")]
    for entry in reflections:
        open_page(frame, f"{entry.activity.id}.html")
        for area in frame.locator("form.reflection textarea").all():
            area.fill(FLAGSHIP_ANSWER)
        frame.locator("form.reflection textarea").last.blur()
        assert not frame.locator(".text-kept-locally").count()
    player.leave()
    answers = [answer for entry in decoded(player, flagship_copy).values()
               if hasattr(entry, "answers") for answer in entry.answers]  # fmt: skip
    questions = sum(len(entry.activity.questions) for entry in reflections)
    assert answers == [FLAGSHIP_ANSWER] * questions
    if version == "scorm12":
        left = 4096 - len(player.stored["cmi.comments"])
        print(f"\nSCORM 1.2: {questions} answers of {len(FLAGSHIP_ANSWER)} characters leave {left} "
              "of cmi.comments' 4096 characters")  # fmt: skip
    else:
        longest = max(len(text) for key, text in comments(player.stored).items() if "." in key)
        print(f"\nSCORM 2004: each answer leaves {4000 - (longest - len('{lang=fr}'))} of its "
              "comment's 4000 characters")  # fmt: skip


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_a_refused_answer_is_told_and_sent_again(lms, course_with_reflection, version):
    player = lms(course_with_reflection, version)
    frame = player.launch()
    player.refuse_values("cmi.comments")
    open_page(frame, "ma-reflexion.html")
    area = frame.locator("form.reflection textarea").first
    area.fill("Une réponse")
    area.blur()
    notice = frame.locator("#tracking-notice[role=status]")
    notice.wait_for()
    assert "n'ont pas pu être enregistrés" in notice.inner_text()
    assert not frame.locator(".text-kept-locally").count()  # room enough: not a device-only text
    player.accept_values()
    open_page(frame, "mes-engagements.html")
    assert notice.is_hidden()
    player.leave()
    assert decoded(player, course_with_reflection)["ma-reflexion"].answers[0] == "Une réponse"
