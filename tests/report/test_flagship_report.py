"""The flagship's session: its own sync file against the double, one coordinator holding the tracks
real Moodle recorded for our SCORM 1.2 package (tests/moodle_golden/report/), certificates of 14 h."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner
from pypdf import PdfReader

from builder.cli import main
from builder.loader import load_course
from conftest import FLAGSHIP
from moodle_double import MoodleDouble
from moodle_double.report_reads import SCORM_12, add_attempt, add_scorm

from .test_double_report_reads import recorded_elements


def test_flagship_certificates(tmp_path):
    course_folder = tmp_path / FLAGSHIP.name
    shutil.copytree(FLAGSHIP, course_folder)
    sync_file = course_folder / "moodle" / "sync.yaml"
    with MoodleDouble() as moodle:
        env = {"MOODLE_URL": moodle.url, "MOODLE_TOKEN": moodle.ADMIN_TOKEN, "XDG_CONFIG_HOME": str(tmp_path / "no-config")}
        run = lambda *args: CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)  # noqa: E731
        assert run("sync", "apply", str(sync_file)).exit_code == 0
        site = moodle.site
        course = next(c for c in site.courses.values() if c.shortname == "UNA-CDP-2026")
        scorm = add_scorm(site, course.id, "Animer une communauté apprenante (SCORM 1.2)", SCORM_12, identifier="animer-communaute-apprenante")
        add_attempt(scorm, site.user_by("username", "amartin").id, *recorded_elements("06_mod_scorm_get_scorm_sco_tracks_scorm12"))
        moodle.reset_counts()
        result = run("report", str(sync_file), "-o", str(tmp_path / "out"), "--certificates", "--issued", "2026-01-15")
        assert result.exit_code == 0, result.output
        assert moodle.write_calls == 0
    data = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(data["learners"]) == 12  # the coordinators; the trainer (editingteacher) is left out
    anne = data["learners"][0]
    assert (anne["username"], anne["status"], anne["score"], anne["time_spent_seconds"]) == ("amartin", "passed", 90.0, 292)
    text = " ".join(PdfReader(tmp_path / "out" / "certificates" / "attestation-amartin.pdf").pages[0].extract_text().split())
    flagship = load_course(course_folder)
    for mention in (
        "UNA – Union nationale de l'aide, des soins et des services aux domiciles atteste que", "Anne Martin",
        "Animer dans la durée une communauté apprenante", "Action de formation (article L6313-1 du Code du travail)",
        "Dates 14 et 15 janvier 2026", "Lieu Paris", "Durée 14 h", "Score à l'évaluation du module : 90 %",
        "Fait à Paris, le 15 janvier 2026", "Signature et cachet de l'organisme de formation",
    ):
        assert mention in text, mention
    for objective in flagship.objectives:
        assert " ".join(objective.text.split()) in text, objective.id
    assert len(PdfReader(tmp_path / "out" / "certificates" / "attestations.pdf").pages) == 12
