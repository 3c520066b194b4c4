"""The IMS Common Cartridge 1.1: schema validation, the course -> sections mapping Moodle's
importer applies, quizzes read back the way Moodle's importer reads QTI, reproducibility."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree, html

from builder import model
from builder.errors import UserError
from builder.exporters import get_exporter
from builder.exporters.imscc_check import check_cartridge
from builder.loader import load_course
from builder.markdown import typeset
from builder.schemas import parse_xml, validate
from conftest import COURSES
from nasty_course import NASTY, add_nasty_day

CP = {"cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"}
QTI = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
SCHEMA_SET = {
    "imsdt_xmlv1p1": "imscc11-discussion",
    "imswl_xmlv1p1": "imscc11-weblink",
    "imsqti_xmlv1p2/imscc_xmlv1p1/assessment": "imscc11-qti",
}


def build(folder: Path, dist: Path) -> tuple[model.Course, Path, list[str]]:
    course = load_course(folder)
    result = get_exporter("imscc").build(course, dist)
    return course, result.output, result.warnings


def contents(cartridge: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(cartridge) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


class Cartridge:
    """A built cartridge, read the way Moodle's CC importer reads it."""

    def __init__(self, course: model.Course, path: Path, warnings: list[str]):
        self.course, self.path, self.warnings = course, path, warnings
        self.files = contents(path)
        self.manifest = parse_xml(self.files["imsmanifest.xml"])
        self.resources = {
            r.get("identifier"): r for r in self.manifest.iterfind(".//cp:resource", CP)
        }

    def sections(self) -> list[etree._Element]:
        """Moodle makes a section of each child of the organisation's root item."""
        return self.manifest.findall("cp:organizations/cp:organization/cp:item/cp:item", CP)

    def resource_of(self, item: etree._Element) -> etree._Element:
        return self.resources[item.get("identifierref")]

    def xml(self, resource: etree._Element) -> etree._Element:
        return parse_xml(self.files[resource.find("cp:file", CP).get("href")])

    def page(self, resource: etree._Element) -> html.HtmlElement:
        return html.fromstring(self.files[resource.get("href")])


@pytest.fixture(scope="module")
def nasty(tmp_path_factory) -> Cartridge:
    from builder.scaffold import create_course

    folder = tmp_path_factory.mktemp("nasty") / "cours"
    create_course(folder, "Cours piège")
    add_nasty_day(folder)
    return Cartridge(*build(folder, folder.parent / "dist"))


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory) -> Cartridge:
    from builder.scaffold import create_course

    folder = tmp_path_factory.mktemp("scaffold") / "cours"
    create_course(folder, "Cours d'essai")
    return Cartridge(*build(folder, folder.parent / "dist"))


def loadable(folder: Path) -> model.Course:
    if not (folder / "course.yaml").is_file():
        pytest.skip(f"{folder.name} is still being written (no course.yaml yet)")
    try:
        return load_course(folder)
    except UserError as error:
        pytest.skip(f"{folder.name} does not load yet: {str(error).splitlines()[0]}")


# -- validity --


def assert_valid(cartridge: Cartridge) -> None:
    assert validate(cartridge.manifest, "imscc11") == []
    checked = 0
    for resource in cartridge.resources.values():
        if resource.get("type") in SCHEMA_SET:
            assert validate(cartridge.xml(resource), SCHEMA_SET[resource.get("type")]) == [], (
                resource.get("identifier")
            )
            checked += 1
    assert checked == sum(1 for _, _, a in cartridge.course.activities()
                          if isinstance(a, (model.Discussion, model.Quiz))
                          or (isinstance(a, model.Resource) and a.url and not a.description))  # fmt: skip
    assert check_cartridge(cartridge.path) == []


def test_scaffold_cartridge_validates(scaffold: Cartridge):
    assert_valid(scaffold)


def test_every_question_type_and_resource_kind_validates(nasty: Cartridge):
    assert_valid(nasty)


