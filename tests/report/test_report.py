"""`coursebridge report` against the double seeded by conftest.py: exact figures in the CSV and the
JSON, the terminal summary, read-only calls and their count, the certificates' text, bad input."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pypdf import PdfReader

from builder.exporters.scorm_map import course_map
from lms_sync.client import FUNCTIONS, Kind, MoodleClient
from moodle_double.plugin import install_plugin

LEARNERS = ["ajoly", "bnoel", "cpetit", "dleroy", "efaure", "fmoreau", "gvidal"]


def read_csv(session, name="report.csv", delimiter=";") -> list[dict]:
    data = (session.workdir / "out" / name).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with a BOM
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8")), delimiter=delimiter))


def figures(session) -> dict:
    return json.loads((session.workdir / "out" / "report.json").read_text(encoding="utf-8"))


def test_csv_has_one_row_per_learner_with_exact_figures(session):
    result = session.report()
    assert result.exit_code == 0, result.output
    rows = {row["Identifiant"]: row for row in read_csv(session)}
    assert list(rows) == LEARNERS  # roster order; the teacher left out
    assert rows["ajoly"] == {
        "Identifiant": "ajoly", "Nom": "Joly", "Prénom": "Agathe", "Groupes": "Groupe Nord", "Inscrite": "oui",
        "Statut": "Réussi", "Tentatives": "1", "Score": "100", "Progression": "100", "Temps passé (min)": "45",
        "Premier accès": "2026-03-02 08:00", "Dernier accès": "2026-03-02 09:00", "Pages vues": "8",
        "entrainement : score (%)": "100", "entrainement : tentatives": "1", "evaluation : score (%)": "100",
        "evaluation : tentatives": "1", "O1 : maîtrise (%)": "100", "O2 : maîtrise (%)": "100", "Messages aux forums": "2",
    }
    bnoel = rows["bnoel"]  # two SCORM attempts, the evaluation taken twice in the second
    assert (bnoel["Statut"], bnoel["Tentatives"], bnoel["Score"], bnoel["Temps passé (min)"]) == ("Échoué", "2", "50", "50")
    assert (bnoel["evaluation : tentatives"], bnoel["O1 : maîtrise (%)"], bnoel["O2 : maîtrise (%)"]) == ("2", "50", "67")
    cpetit = rows["cpetit"]  # SCORM 2004, in progress: 2 pages of 8 and no graded quiz out of 1
    assert (cpetit["Statut"], cpetit["Progression"], cpetit["Pages vues"], cpetit["Score"]) == ("En cours", "22", "2", "")
    dleroy = rows["dleroy"]  # SCORM 2004: 1 h 05 min 30 s
    assert (dleroy["Statut"], dleroy["Score"], dleroy["Temps passé (min)"], dleroy["O2 : maîtrise (%)"]) == ("Réussi", "75", "66", "67")
    assert (rows["efaure"]["Statut"], rows["efaure"]["Tentatives"], rows["efaure"]["Messages aux forums"]) == ("Pas commencé", "0", "1")
    assert (rows["fmoreau"]["Inscrite"], rows["fmoreau"]["Statut"]) == ("non", "Non inscrite")
    assert (rows["gvidal"]["Groupes"], rows["gvidal"]["Statut"], rows["gvidal"]["O2 : maîtrise (%)"]) == ("", "Échoué", "33")


def test_csv_with_commas_uses_decimal_points(session):
    assert session.report("--delimiter", ",").exit_code == 0
    rows = {row["Identifiant"]: row for row in read_csv(session, delimiter=",")}
    assert rows["ajoly"]["Score"] == "100"
    text = (session.workdir / "out" / "report.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("Identifiant,Nom,Prénom,Groupes")


def test_json_holds_every_figure(session):
    assert session.report().exit_code == 0
    data = figures(session)
    assert data["course"] == {"id": "bilan-demo", "title": "Animer un atelier d'échange de pratiques",
                              "moodle": "Animer un atelier d'échange de pratiques", "passing_score": 70, "activity_pages": 8}
    groups = {group["name"]: group for group in data["groups"]}
    assert groups["Groupe Nord"] == {"name": "Groupe Nord", "enrolled": 3, "started": 3, "completed": 2, "passed": 1,
                                     "mean_score": 75.0, "mastery": {"O1": 0.75, "O2": pytest.approx(5 / 6)}}
    assert groups["Groupe Sud"] == {"name": "Groupe Sud", "enrolled": 2, "started": 1, "completed": 1, "passed": 1,
                                    "mean_score": 75.0, "mastery": {"O1": 1.0, "O2": pytest.approx(2 / 3)}}
    assert groups[None] == {"name": None, "enrolled": 1, "started": 1, "completed": 1, "passed": 0,
                            "mean_score": 25.0, "mastery": {"O1": 0.5, "O2": pytest.approx(1 / 3)}}
    assert data["everyone"] == {"enrolled": 6, "started": 5, "completed": 4, "passed": 2, "mean_score": 62.5,
                                "mastery": {"O1": 0.75, "O2": pytest.approx(2 / 3)}}
    questions = {q["question"]: q for q in data["questions"]}
    assert questions["q-objectif"] == {
        "quiz": "evaluation", "question": "q-objectif", "type": "single", "assesses": ["O1"], "answered": 4, "correct": 2,
        "success_rate": 0.5, "most_common_wrong_answer": {"answer": "Le choix de la salle", "count": 2}}
    assert questions["q-regles"]["most_common_wrong_answer"] == {
        "answer": "La confidentialité + Le tour de parole + Le jugement des pratiques", "count": 2}
    assert questions["q-roles"]["most_common_wrong_answer"] == {
        "answer": "Animateur → Partage une situation ; Participant → Garantit le cadre", "count": 2}
    assert (questions["q-mot"]["success_rate"], questions["q-mot"]["most_common_wrong_answer"]) == (1.0, None)
    assert (questions["e-vrai-faux"]["answered"], questions["e-vrai-faux"]["correct"]) == (1, 1)
    objectives = {o["id"]: o for o in data["objectives"]}
    assert objectives["O1"] == {"id": "O1", "text": "Préparer un atelier d'échange de pratiques", "questions": ["e-vrai-faux", "q-objectif", "q-mot"],
                                "assessed_in_the_room": ["atelier"], "mean_mastery": 0.75, "mastered": 2, "measured": 4}
    assert (objectives["O2"]["mean_mastery"], objectives["O2"]["mastered"]) == (pytest.approx(2 / 3), 1)
    discussions = {d["activity"]: d for d in data["discussions"]}
    assert discussions["presentations"]["forum"] == "Présentations"
    assert discussions["presentations"]["groups"] == [
        {"name": "Groupe Nord", "members": 3, "posters": 1, "posts": 2, "who": ["ajoly"]},
        {"name": "Groupe Sud", "members": 2, "posters": 1, "posts": 1, "who": ["dleroy"]},
        {"name": None, "members": 1, "posters": 0, "posts": 0, "who": []},
    ]
    assert discussions["regulation"]["forum"] == "Forum des échanges"  # one discussion per group
    assert [(g["name"], g["who"]) for g in discussions["regulation"]["groups"]] == [("Groupe Nord", ["bnoel", "cpetit"]), ("Groupe Sud", ["efaure"]), (None, [])]
    bnoel = next(learner for learner in data["learners"] if learner["username"] == "bnoel")
    assert bnoel["pages_visited"] == ["definition.html", "presentations.html", "atelier.html", "entrainement.html", "regulation.html", "evaluation.html",
                                      "reflexion.html", "auto-evaluation.html"]
    assert "work" not in bnoel  # personal texts only when asked
    assert (bnoel["attempts"], bnoel["time_spent_seconds"], bnoel["first_access"]) == (2, 3000, "2026-03-02T09:00:00Z")
    assert bnoel["quizzes"] == {"evaluation": {"score": 50, "attempts": 2}}
    assert bnoel["answers"]["q-objectif"] == {"correct": False, "response": "a"}


def test_terminal_summary_per_group(session):
    result = session.report()
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["group", "enrolled", "started", "completed", "passed", "mean", "score"]
    assert lines[1].split() == ["Groupe", "Nord", "3", "3", "2", "1", "75.0"]
    assert lines[2].split() == ["Groupe", "Sud", "2", "1", "1", "1", "75.0"]
    assert lines[3].split() == ["(no", "group)", "1", "1", "1", "0", "25.0"]
    assert lines[4].split() == ["all", "learners", "6", "5", "4", "2", "62.5"]


def test_a_group_name_with_a_tab_or_a_bidi_control_stays_on_its_summary_row(session):
    group = next(group for group in session.moodle.site.groups.values() if group.name == "Groupe Sud")
    group.name = "Groupe\tSud\u202e"  # renamed in Moodle
    lines = session.report().stdout.splitlines()
    assert ["Groupe\\tSud\\u202e", "2", "1", "1", "1", "75.0"] in [line.split() for line in lines]
    assert not any(char in line for line in lines for char in "\t\u202e")


def test_reads_only_and_per_learner_calls(session):
    moodle = session.moodle
    assert session.report("--certificates").exit_code == 0
    assert moodle.write_calls == 0
    assert all(FUNCTIONS[name].kind is Kind.READ for name in moodle.calls)
    # 6 enrolled learners x 2 SCORM activities, + 1 for bnoel's first attempt
    assert moodle.calls["mod_scorm_get_scorm_sco_tracks"] == 13
    assert "mod_scorm_get_scorm_user_data" not in moodle.calls  # the token owner's data, not a learner's
    constant = {name: n for name, n in moodle.calls.items() if name != "mod_scorm_get_scorm_sco_tracks"}
    assert constant == {"core_webservice_get_site_info": 1, "core_course_get_courses_by_field": 1, "core_enrol_get_enrolled_users": 1, "mod_scorm_get_scorms_by_courses": 1,
                        "mod_forum_get_forums_by_courses": 1, "mod_forum_get_forum_discussions": 2, "mod_forum_get_discussion_posts": 3}


def test_enrolled_users_are_read_with_only_the_fields_the_report_uses(session, monkeypatch):
    """The figures above (groups, last access) come from these fields; the rest of a record is not read."""
    asked = []
    call = MoodleClient.call

    def recording(client, function, params=None):
        if function == "core_enrol_get_enrolled_users":
            asked.append({option["name"]: option["value"] for option in params["options"]})
        return call(client, function, params)

    monkeypatch.setattr(MoodleClient, "call", recording)
    assert session.report().exit_code == 0
    assert asked == [{"userfields": "id,username,roles,groups,lastcourseaccess", "limitfrom": 0, "limitnumber": 1000}]


def test_the_course_map_is_built_once_per_report(session, monkeypatch):
    """Decoding each learner's work needs the course map; building it for each learner cost ~6 ms."""
    built = []

    def counting(*args):
        built.append(args)
        return course_map(*args)

    monkeypatch.setattr("lms_sync.report.figures.course_map", counting)
    monkeypatch.setattr("builder.learner_work.course_map", counting)
    assert session.report("--include-learner-texts").exit_code == 0
    assert len(built) == 1


