"""SCORM 1.2 and 2004 packages: schemas, manifest choices, reproducibility, size budgets."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import COURSES
from lxml import etree

from builder.exporters import get_exporter
from builder.exporters.base import FormatNote
from builder.exporters.scorm_manifest import package_identifier
from builder.exporters.scorm_map import SCORM12_SUSPEND_DATA_LIMIT, course_map, suspend_data_bound
from builder.loader import load_course
from builder.render import SiteRenderer
from builder.schemas import parse_xml, validate

VERSIONS = ("scorm12", "scorm2004")
CP = {
    "scorm12": "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "scorm2004": "http://www.imsglobal.org/xsd/imscp_v1p1",
}
THEME_STATIC = Path(__file__).resolve().parent.parent / "builder" / "themes" / "default" / "static"


def build(folder: Path, version: str, dist: Path) -> zipfile.ZipFile:
    result = get_exporter(version).build(load_course(folder), dist)
    return zipfile.ZipFile(result.output)


def manifest(package: zipfile.ZipFile) -> etree._Element:
    return parse_xml(package.read("imsmanifest.xml"))


def existing_courses():
    return [pytest.param(c, id=c.name) for c in COURSES if c.exists()]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("folder", existing_courses())
def test_course_packages_validate_against_the_official_schemas(folder, version, tmp_path):
    package = build(folder, version, tmp_path)
    assert validate(manifest(package), version) == []
    names = set(package.namelist())
    referenced = {f.get("href") for f in manifest(package).iter(f"{{{CP[version]}}}file")}
    assert referenced <= names and "index.html" in referenced


@pytest.mark.parametrize("version", VERSIONS)
def test_scaffold_package_validates_and_names_every_file(course_dir, version, tmp_path):
    package = build(course_dir, version, tmp_path)
    root = manifest(package)
    assert validate(root, version) == []
    for schema_file in re.findall(
        r"\S+\.xsd", root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    ):
        assert schema_file in package.namelist()  # validators can check it offline


@pytest.mark.parametrize("version", VERSIONS)
def test_output_name_and_identifier_derive_from_course_id_and_major_version(
    course_dir, version, tmp_path
):
    package = build(course_dir, version, tmp_path)
    assert Path(package.filename).name == f"cours-{version}.zip"
    assert manifest(package).get("identifier") == "coursebridge-cours-v1"
    course_yaml = course_dir / "course.yaml"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8").replace("version: 1.0.0", "version: 1.4.2"),
        encoding="utf-8",
    )
    assert package_identifier(load_course(course_dir)) == "coursebridge-cours-v1"
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8").replace("version: 1.4.2", "version: 2.0.0"),
        encoding="utf-8",
    )
    assert package_identifier(load_course(course_dir)) == "coursebridge-cours-v2"


@pytest.mark.parametrize("version", VERSIONS)
def test_root_item_is_not_launchable_and_holds_the_one_sco(course_dir, version, tmp_path):
    root = manifest(build(course_dir, version, tmp_path))
    cp = CP[version]
    organization = root.find(f"{{{cp}}}organizations/{{{cp}}}organization")
    (course_item,) = organization.findall(f"{{{cp}}}item")
    assert course_item.get("identifierref") is None
    (sco,) = course_item.findall(f"{{{cp}}}item")
    resource = root.find(f"{{{cp}}}resources/{{{cp}}}resource")
    assert sco.get("identifierref") == resource.get("identifier")
    assert resource.get("href") == "index.html"
    scorm_type = resource.get(
        "{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype"
    ) or resource.get("{http://www.adlnet.org/xsd/adlcp_v1p3}scormType")
    assert scorm_type == "sco"


def test_scorm12_mastery_score_and_metadata(course_dir, tmp_path):
    package = build(course_dir, "scorm12", tmp_path)
    root = manifest(package)
    assert root.findtext(".//{http://www.adlnet.org/xsd/adlcp_rootv1p2}masteryscore") == "70"
    assert root.findtext(".//{http://www.adlnet.org/xsd/adlcp_rootv1p2}location") == "metadata.xml"
    lom = parse_xml(package.read("metadata.xml"))
    md = "{http://www.imsglobal.org/xsd/imsmd_rootv1p2p1}"
    assert lom.findtext(f"{md}general/{md}title/{md}langstring") == "Cours d'essai"
    assert lom.findtext(f"{md}general/{md}language") == "fr"
    assert lom.findtext(f"{md}general/{md}description/{md}langstring").startswith(
        "Une journée pour"
    )
    assert lom.findtext(f"{md}educational/{md}typicallearningtime/{md}datetime") == "PT7H"


def test_scorm2004_scaled_passing_score_rollup_and_metadata(course_dir, tmp_path):
    root = manifest(build(course_dir, "scorm2004", tmp_path))
    ss, lom = "{http://www.imsglobal.org/xsd/imsss}", "{http://ltsc.ieee.org/xsd/LOM}"
    primary = root.find(f".//{ss}primaryObjective")
    assert primary.get("satisfiedByMeasure") == "true"
    assert primary.findtext(f"{ss}minNormalizedMeasure") == "0.7"
    rules = [
        (
            rule.get("childActivitySet"),
            rule.find(f".//{ss}rollupCondition").get("operator"),
            rule.find(f".//{ss}rollupCondition").get("condition"),
            rule.find(f"{ss}rollupAction").get("action"),
        )
        for rule in root.iter(f"{ss}rollupRule")
    ]
    assert ("all", "noOp", "completed", "completed") in rules
    assert ("all", "noOp", "satisfied", "satisfied") in rules
    assert root.findtext(f".//{lom}general/{lom}title/{lom}string") == "Cours d'essai"
    assert root.findtext(f".//{lom}typicalLearningTime/{lom}duration") == "PT7H"
    assert (
        root.findtext(".//{http://www.imsglobal.org/xsd/imscp_v1p1}schemaversion")
        == "2004 4th Edition"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_no_mastery_score_without_graded_quiz(course_dir, version, tmp_path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(
        day.read_text(encoding="utf-8").replace(
            "        title: Vérifier ses connaissances\n",
            "        title: Vérifier ses connaissances\n        graded: false\n",
        ),
        encoding="utf-8",
    )
    package = build(course_dir, version, tmp_path)
    text = package.read("imsmanifest.xml").decode()
    assert "masteryscore" not in text and "minNormalizedMeasure" not in text
    assert validate(manifest(package), version) == []


@pytest.mark.parametrize("version", VERSIONS)
def test_rebuild_is_byte_identical_and_honours_source_date_epoch(
    course_dir, version, tmp_path, monkeypatch
):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = tmp_path / "a"
    second = tmp_path / "b"
    one = Path(build(course_dir, version, first).filename).read_bytes()
    two = Path(build(course_dir, version, second).filename).read_bytes()
    assert one == two
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    dated = build(course_dir, version, tmp_path / "c")
    assert {info.date_time for info in dated.infolist()} == {(2026, 1, 1, 0, 0, 0)}


@pytest.mark.parametrize("version", VERSIONS)
def test_everything_is_inside_the_package(course_dir, version, tmp_path):
    package = build(course_dir, version, tmp_path)
    for name in package.namelist():
        if name.endswith((".html", ".js", ".css")):
            text = package.read(name).decode()
            assert not re.search(r"""(src|href)=["'](https?:)?//""", text), name
            assert "@import" not in text and "url(http" not in text, name
    index = package.read("index.html").decode()
    assert '<script src="_static/scorm.js" defer></script>' in index
    assert '<script src="_static/scorm-course.js" defer></script>' in index