@pytest.mark.parametrize("folder", COURSES, ids=lambda folder: folder.name)
def test_real_courses_validate_and_map_every_day_and_activity(folder: Path, tmp_path: Path):
    loadable(folder)
    cartridge = Cartridge(*build(folder, tmp_path))
    assert_valid(cartridge)
    assert_structure(cartridge)


# -- the course -> Moodle sections mapping --


def assert_structure(cartridge: Cartridge) -> None:
    course = cartridge.course
    sections = cartridge.sections()
    titles = [course.title] + [d.title for d in course.days]  # shown as the pages show them
    assert [s.findtext("cp:title", namespaces=CP) for s in sections] == [
        typeset(title, course.language) for title in titles
    ]
    first = sections[0].find("cp:item", CP)
    assert cartridge.resource_of(first).get("href") == "_presentation.html"
    for section, day in zip(sections[1:], course.days):
        expected = []
        for sequence in day.sequences:
            for activity in sequence.activities:
                if isinstance(activity, model.Quiz) and activity.intro:
                    expected.append(f"R.{activity.id}.intro")
                expected.append(f"R.{activity.id}")
        assert [item.get("identifierref") for item in section.iterfind("cp:item", CP)] == expected
    for activity in course.activities_of(model.Discussion):
        topic = cartridge.xml(cartridge.resources[f"R.{activity.id}"])
        assert cartridge.resources[f"R.{activity.id}"].get("type") == "imsdt_xmlv1p1"
        assert topic.findtext("{*}title") == activity.title
        assert topic.find("{*}text").get("texttype") == "text/html"
    for quiz in course.activities_of(model.Quiz):
        resource = cartridge.resources[f"R.{quiz.id}"]
        assert resource.get("type") == "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
        items = cartridge.xml(resource).findall(".//q:section/q:item", QTI)
        expected = sum(len(q.pairs) if isinstance(q, model.Matching) else 1 for q in quiz.questions)
        assert len(items) == expected


def test_scaffold_structure(scaffold: Cartridge):
    assert_structure(scaffold)


def test_nasty_structure(nasty: Cartridge):
    assert_structure(nasty)


def test_presentation_comes_first_with_programme_objectives_audience_and_dates(scaffold: Cartridge):
    section = scaffold.sections()[0]
    titles = [item.findtext("cp:title", namespaces=CP) for item in section.iterfind("cp:item", CP)]
    assert titles == ["Présentation de la formation", "Glossaire", "Bibliographie"]
    page = scaffold.page(scaffold.resources["C.presentation"])
    text = " ".join(page.text_content().split())
    for expected in ("Professionnels qui animent un collectif.", "2 mars 2026, Lyon", "1 jour (7 heures)",
                     "Définir ce qu'est une communauté de pratique", "Jour 1 · 2 mars 2026",
                     "9 h 00 – 12 h 30 · Découvrir les communautés de pratique", "Déjeuner"):  # fmt: skip
        assert expected in text


def test_pages_are_self_contained(nasty: Cartridge):
    for name, data in nasty.files.items():
        if name.endswith(".html"):
            page = html.fromstring(data)
            assert not page.xpath("//script | //link | //nav | //form | //h1"), name
            assert page.findtext(".//title"), name


def test_quiz_instructions_come_as_a_page_before_the_quiz(nasty: Cartridge):
    intro = nasty.resources["R.quiz-piege.intro"]
    assert "Lisez bien tout." in nasty.page(intro).text_content()
    item = nasty.manifest.find(".//cp:item[@identifierref='R.quiz-piege.intro']", CP)
    assert item.findtext("cp:title", namespaces=CP) == "Quiz piège\u00a0: consignes"