def test_the_plugins_bulk_read_gives_the_same_figures_in_fewer_calls(session):
    assert session.report().exit_code == 0
    per_learner = figures(session)
    install_plugin(session.moodle.site)
    session.moodle.reset_counts()
    assert session.report().exit_code == 0
    bulk = figures(session)
    assert {key: value for key, value in bulk.items() if key != "read_at"} == {key: value for key, value in per_learner.items() if key != "read_at"}
    calls = session.moodle.calls
    assert (calls["local_coursebridge_get_scorm_tracks"], calls["mod_scorm_get_scorm_sco_tracks"]) == (2, 0)  # one batch x 2 activities
    assert session.moodle.write_calls == 0


def test_certificates_state_every_mention_the_law_asks(session):
    result = session.report("--certificates", "--issued", "2026-03-03", "--signatory", "Marie Durand, directrice")
    assert result.exit_code == 0, result.output
    folder = session.workdir / "out" / "certificates"
    enrolled = [name for name in LEARNERS if name != "fmoreau"]
    assert sorted(path.name for path in folder.iterdir()) == sorted([f"attestation-{name}.pdf" for name in enrolled] + ["attestations.pdf"])
    text = " ".join(PdfReader(folder / "attestation-dleroy.pdf").pages[0].extract_text().split())
    for mention in (
        "Attestation de fin de formation",
        "Association Réseau Formation atteste que",  # the organisation
        "Denis Leroy",  # the learner
        "Animer un atelier d'échange de pratiques",  # the course
        "Nature de l'action Action de formation (article L6313-1 du Code du travail)",
        "Dates 2 mars 2026", "Lieu Lyon", "Durée 7 h",
        "Préparer un atelier d'échange de pratiques Acquis (100 %)",  # each objective and its result
        "Réguler les échanges d'un groupe En cours d'acquisition (67 %)",
        "Score à l'évaluation du module : 75 % (seuil de réussite : 70 %)",
        "Fait à Lyon, le 3 mars 2026", "Signature et cachet de l'organisme de formation", "Marie Durand, directrice",
        "article L6353-1 du Code du travail",
    ):
        assert mention in text, mention
    cpetit = " ".join(PdfReader(folder / "attestation-cpetit.pdf").pages[0].extract_text().split())
    assert "Préparer un atelier d'échange de pratiques Non évalué" in cpetit
    merged = PdfReader(folder / "attestations.pdf")
    assert len(merged.pages) == len(enrolled)
    assert [page.extract_text().count("Attestation de fin de formation") for page in merged.pages] == [1] * len(enrolled)


