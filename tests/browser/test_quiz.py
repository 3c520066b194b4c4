"""Quiz rules in the browser: a passed graded quiz is final; practice quizzes can be retried."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.exporters import get_exporter
from builder.loader import load_course

from .test_scorm_runtime import answer_scaffold_quiz

pytestmark = pytest.mark.browser


def open_quiz(course_dir: Path, page, serve_folder, tmp_path: Path, graded: bool):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "        title: Vérifier ses connaissances\n",
        f"        title: Vérifier ses connaissances\n        graded: {str(graded).lower()}\n"),
        encoding="utf-8")
    site = get_exporter("web").build(load_course(course_dir), tmp_path / "dist").output
    page.goto(serve_folder(site) + "quiz-definition.html")


def test_a_passed_graded_quiz_cannot_be_retaken(course_dir, page, serve_folder, tmp_path):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=True)
    answer_scaffold_quiz(page, right=True)
    assert "Quiz réussi" in page.locator(".quiz-result").inner_text()
    assert page.locator(".quiz-retry").is_hidden()
    page.reload()
    assert page.locator(".quiz-retry").is_hidden()


def test_a_failed_graded_quiz_can_be_retried(course_dir, page, serve_folder, tmp_path):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=True)
    answer_scaffold_quiz(page, right=False)
    assert page.locator(".quiz-retry").is_visible()


def test_a_passed_practice_quiz_can_be_retried(course_dir, page, serve_folder, tmp_path):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=False)
    answer_scaffold_quiz(page, right=True)
    assert page.locator(".quiz-retry").is_visible()


def test_unanswered_questions_are_confirmed_in_the_page_before_costing_an_attempt(
    course_dir, page, serve_folder, tmp_path
):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=True)
    page.on("dialog", lambda dialog: pytest.fail(f"window dialog: {dialog.message}"))
    page.locator("input[name='quiz-definition--q-domaine'][value='0']").check()
    page.locator("form.quiz button[type=submit]").click()
    asking = page.get_by_role("group", name="1 question sans réponse — valider quand même\u00a0?")
    assert asking.get_by_role("button", name="Valider quand même").evaluate(
        "b => b === document.activeElement")
    asking.get_by_role("button", name="Revenir aux questions").click()
    assert not page.locator(".quiz-confirm").count() and page.locator(".quiz-result").inner_text() == ""
    assert page.evaluate("document.activeElement.name") == "quiz-definition--q-vrai-faux"
    assert page.evaluate("localStorage.getItem('coursebridge:cours:1')").find("quiz-definition") < 0

    page.locator("form.quiz button[type=submit]").click()
    page.get_by_role("button", name="Valider quand même").click()
    result = page.locator(".quiz-result")
    assert "50" in result.inner_text() and result.evaluate("r => r === document.activeElement")
    stored = page.evaluate("JSON.parse(localStorage.getItem('coursebridge:cours:1'))")
    assert stored["q"]["quiz-definition"]["n"] == 1


def test_only_the_result_is_a_live_region(course_dir, page, serve_folder, tmp_path):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=False)
    answer_scaffold_quiz(page, right=True)
    assert page.locator("form.quiz [aria-live]").evaluate_all(
        "nodes => nodes.map(n => n.className)") == ["quiz-result"]


EXPLANATION = "Le domaine est l'objet commun"


def answer_domaine_wrong(page) -> None:
    page.locator("input[name='quiz-definition--q-domaine'][value='1']").check()
    page.locator("input[name='quiz-definition--q-vrai-faux'][value='false']").check()
    page.locator("form.quiz button[type=submit]").click()


def test_a_graded_quiz_keeps_its_explanations_until_the_last_attempt(
    course_dir, page, serve_folder, tmp_path
):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "        title: Vérifier ses connaissances\n",
        "        title: Vérifier ses connaissances\n        attempts: 2\n"), encoding="utf-8")
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=True)
    answer_domaine_wrong(page)
    feedback = page.locator("#quiz-definition--q-domaine .feedback.is-incorrect")
    assert "Réponse incorrecte" in feedback.inner_text()
    assert EXPLANATION not in feedback.inner_text()
    page.locator(".quiz-retry").click()
    answer_domaine_wrong(page)  # the last attempt: nothing left to give away
    assert EXPLANATION in feedback.inner_text()


def test_a_practice_quiz_explains_at_once(course_dir, page, serve_folder, tmp_path):
    open_quiz(course_dir, page, serve_folder, tmp_path, graded=False)
    answer_domaine_wrong(page)
    assert EXPLANATION in page.locator("#quiz-definition--q-domaine .feedback").inner_text()