def test_resources_become_pages_files_or_web_links(nasty: Cartridge):
    bare_file = nasty.resources["R.fiche-nue"]
    assert (bare_file.get("type"), bare_file.get("href")) == (
        "webcontent",
        "assets/resources/fiche.pdf",
    )
    assert nasty.files["assets/resources/fiche.pdf"].startswith(b"%PDF")
    described = nasty.resources["R.fiche-decrite"]
    assert [f.get("href") for f in described.iterfind("cp:file", CP)] == [
        "fiche-decrite.html",
        "assets/resources/fiche.pdf",
    ]
    assert nasty.page(described).xpath("//a/@href") == ["assets/resources/fiche.pdf"]
    link = nasty.xml(nasty.resources["R.lien-nu"])
    assert (link.findtext("{*}title"), link.find("{*}url").get("href")) == (
        "Site nu",
        "https://example.org/",
    )
    assert nasty.page(nasty.resources["R.lien-decrit"]).xpath("//a/@href") == [
        "https://example.org/a?b=1&c=2"
    ]
    document = nasty.page(nasty.resources["R.grille"])
    assert document.xpath("//table//th/text()") == ["Question", "Réponse"]


def test_images_travel_with_pages_and_with_discussions(nasty: Cartridge):
    page = nasty.resources["R.theorie-image"]
    assert nasty.page(page).xpath("//img/@src") == ["assets/images/schema.png"]
    assert "assets/images/schema.png" in [f.get("href") for f in page.iterfind("cp:file", CP)]
    topic = nasty.xml(nasty.resources["R.debat"])
    text = html.fromstring(topic.findtext("{*}text"))
    assert text.xpath("//img/@src") == ["$IMS-CC-FILEBASE$../assets/images/schema.png"]
    assert nasty.resources["R.debat"].find("cp:dependency", CP).get("identifierref") == "C.assets"
    assert [f.get("href") for f in nasty.resources["C.assets"].iterfind("cp:file", CP)] == [
        "assets/images/schema.png"
    ]


def test_discussion_keeps_every_character(nasty: Cartridge):
    topic = nasty.xml(nasty.resources["R.debat"])
    assert topic.findtext("{*}title") == f"Débat {NASTY}"


# -- quizzes, read the way Moodle's importer (entity11.quiz.class.php) reads them --


