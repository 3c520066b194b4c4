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
