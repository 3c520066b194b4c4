"""The SCORM runtime when things go wrong: a reload, a page that fails to load, Back and
Forward, an LMS that refuses to save; and quiz states restored without their answers."""

from __future__ import annotations

import re

import pytest


pytestmark = pytest.mark.browser
VERSIONS = ["scorm12", "scorm2004"]


def sco(player):
    """The SCO's frame, for evaluating scripts in it."""
    return next(frame for frame in player.page.frames if "/package/" in frame.url)


def course_keys(player) -> list:
    return sco(player).evaluate(
        "() => Object.keys(localStorage).filter(key => key.startsWith('coursebridge:'))"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_a_reload_says_the_session_ended_and_keeps_nothing_in_the_browser(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    frame.locator("a[href='definition.html']").first.click()
    frame.locator("body[data-page='definition.html']").wait_for()
    sco(player).evaluate("() => location.reload()")
    frame.locator("body[data-page='definition.html']").wait_for()
    notice = frame.locator("#tracking-notice")
    notice.wait_for()
    assert "Le suivi de cette session est terminé" in notice.inner_text()
    assert course_keys(player) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_a_page_that_fails_to_load_keeps_the_session_and_can_be_retried(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    page_file = player.folder / "definition.html"
    html = page_file.read_bytes()
    page_file.unlink()
    frame.locator("a[href='definition.html']").first.click()
    error = frame.locator(".page-error[role=alert]")
    assert "n'a pas pu être chargée" in error.inner_text()
    assert frame.locator("body").get_attribute("data-page") == "index.html"
    page_file.write_bytes(html)
    error.get_by_role("link", name="Réessayer").click()
    frame.locator("body[data-page='definition.html']").wait_for()
    assert not frame.locator(".page-error").count()
    assert player.initialisations() == 1
    assert frame.locator("#tracking-notice").is_hidden()
    assert course_keys(player) == []


def test_back_and_forward_move_between_pages_inside_the_sco(lms, course_dir):
    player = lms(course_dir, "scorm2004")
    frame = player.launch()
    frame.locator("a[href='definition.html']").first.click()
    frame.locator("body[data-page='definition.html']").wait_for()
    frame.locator("a.pager-next").click()
    frame.locator("body[data-page='quiz-definition.html']").wait_for()
    player.page.evaluate("() => history.back()")
    frame.locator("body[data-page='definition.html']").wait_for()
    assert frame.locator("h1", has_text="Qu'est-ce qu'une communauté").is_visible()
    player.page.evaluate("() => history.back()")
    frame.locator("body[data-page='index.html']").wait_for()
    player.page.evaluate("() => history.forward()")
    frame.locator("body[data-page='definition.html']").wait_for()
    assert sco(player).url.endswith("/package/definition.html")
    assert player.initialisations() == 1
    assert "Terminate" not in [call[0] for call in player.page.evaluate("() => apiCalls")]


# Makes the LMS refuse suspend_data (SetValue) or every Commit while window.refusing is set.
REFUSE = """([version, what]) => {
  const api = window.lms;
  const [set, commit] = version === 'scorm12' ? ['LMSSetValue', 'LMSCommit'] : ['SetValue', 'Commit'];
  const original = { set: api[set], commit: api[commit] };
  window.refusing = true;
  api[set] = (element, value) => window.refusing && what === 'set' && element === 'cmi.suspend_data'
    ? 'false' : original.set(element, value);
  api[commit] = (value) => window.refusing && what === 'commit' ? 'false' : original.commit(value);
}"""


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("what", ["set", "commit"])
def test_a_refused_save_is_told_and_tried_again(lms, course_dir, version, what):
    player = lms(course_dir, version)
    frame = player.launch()
    player.page.evaluate(REFUSE, [version, what])
    frame.locator("a[href='definition.html']").first.click()
    notice = frame.locator("#tracking-notice[role=status]")
    notice.wait_for()
    assert "n'ont pas pu être enregistrés" in notice.inner_text()
    player.page.evaluate("() => { window.refusing = false; }")
    frame.locator("a.pager-next").click()
    frame.locator("body[data-page='quiz-definition.html']").wait_for()
    assert notice.is_hidden()
    expected = frame.locator("body").evaluate(
        "() => CourseBridgeTracker.encode({v: [0, 1], q: {}, c: {}})"
    )
    assert player.leave()["cmi.suspend_data"] == expected


# suspend_data with quiz-definition's attempts and score only (its answers dropped).
WITHOUT_ANSWERS = """(body, entry) => {
  const course = window.CourseBridgeCourse;
  const quizzes = course.quizzes.map((quiz) => quiz.id === 'quiz-definition' ? entry : '');
  return '1' + course.layout + '||' + quizzes.join(';') + '|';
}"""


@pytest.mark.parametrize(
    ("attempts", "entry", "shown"),
    [(None, "12s", "Quiz réussi"), (1, "10e", "Vous avez utilisé toutes vos tentatives")],
    ids=["graded-passed", "attempts-used"],
)
def test_a_quiz_restored_without_its_answers_stays_closed(lms, course_dir, attempts, entry, shown):
    if attempts:
        day = course_dir / "days" / "jour-1.yaml"
        day.write_text(day.read_text(encoding="utf-8").replace(
            "        title: Vérifier ses connaissances\n",
            f"        title: Vérifier ses connaissances\n        attempts: {attempts}\n"),
            encoding="utf-8")  # fmt: skip
    player = lms(course_dir, "scorm12")
    frame = player.launch()
    suspend_data = frame.locator("body").evaluate(WITHOUT_ANSWERS, entry)
    player.leave()
    player.stored["cmi.suspend_data"] = suspend_data
    player.stored["cmi.core.lesson_location"] = "quiz-definition.html"
    frame = player.launch()
    frame.locator("body[data-page='quiz-definition.html']").wait_for()
    assert shown in frame.locator(".quiz-result").inner_text()
    assert frame.locator("form.quiz button[type=submit]").is_disabled()
    assert frame.locator(".quiz-retry").is_hidden()


def test_a_bookmarked_page_that_fails_to_load_keeps_the_bookmark(lms, course_dir):
    player = lms(course_dir, "scorm12")
    player.stored["cmi.core.lesson_location"] = "definition.html"
    html = (player.folder / "definition.html").read_bytes()
    (player.folder / "definition.html").unlink()
    frame = player.launch()
    frame.locator(".page-error").wait_for()
    assert player.leave()["cmi.core.lesson_location"] == "definition.html"
    (player.folder / "definition.html").write_bytes(html)
    frame = player.launch()
    frame.locator("body[data-page='definition.html']").wait_for()
    frame.locator("a.pager-next").click()
    frame.locator("body[data-page='quiz-definition.html']").wait_for()
    assert player.leave()["cmi.core.lesson_location"] == "quiz-definition.html"


def test_short_answers_ignore_accents_case_and_spaces(lms, course_dir):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "            answer: false\n",
        "            answer: false\n"
        "          - id: q-court\n            type: short\n            text: Le mot ?\n"
        "            answers: [Réseau social]\n"), encoding="utf-8")  # fmt: skip
    player = lms(course_dir, "scorm12")
    frame = player.launch()
    frame.locator("a[href='quiz-definition.html']").first.click()
    frame.locator("input[name='quiz-definition--q-court']").fill("  RESEAU   sociál ")
    frame.locator("form.quiz button[type=submit]").click()
    frame.get_by_role("button", name="Valider quand même").click()
    assert frame.locator("#quiz-definition--q-court .feedback.is-correct").count() == 1
    assert player.leave()["cmi.suspend_data"].endswith("--=0|")  # stored as accepted answer 0


@pytest.mark.parametrize("version", VERSIONS)
def test_reflections_on_a_shared_device_belong_to_each_learner(
    lms, course_with_reflection, version
):
    learner = "cmi.core.student_id" if version == "scorm12" else "cmi.learner_id"
    player = lms(course_with_reflection, version)
    first_launch = dict(player.stored)
    kept = {}  # what the LMS keeps, learner by learner

    def reflection_as(who: str):
        player.stored = kept.get(who, {**first_launch, learner: who})
        frame = player.launch()
        frame.locator("a[href='ma-reflexion.html']").first.click()
        return frame.locator("form.reflection textarea").first

    # Too long for the LMS, so kept on the device only: for this learner alone.
    reflection_as("learner-1").fill("Mes notes " * 500)
    player.leave()
    kept["learner-1"] = player.stored
    assert reflection_as("learner-2").input_value() == ""
    player.leave()
    assert reflection_as("learner-1").input_value() == "Mes notes " * 500


@pytest.mark.parametrize("version", VERSIONS)
def test_refused_interaction_records_are_sent_again(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    player.refuse_values("cmi.interactions.")
    frame.locator("a[href='quiz-definition.html']").first.click()
    frame.locator("form.quiz button[type=submit]").click()
    frame.get_by_role("button", name="Valider quand même").click()
    notice = frame.locator("#tracking-notice[role=status]")
    notice.wait_for()
    assert "n'ont pas pu être enregistrés" in notice.inner_text()
    questions = frame.locator("form.quiz fieldset.question").count()
    player.accept_values()
    frame.locator("a.pager-next").click()
    frame.locator("a.pager-next").wait_for()
    assert notice.is_hidden()
    final = player.leave()
    ids = [value for key, value in final.items() if re.fullmatch(r"cmi\.interactions\.\d+\.id", key)]
    assert len(ids) == questions and all(i.startswith("quiz-definition--") for i in ids)


# A page going into the back-forward cache, then shown again from it.
BACK_FORWARD_CACHE = """() => {
  window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }));
  window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
}"""


@pytest.mark.parametrize("version", VERSIONS)
def test_a_page_in_the_back_forward_cache_ends_its_session(lms, course_dir, version):
    player = lms(course_dir, version)
    frame = player.launch()
    sco(player).evaluate(BACK_FORWARD_CACHE)
    finish = "LMSFinish" if version == "scorm12" else "Terminate"
    assert finish in [call[0] for call in player.page.evaluate("() => apiCalls")]
    exit_key = "cmi.core.exit" if version == "scorm12" else "cmi.exit"
    assert player.page.evaluate("() => stored()")[exit_key] == "suspend"
    notice = frame.locator("#tracking-notice")
    assert "Le suivi de cette session est terminé" in notice.inner_text()