def moodle_questions(assessment: etree._Element) -> dict[str, dict]:
    questions = {}
    for item in assessment.iterfind(".//q:section/q:item", QTI):
        fields = {f.findtext("q:fieldlabel", namespaces=QTI): f.findtext("q:fieldentry", namespaces=QTI)
                  for f in item.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", QTI)}  # fmt: skip

        def feedback(conditions) -> list[str]:
            return [item.findtext(f"q:itemfeedback[@ident='{ref}']/q:flow_mat/q:material/q:mattext", namespaces=QTI)
                    for condition in conditions for ref in condition.xpath("q:displayfeedback/@linkrefid", namespaces=QTI)]  # fmt: skip

        conditions = item.findall("q:resprocessing/q:respcondition", QTI)
        labels = item.findall("q:presentation/q:response_lid/q:render_choice/q:response_label", QTI)
        answers = []
        for label in labels:
            ident = label.get("ident")
            naming = [
                c
                for c in conditions
                if c.xpath("string(q:conditionvar/q:varequal)", namespaces=QTI) == ident
            ]
            answers.append({
                "ident": ident,
                "text": label.findtext("q:material/q:mattext", namespaces=QTI),
                "scored": any(c.xpath("q:setvar = '100'", namespaces=QTI) for c in naming),
                "feedback": feedback(naming),
            })  # fmt: skip
        right = item.xpath(".//q:setvar[@varname='SCORE'][.=100]/../q:conditionvar//q:varequal[@case='Yes'][not(parent::q:not)]/text()"
                           " | q:resprocessing/q:respcondition[q:setvar='100']/q:conditionvar/q:varequal/text()", namespaces=QTI)  # fmt: skip
        questions[item.get("ident")] = {
            "profile": fields["cc_profile"],
            "weighting": fields["cc_weighting"],
            "name": item.get("title"),
            "text": item.findtext("q:presentation/q:material/q:mattext", namespaces=QTI),
            "general": feedback([c for c in conditions if c.get("continue") == "Yes"]),
            "answers": answers,
            "right": right,
        }
    return questions


@pytest.fixture(scope="module")
def quiz(nasty: Cartridge) -> dict[str, dict]:
    return moodle_questions(nasty.xml(nasty.resources["R.quiz-piege"]))


def test_quiz_settings(nasty: Cartridge):
    assessment = nasty.xml(nasty.resources["R.quiz-piege"])
    fields = dict(zip(assessment.xpath("q:assessment/q:qtimetadata/q:qtimetadatafield/q:fieldlabel/text()", namespaces=QTI),
                      assessment.xpath("q:assessment/q:qtimetadata/q:qtimetadatafield/q:fieldentry/text()", namespaces=QTI)))  # fmt: skip
    assert fields["cc_maxattempts"] == "7" and fields["cc_profile"] == "cc.exam.v0p1"
    assert assessment.find("q:assessment", QTI).get("title") == "Quiz piège"
    scaffold_quiz = nasty.xml(nasty.resources["R.quiz-definition"])
    assert "unlimited" in scaffold_quiz.xpath("//q:fieldentry/text()", namespaces=QTI)


def test_single_choice_folds_right_and_wrong_feedback_into_each_answer(quiz):
    question = quiz["q-single"]
    assert (question["profile"], question["weighting"], question["name"]) == (
        "cc.multiple_choice.v0p1",
        "2",
        "q-single",
    )
    assert "<strong>Première ligne</strong>" in question["text"]
    # Markdown texts are sanitised like web pages: the script goes, every other character stays.
    assert (
        "Accolades {x}, égal = tilde ~ dièse # deux-points\u00a0: barre \\  &amp; \"guillemets\" 'apostrophe' 🎉 àéîõüç"
        in question["text"]
    )
    assert "script" not in question["text"]
    assert [a["text"] for a in question["answers"]] == [
        f"Bonne {NASTY}".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"),
        "[html] mauvaise -&gt; réponse",
        "%50% pas un poids",
    ]
    assert [a["scored"] for a in question["answers"]] == [True, False, False]
    assert question["answers"][0]["feedback"] == [
        "<p>Oui {=~#:}</p>\n<p>Bravo &amp; <em>merci</em></p>"
    ]
    # Markdown reads `\\` as an escaped backslash, as on the web pages.
    assert question["answers"][1]["feedback"] == [
        "<p>Non \\n ni \\</p>\n<p>Relisez\u00a0: la page {1}.</p>"
    ]
    assert question["answers"][2]["feedback"] == ["<p>Relisez\u00a0: la page {1}.</p>"]


def test_multiple_response_right_choices_and_labelled_feedback(quiz):
    question = quiz["q-multiple"]
    assert (question["profile"], question["weighting"]) == ("cc.multiple_response.v0p1", "2")
    assert question["right"] == ["c1", "c2"]
    assert question["general"] == [
        "<p><strong>Si votre réponse est juste\u00a0:</strong></p>\n<p>Tout juste</p>\n"
        "<p><strong>Si votre réponse est fausse\u00a0:</strong></p>\n<p>Pas tout à fait\u00a0: A et B</p>"
    ]
    assert [a["feedback"] for a in question["answers"]] == [
        ["<p>A ~ oui</p>"],
        [],
        ["<p>C # non</p>"],
    ]


def test_true_false_uses_the_identifiers_moodle_requires(quiz):
    question = quiz["q-vrai"]
    assert question["profile"] == "cc.true_false.v0p1"
    assert [(a["ident"], a["text"], a["scored"]) for a in question["answers"]] == [
        ("true", "Vrai", True),
        ("false", "Faux", False),
    ]
    assert question["answers"][0]["feedback"] == ["<p>Vrai {ok}</p>"]
    assert question["answers"][1]["feedback"] == ["<p>C'est vrai = juste</p>"]


def test_short_answer_is_fill_in_the_blank_with_every_accepted_answer(quiz, nasty: Cartridge):
    question = quiz["q-courte"]
    assert question["profile"] == "cc.fib.v0p1"
    assert question["right"] == ["*", "C#", "a = b ~ c : d {e}", "[x] crochet"]
    assert "Exact 🎉" in question["general"][0] and "Réponse\u00a0: *" in question["general"][0]
    assert any("'q-courte'" in w and "case-insensitive" in w for w in nasty.warnings)


def test_matching_becomes_one_single_choice_question_per_pair_with_a_warning(
    quiz, nasty: Cartridge
):
    pairs = [quiz[f"q-paires.{n}"] for n in (1, 2, 3)]
    assert all(p["profile"] == "cc.multiple_choice.v0p1" and p["weighting"] == "1" for p in pairs)
    assert "<strong>accolade { -&gt; flèche</strong>" in pairs[0]["text"]
    offered = sorted(a["text"] for a in pairs[0]["answers"])
    assert offered == sorted(["ouvre = {", "vague -&gt; ~", "croisillon : #"])
    for pair, match in zip(pairs, ["ouvre = {", "vague -&gt; ~", "croisillon : #"]):
        assert [a["text"] for a in pair["answers"] if a["scored"]] == [match]
    assert any(
        w.startswith("matching questions 'q-paires' (3 pairs, ")
        and "each pair is written as a single-choice question" in w for w in nasty.warnings
    )


def test_warnings_name_what_moodle_will_not_carry(nasty: Cartridge):
    text = "\n".join(nasty.warnings)
    assert (
        "'q-multiple': Moodle weighs questions in whole points from 0 to 99: 1.5 point(s) written as 2"
        in text
    )
    assert "multiple-answer questions q-multiple:" in text
    assert "quiz-definition (70%), quiz-piege (90%)" in text
    assert "7 attempts is more than the CC 1.1 profile's 5" in text


# -- reproducibility --


def test_two_builds_are_byte_identical_and_source_date_epoch_sets_the_dates(
    tmp_path: Path, course_dir: Path, monkeypatch
):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = build(course_dir, tmp_path / "a")[1].read_bytes()
    assert build(course_dir, tmp_path / "b")[1].read_bytes() == first
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    later = build(course_dir, tmp_path / "c")[1]
    assert later.read_bytes() != first
    with zipfile.ZipFile(later) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(2026, 1, 1)}
    assert contents(later) == contents(tmp_path / "a" / later.name)


