"""The double's report reads replay the real Moodle recordings in tests/moodle_golden/report/.

The double is seeded as the recorded site was: course 2 with a SCORM 1.2 (scorm 1, SCO 3) and a
SCORM 2004 activity (scorm 2, SCO 6), learner1 (user 4) with one attempt in each, whose stored
elements are the recorded ones. Tracks must then come back exactly as recorded, order included.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from moodle_double import MoodleDouble
from moodle_double.report_reads import SCORM_12, SCORM_2004, add_attempt, add_scorm
from moodle_double.site import Discussion, Group
from sync.test_double_contract import recorded, shape

GOLDEN = Path(__file__).resolve().parents[1] / "moodle_golden" / "report"
RECORDINGS = {name: (params, answer) for name, params, answer in recorded(GOLDEN)}
EXACT = ["04_mod_scorm_get_scorm_attempt_count_scorm12", "05_mod_scorm_get_scorm_attempt_count_scorm2004",
         "06_mod_scorm_get_scorm_sco_tracks_scorm12", "07_mod_scorm_get_scorm_sco_tracks_scorm2004",
         "22_error_mod_scorm_get_scorm_sco_tracks_bad_scoid"]
SAME_SHAPE = ["01_mod_scorm_get_scorms_by_courses", "02_mod_scorm_get_scorm_scoes_scorm12",
              "03_mod_scorm_get_scorm_scoes_scorm2004", "16_mod_forum_get_discussion_posts"]


def recording(name: str) -> tuple[list[tuple[str, str]], object]:
    return RECORDINGS[name]


def recorded_elements(name: str) -> tuple[dict[str, str], int, int]:
    tracks = {row["element"]: row["value"] for row in recording(name)[1]["data"]["tracks"]}
    stored = {key: value for key, value in tracks.items() if key.startswith("cmi.")}
    return stored, int(tracks["x.start.time"]), int(tracks["timemodified"])


@pytest.fixture(scope="module")
def moodle():
    with MoodleDouble() as double:
        site = double.site
        site.set_next_ids(cm=1)
        site.add_user("other", "Other", "User", "other@example.org")
        learner = site.add_user("learner1", "Learner", "One", "learner1@example.org")
        course = site.add_course("aca-scorm", "ACA SCORM", 1)
        name = "Animer une communauté apprenante"
        v12 = add_scorm(site, course.id, f"{name} (SCORM 1.2)", SCORM_12, identifier="animer-communaute-apprenante")
        v2004 = add_scorm(site, course.id, f"{name} (SCORM 2004)", SCORM_2004, identifier="animer-communaute-apprenante")
        assert (v12.id, v12.sco_id, v2004.id, v2004.sco_id, learner.id) == (1, 3, 2, 6, 4)
        add_attempt(v12, learner.id, *recorded_elements("06_mod_scorm_get_scorm_sco_tracks_scorm12"))
        add_attempt(v2004, learner.id, *recorded_elements("07_mod_scorm_get_scorm_sco_tracks_scorm2004"))
        forum = site.add_forum(course.id, "Forum des participantes", groupmode=1)
        site.discussions[6] = Discussion(6, forum.id, "Notre projet de charte", "<p>Partagez</p>", 7, site.admin.id, 6)
        yield double


def replay(moodle: MoodleDouble, params: list[tuple[str, str]]):
    body = [(key, moodle.ADMIN_TOKEN if key == "wstoken" else value) for key, value in params]
    response = requests.post(moodle.url + "/webservice/rest/server.php", data=body, timeout=10)
    assert response.status_code == 200  # errors too
    return response.json()


@pytest.mark.parametrize("name", EXACT)
def test_answers_equal_the_recordings(moodle, name):
    params, answer = recording(name)
    assert replay(moodle, params) == answer


@pytest.mark.parametrize("name", SAME_SHAPE)
def test_answers_have_the_recorded_shape(moodle, name):
    params, answer = recording(name)
    assert shape(replay(moodle, params)) == shape(answer)


def test_a_learner_who_never_started_gets_a_warning_not_an_error(moodle):
    answer = replay(moodle, [("wstoken", ""), ("wsfunction", "mod_scorm_get_scorm_sco_tracks"), ("moodlewsrestformat", "json"),
                             ("scoid", "3"), ("userid", "3"), ("attempt", "0")])
    assert answer["data"] == {"attempt": 1, "tracks": []}  # scorm_get_last_attempt() says 1 when there is none
    assert answer["warnings"][0]["warningcode"] == "notattempted"


def test_other_users_tracks_need_the_report_capability(moodle):
    learner = moodle.site.user_by("username", "learner1")
    moodle.site.add_token("learner-token", learner.id, ["mod_scorm_get_scorm_sco_tracks"], capabilities=frozenset())
    call = [("wstoken", "learner-token"), ("wsfunction", "mod_scorm_get_scorm_sco_tracks"), ("moodlewsrestformat", "json"), ("scoid", "3")]
    body = [*call, ("userid", "3")]
    response = requests.post(moodle.url + "/webservice/rest/server.php", data=body, timeout=10).json()
    assert response["errorcode"] == "nopermissions"
    own = requests.post(moodle.url + "/webservice/rest/server.php", data=[*call, ("userid", str(learner.id))], timeout=10).json()
    assert len(own["data"]["tracks"]) == 233


def test_enrolled_users_in_no_group_have_no_groups_key(moodle):
    site = moodle.site
    course = next(c for c in site.courses.values() if c.shortname == "aca-scorm")
    course.enrolments = {3: {5}, 4: {5}}
    site.groups[99] = group = Group(99, course.id, "Groupe A", members={4})
    rows = replay(moodle, [("wstoken", ""), ("wsfunction", "core_enrol_get_enrolled_users"), ("moodlewsrestformat", "json"), ("courseid", str(course.id))])
    assert "groups" not in rows[0]
    assert rows[1]["groups"] == [{"id": group.id, "name": "Groupe A", "description": "", "descriptionformat": 1}]
    recorded = recording("10_core_enrol_get_enrolled_users")[1]
    assert shape(rows[1]["groups"]) == shape(recorded[0]["groups"])


def test_the_plugins_bulk_read_gives_every_attempt_as_sco_tracks_does(moodle):
    from moodle_double.plugin import install_plugin

    install_plugin(moodle.site)
    call = [("wstoken", ""), ("wsfunction", "local_coursebridge_get_scorm_tracks"), ("moodlewsrestformat", "json"), ("scormid", "1")]
    answer = replay(moodle, [*call, ("userids[0]", "4"), ("userids[1]", "3")])
    recorded = recording("06_mod_scorm_get_scorm_sco_tracks_scorm12")[1]["data"]["tracks"]
    expected = [{"element": row["element"], "value": str(row["value"])} for row in recorded[:-2]]  # without userid, scoid
    assert answer == {"users": [{"userid": 4, "attempts": [{"attempt": 1, "tracks": expected}]}]}  # user 3 has none
    moodle.site.add_token("no-report-token", 4, ["local_coursebridge_get_scorm_tracks"], capabilities=frozenset())
    refused = requests.post(
        moodle.url + "/webservice/rest/server.php", data=[("wstoken", "no-report-token"), *call[1:], ("userids[0]", "4")], timeout=10).json()
    assert refused["errorcode"] == "nopermissions"
    moodle.site.plugin = None