def test_web_build_does_not_load_the_scorm_runtime(course_dir, tmp_path):
    get_exporter("web").build(load_course(course_dir), tmp_path)
    assert "scorm" not in (tmp_path / "web" / "index.html").read_text(encoding="utf-8")


def test_project_runtime_js_and_css_stay_under_60_kb():
    total = sum(
        path.stat().st_size for path in THEME_STATIC.iterdir() if path.suffix in (".js", ".css")
    )
    assert total < 60 * 1024, total


def test_flagship_suspend_data_fits_scorm12_even_in_the_worst_case():
    course = load_course(COURSES[0])
    site = SiteRenderer(course).site
    bound = suspend_data_bound(course_map(course, site), len(site.activity_pages))
    assert bound < SCORM12_SUSPEND_DATA_LIMIT


def test_course_map_layout_changes_with_the_structure_only(course_dir):
    def layout() -> str:
        course = load_course(course_dir)
        return course_map(course, SiteRenderer(course).site)["layout"]

    before = layout()
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    assert layout() == before
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(
        day.read_text(encoding="utf-8").replace(
            "              - {text: La communauté}\n",
            "              - {text: La communauté}\n              - {text: Le réseau}\n",
        ),
        encoding="utf-8",
    )
    assert layout() != before
    course_yaml = course_dir / "course.yaml"
    changed = layout()
    course_yaml.write_text(
        course_yaml.read_text(encoding="utf-8").replace("passing_score: 70", "passing_score: 60"),
        encoding="utf-8",
    )
    assert layout() == changed  # passing scores are read afresh, not decoded