# -- the checker catches broken cartridges --


def rewrite(cartridge: Path, target: Path, change) -> Path:
    files = contents(cartridge)
    change(files)
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def test_check_reports_schema_and_profile_errors(scaffold: Cartridge, tmp_path: Path):
    def break_it(files: dict[str, bytes]) -> None:
        files["echanges/topic.xml"] = (
            files["echanges/topic.xml"]
            .replace(b"<title>", b"<titre>")
            .replace(b"</title>", b"</titre>")
        )
        del files["definition.html"]
        files["imsmanifest.xml"] = files["imsmanifest.xml"].replace(
            b'<file href="quiz-definition/assessment.xml"/>',
            b'<file href="quiz-definition/assessment.xml"/><file href="grille.html"/>',
        )

    problems = check_cartridge(rewrite(scaffold.path, tmp_path / "broken.imscc", break_it))
    assert any(p.startswith("echanges/topic.xml: line ") and "titre" in p for p in problems)
    assert (
        "imsmanifest.xml: resource R.definition: names definition.html, which is not in the cartridge"
        in problems
    )
    assert (
        "imsmanifest.xml: resource R.quiz-definition: a imsqti_xmlv1p2/imscc_xmlv1p1/assessment resource "
        "has exactly one file and no href"
    ) in problems


def test_check_reports_a_missing_manifest_and_a_non_zip(scaffold: Cartridge, tmp_path: Path):
    assert check_cartridge(
        rewrite(scaffold.path, tmp_path / "m.imscc", lambda f: f.pop("imsmanifest.xml"))
    ) == ["m.imscc: no imsmanifest.xml at the root of the cartridge"]
    (tmp_path / "x.imscc").write_text("not a zip", encoding="utf-8")
    assert check_cartridge(tmp_path / "x.imscc")[0].startswith("x.imscc: not a readable zip file")


def test_unreadable_tool_document_is_a_one_line_error(course_dir: Path, tmp_path: Path):
    (course_dir / "resources" / "grille.md").write_bytes(b"\xff\xfe grille")
    with pytest.raises(UserError) as raised:
        build(course_dir, tmp_path)
    assert "\n" not in str(raised.value) and "grille.md" in str(raised.value)
