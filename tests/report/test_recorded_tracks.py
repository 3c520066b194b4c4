"""What real Moodle returned for a learner who took our packages (tests/moodle_golden/report/), read
as the report reads it: the runtime's own suspend_data, both versions' interactions and times."""

from __future__ import annotations

import json
from pathlib import Path

from builder.exporters.scorm_progress import QuizProgress, decode_progress
from lms_sync.report.collect import Attempt
from lms_sync.report.figures import latest_answers, seconds

GOLDEN = Path(__file__).resolve().parents[1] / "moodle_golden" / "report"
MAP = json.loads((GOLDEN / "flagship-course-map.json").read_text(encoding="utf-8"))


def recorded_tracks(name: str) -> dict:
    answer = json.loads((GOLDEN / name).read_text(encoding="utf-8"))
    return {row["element"]: row["value"] for row in answer["data"]["tracks"]}


def test_suspend_data_written_by_the_runtime_decodes():
    for name in ("06_mod_scorm_get_scorm_sco_tracks_scorm12.json", "07_mod_scorm_get_scorm_sco_tracks_scorm2004.json"):
        state = decode_progress(recorded_tracks(name)["cmi.suspend_data"], MAP, MAP["pages"])
        assert state.visited == tuple(MAP["pages"])  # every one of the 45 activity pages
        assert state.quizzes == {"j1-quiz": QuizProgress(1, 66), "evaluation-finale": QuizProgress(1, 90)}


def test_another_layout_is_not_misread():
    data = recorded_tracks("06_mod_scorm_get_scorm_sco_tracks_scorm12.json")["cmi.suspend_data"]
    assert decode_progress(data, {**MAP, "layout": "zzzz"}, MAP["pages"]) is None
    assert decode_progress("", MAP, MAP["pages"]) is None


def test_both_versions_interactions_give_the_same_answers():
    answers = {}
    for version, name in (("1.2", "06_mod_scorm_get_scorm_sco_tracks_scorm12.json"), ("2004", "07_mod_scorm_get_scorm_sco_tracks_scorm2004.json")):
        answers[version] = latest_answers([Attempt(1, recorded_tracks(name))])
    assert len(answers["1.2"]) == 26  # interactions 0-25, in numeric (not lexical) order
    assert {q: a.correct for q, a in answers["1.2"].items()} == {q: a.correct for q, a in answers["2004"].items()}
    assert answers["1.2"]["q1-impact-conditions"].response == "b,c,d"
    assert not answers["1.2"]["q1-impact-conditions"].correct  # 1.2 says "wrong", 2004 "incorrect"
    assert answers["2004"]["q1-cooperation"].response == "a"


def test_total_times_of_both_versions():
    assert seconds(recorded_tracks("06_mod_scorm_get_scorm_sco_tracks_scorm12.json")["total_time"]) == 292  # 00:04:52.49
    assert seconds(recorded_tracks("07_mod_scorm_get_scorm_sco_tracks_scorm2004.json")["total_time"]) == 258  # PT4M18.27S
    assert seconds("0001:02:03.5") == 3723 and seconds("PT1H5M30S") == 3930 and seconds("P1DT1M") == 86460
    assert seconds("") == 0 and seconds("PT") == 0 and seconds("nonsense") == 0