def test_too_many_choices_warn_at_build(course_dir, tmp_path):
    day = course_dir / "days" / "jour-1.yaml"
    extra = "".join(f"              - {{text: Choix {n}}}\n" for n in range(40))
    day.write_text(
        day.read_text(encoding="utf-8").replace(
            "              - {text: La communauté}\n",
            "              - {text: La communauté}\n" + extra,
        ),
        encoding="utf-8",
    )
    result = get_exporter("scorm12").build(load_course(course_dir), tmp_path)
    assert any("q-domaine" in warning and "43 choices" in warning for warning in result.warnings)


def test_scorm12_warns_when_short_answers_may_overflow_suspend_data(course_dir, tmp_path):
    day = course_dir / "days" / "jour-1.yaml"
    questions = "".join(
        f"          - id: q-court-{n}\n            type: short\n            text: Question {n}\n"
        f"            answers: [oui]\n"
        for n in range(20)
    )
    day.write_text(
        day.read_text(encoding="utf-8").replace(
            "          - id: q-vrai-faux\n", questions + "          - id: q-vrai-faux\n"
        ),
        encoding="utf-8",
    )
    twelve = get_exporter("scorm12").build(load_course(course_dir), tmp_path)
    assert any("4096" in warning for warning in twelve.warnings)
    assert not get_exporter("scorm2004").build(load_course(course_dir), tmp_path).warnings


def test_scorm12_notes_the_space_the_reflections_share(course_with_reflection, tmp_path):
    course = load_course(course_with_reflection)
    warnings = get_exporter("scorm12").build(course, tmp_path).warnings
    (note,) = [warning for warning in warnings if "reflections" in warning]
    assert isinstance(note, FormatNote)
    assert note.startswith(
        "reflections: 'ma-reflexion' (2 questions) share SCORM 1.2's cmi.comments (4096 "
        "characters, with a readable copy of the checklists' levels): 3997 are left for the "
        "answers, about 1998 each"
    )  # 4096 - 2 answer labels "[ma-reflexion.1] " - "[mes-engagements] ✓; ✓"
    # - "[auto-evaluation] Pas encore; Pas encore" - 3 line breaks
    notes = get_exporter("scorm2004").build(course, tmp_path).warnings
    assert not [w for w in notes if "reflections" in w]


def test_zip_entries_are_sorted_and_regular_files(course_dir, tmp_path):
    package = build(course_dir, "scorm12", tmp_path)
    names = package.namelist()
    assert names == sorted(names)
    assert all((info.external_attr >> 16) == 0o100644 for info in package.infolist())
    assert zipfile.ZipFile(io.BytesIO(Path(package.filename).read_bytes())).testzip() is None


def test_packages_say_the_platform_keeps_checklist_answers(course_dir, tmp_path):
    package = build(course_dir, "scorm12", tmp_path)
    page = package.read("auto-evaluation.html").decode()
    assert "enregistrées par votre plateforme de formation" in page
    assert "sur cet appareil" not in page


@pytest.mark.parametrize("html", [
    "<p>Un <em>seul</em> paragraphe.</p>\n", "<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n", "texte seul",
    "<p>a</p>suite", "  <p> x\n y </p>  ", "<br>", "&amp; &lt;p&gt; &#233;", "<h2>T</h2><p>é</p>",
    "<table><tr><td>1</td><td>2</td></tr></table>", " \n",
])  # fmt: skip
def test_a_manifest_description_is_the_text_lxml_html_reads(html):
    import lxml.html

    from builder.html_text import plain_text

    expected = " ".join(lxml.html.fromstring(html).text_content().split()) if html.strip() else ""
    assert plain_text(html) == expected