def test_unknown_course_is_one_line_and_writes_nothing(session):
    session.moodle.site.courses.clear()
    result = session.report()
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {session.sync_file}: Moodle has no course 'RF-2026'; run `coursebridge sync apply {session.sync_file}` first")
    assert not (session.workdir / "out").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("--role", "etudiant"), "error: --role etudiant: unknown role; expected one of manager, coursecreator, editingteacher, teacher, student"),
    (("--timezone", "Europe/Lutece"), "error: --timezone Europe/Lutece: unknown time zone; expected a name like Europe/Paris or UTC"),
])
def test_bad_options_are_one_line(session, args, message):
    result = session.run("report", str(session.sync_file), "-o", str(session.workdir / "out"), *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


def test_output_that_is_a_file_is_refused_and_kept(session):
    target = session.workdir / "out"
    target.write_text("keep me", encoding="utf-8")
    result = session.report()
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {target}: is a file; give a folder for the report, e.g. -o report"
    assert target.read_text(encoding="utf-8") == "keep me"


def test_a_sync_file_without_source_is_refused(session):
    text = session.sync_file.read_text(encoding="utf-8")
    session.sync_file.write_text(text.replace("  source: course\n", "  fullname: Atelier\n").replace("forums:\n  default: Forum des échanges\n", ""), encoding="utf-8")
    result = session.report()
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {session.sync_file}: the report needs the course itself; add `source:` (the course folder) under course:"


def test_doctor_checks_what_the_report_needs(session):
    site = session.moodle.site
    functions = [name for name in site.tokens[session.moodle.ADMIN_TOKEN].functions if name != "mod_forum_get_discussion_posts"]
    site.add_token("report-token-0123456789abcdef", site.admin.id, functions, capabilities=frozenset())
    session.moodle.ADMIN_TOKEN = "report-token-0123456789abcdef"
    lines = session.run("moodle", "doctor").stdout.splitlines()
    assert "  report: missing mod_forum_get_discussion_posts" in lines
    assert "mod/scorm:viewreport" in lines[-1]  # a role must allow it; no read can check it without a learner


def test_learner_texts_only_when_asked(session):
    assert session.report().exit_code == 0
    assert "monopoles" not in (session.workdir / "out" / "report.html").read_text(encoding="utf-8")
    assert session.report("--include-learner-texts").exit_code == 0
    learners = {learner["username"]: learner for learner in figures(session)["learners"]}
    assert learners["ajoly"]["work"] == [  # SCORM 1.2: the last record of a key in cmi.comments holds its text
        {"activity": "reflexion", "type": "reflection", "title": "Ce que je retiens", "answers": [
            {"question": "Qu'allez-vous essayer dès votre prochain atelier ?", "answer": "Un tour de table\npuis des binômes"},
            {"question": "Quelle situation de régulation redoutez-vous ?", "answer": None}]},
        {"activity": "auto-evaluation", "type": "checklist", "title": "Où j'en suis", "items": [
            {"item": "Je sais fixer l'objectif d'un atelier", "level": "✓"}, {"item": "Je sais poser les règles de l'échange", "level": None}]},
    ]
    assert learners["dleroy"]["work"][0]["answers"][1]["answer"] == "Les monopoles de parole"  # SCORM 2004's comments
    assert learners["efaure"]["work"] == learners["bnoel"]["work"] == []  # never started; nothing written
    html = (session.workdir / "out" / "report.html").read_text(encoding="utf-8")
    assert "Les monopoles de parole" in html and "Travaux personnels des stagiaires" in html


def test_an_english_course_gets_an_english_report(session):
    course = session.workdir / "course" / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("language: fr", "language: en"), encoding="utf-8")
    assert session.report("--certificates", "--issued", "2026-03-03").exit_code == 0
    assert read_csv(session)[0]["Username"] == "ajoly"
    html = (session.workdir / "out" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<h2 id=\"groups\">Progress by group</h2>" in html
    text = " ".join(PdfReader(session.workdir / "out" / "certificates" / "attestation-ajoly.pdf").pages[0].extract_text().split())
    assert "Certificate of completion" in text and "Issued in Lyon on March 3, 2026" in text and "Duration 7 h" in text


def test_a_token_that_may_not_read_reports_is_one_line(session):
    site = session.moodle.site
    site.add_token("teacher-token-0123456789abcdef", site.admin.id, site.tokens[session.moodle.ADMIN_TOKEN].functions,
                   capabilities=frozenset({"moodle/course:viewparticipants"}))
    session.moodle.ADMIN_TOKEN = "teacher-token-0123456789abcdef"
    result = session.report()
    assert result.exit_code == 3
    assert len(result.stderr.strip().splitlines()) == 2  # the progress bar's label, then the error
    assert "mod_scorm_get_scorm_sco_tracks" in result.stderr and "nopermissions" in result.stderr
    assert not (session.workdir / "out").exists()


def test_names_that_look_like_formulas_stay_text_in_the_csv(session):
    roster = session.workdir / "roster.csv"
    roster.write_text(roster.read_text(encoding="utf-8").replace("ajoly,Agathe,Joly", 'ajoly,Agathe,"=HYPERLINK(""http://x"")"'), encoding="utf-8")
    assert session.report().exit_code == 0
    assert read_csv(session)[0]["Nom"] == "'=HYPERLINK(\"http://x\")"
