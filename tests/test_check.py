"""`coursebridge check` on our packages, on third-party-style ones, and on hostile zips."""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.exporters import get_exporter
from builder.exporters.imscc_check import check_cartridge
from builder.loader import load_course
from builder.package_check import check_package

LINE = re.compile(r"^(ERROR|WARNING): (?P<package>[^:]+): [^:]+(:\d+)?: .+; .+$")

SCORM12_THIRD_PARTY = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="com.example.course" version="1"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
    xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
    <imsmd:lom><imsmd:general><imsmd:title><imsmd:langstring xml:lang="en">Safety</imsmd:langstring>
    </imsmd:title></imsmd:general></imsmd:lom>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>Safety</title>
      <item identifier="item1" identifierref="sco1"><title>Module 1</title>
        <adlcp:masteryscore>80</adlcp:masteryscore></item>
      <item identifier="item2" identifierref="pdf"><title>Handout</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco1" type="webcontent" adlcp:scormtype="sco" xml:base="content/"
        href="index_lms.html">
      <file href="index_lms.html"/>
      <file href="story%20content/slide1.js"/>
    </resource>
    <resource identifier="pdf" type="webcontent" adlcp:scormtype="asset" href="handout.pdf">
      <file href="handout.pdf"/>
    </resource>
  </resources>
</manifest>
"""
SCORM12_FILES = {
    "content/index_lms.html": b"<html></html>",
    "content/story content/slide1.js": b"",
    "handout.pdf": b"%PDF",
}

SCORM2004_THIRD_EDITION = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>{version}</schemaversion></metadata>
  <organizations default="o">
    <organization identifier="o"><title>T</title>
      <item identifier="i" identifierref="r"><title>T</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r" type="webcontent" adlcp:scormType="sco" href="a.html">
      <file href="a.html"/>
    </resource>
  </resources>
</manifest>
"""

CC11 = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="cc" xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1">
  <metadata><schema>IMS Common Cartridge</schema><schemaversion>1.1.0</schemaversion>
    <lom xmlns="http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"><general><title>
      <string>Forum</string></title></general></lom></metadata>
  <organizations>
    <organization identifier="o" structure="rooted-hierarchy">
      <item identifier="root"><item identifier="i" identifierref="d"><title>Forum</title></item></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="d" type="imsdt_xmlv1p1"><file href="topic.xml"/></resource>
  </resources>
</manifest>
"""
BROKEN_TOPIC = b"""<?xml version="1.0" encoding="UTF-8"?>
<topic xmlns="http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1">
  <text texttype="text/plain">No title before the text</text>
</topic>
"""


def make_zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            info = zipfile.ZipInfo(name)  # keeps the name as given, even a hostile one
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


def lines(report) -> list[str]:
    return [str(finding) for finding in report.findings]


def find(report, severity: str, text: str) -> list[str]:
    return [line for line in lines(report) if line.startswith(severity) and text in line]


# -- our packages --


@pytest.mark.parametrize("version", ["scorm12", "scorm2004"])
def test_our_packages_pass(course_dir, tmp_path, version):
    output = get_exporter(version).build(load_course(course_dir), tmp_path).output
    report = check_package(output)
    assert report.errors == []
    assert report.kind.startswith("SCORM 1.2" if version == "scorm12" else "SCORM 2004")


def test_our_cartridge_passes_with_its_descriptors_validated(course_dir, tmp_path):
    output = get_exporter("imscc").build(load_course(course_dir), tmp_path).output
    report = check_package(output)
    assert report.kind.startswith("Common Cartridge 1.1")
    assert report.errors == []


def test_cli_prints_one_line_per_finding_and_a_summary(course_dir, tmp_path):
    output = get_exporter("scorm2004").build(load_course(course_dir), tmp_path).output
    broken = make_zip(tmp_path / "broken.zip", {"imsmanifest.xml": "<manifest"})
    result = CliRunner().invoke(main, ["check", str(output), str(broken)])
    assert result.exit_code == 1
    out = result.output.strip().splitlines()
    assert "the Moodle app plays SCORM 1.2 packages only" in out[0] and LINE.match(out[0])
    assert out[1] == (
        f"{output}: SCORM 2004 package (schemaversion 2004 4th "
        "Edition): 0 errors, 1 warning; ready to upload."
    )
    assert out[2].startswith(f"ERROR: {broken}: imsmanifest.xml:1: not well-formed XML")
    assert out[3] == (
        f"{broken}: unknown package: 1 error, 0 warnings; fix the errors before uploading."
    )


def test_cli_names_the_package_of_each_finding_and_keeps_each_package_together(tmp_path):
    files = {name: data for name, data in SCORM12_FILES.items() if name != "handout.pdf"}
    scorm12 = make_zip(tmp_path / "a.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **files})
    scorm2004 = make_zip(
        tmp_path / "b.zip",
        {"imsmanifest.xml": SCORM2004_THIRD_EDITION.format(version="CAM 1.3"), "a.html": ""},
    )
    result = CliRunner().invoke(main, ["check", str(scorm12), str(scorm2004)])
    out = result.output.splitlines()
    packages = [match["package"] if (match := LINE.match(line)) else None for line in out]
    assert packages == [str(scorm12), str(scorm12), None, str(scorm2004), None]
    assert out[2].startswith(f"{scorm12}: SCORM 1.2 package (schemaversion 1.2): 2 errors")
    assert out[4].startswith(f"{scorm2004}: SCORM 2004 package (schemaversion CAM 1.3): 0 errors")


def test_cli_refuses_a_folder_before_reporting_on_any_package(course_dir, tmp_path):
    output = get_exporter("scorm12").build(load_course(course_dir), tmp_path).output
    result = CliRunner().invoke(main, ["check", str(output), str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"error: {tmp_path}: is a folder; zip its contents first, or give the package's .zip\n"
    )


def test_metadata_file_named_by_the_manifest_must_be_there(course_dir, tmp_path):
    output = get_exporter("scorm12").build(load_course(course_dir), tmp_path).output
    with zipfile.ZipFile(output) as package:
        entries = {n: package.read(n) for n in package.namelist() if n != "metadata.xml"}
    report = check_package(make_zip(tmp_path / "p.zip", entries))
    assert find(report, "ERROR", "'metadata.xml' is named but not in the zip")


def test_cli_exit_status_is_zero_without_errors(course_dir, tmp_path):
    output = get_exporter("scorm12").build(load_course(course_dir), tmp_path).output
    result = CliRunner().invoke(main, ["check", str(output)])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("0 errors, 0 warnings; ready to upload.\n")


def test_a_folder_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"error: {tmp_path}: is a folder; zip its contents first, or give the package's .zip\n"
    )


def test_missing_file_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.zip")])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {tmp_path / 'nope.zip'}: no such file; give the path of a .zip (or .imscc) package"
    )


# -- third-party packages --


def test_third_party_scorm12_with_inline_metadata_xml_base_and_assets(tmp_path):
    package = make_zip(
        tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **SCORM12_FILES}
    )
    report = check_package(package)
    assert lines(report) == []
    assert report.kind == "SCORM 1.2 package (schemaversion 1.2)"


def test_files_named_but_missing_and_case_mismatches(tmp_path):
    files = dict(SCORM12_FILES)
    files.pop("handout.pdf")
    files["content/Index_LMS.html"] = files.pop("content/index_lms.html")
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **files})
    )
    assert find(report, "ERROR", "'handout.pdf' is named but not in the zip; add the file")
    case = find(report, "ERROR", "'content/index_lms.html' is named but not in the zip")
    assert case and "the zip has 'content/Index_LMS.html': names are case-sensitive" in case[0]
    assert all(LINE.match(line) for line in lines(report))


def scorm12_with_handout_href(tmp_path: Path, href: str) -> Path:
    manifest = SCORM12_THIRD_PARTY.replace('href="handout.pdf">', f'href="{href}">')
    return make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})


@pytest.mark.parametrize(
    ("href", "why"),
    [
        ("../index.html", "'..' leads out of the package"),
        ("%2e%2e/index.html", "'..' leads out of the package"),
        ("/var/www/index.html", "an absolute path points outside the package"),
        ("C:/course/index.html", "an absolute Windows path points outside the package"),
        ("C:\\course\\index.html", "an absolute Windows path points outside the package"),
        ("file:///C:/course/index.html", "a file: URL points outside the package"),
        (
            "content\\index_lms.html",
            "a backslash is no URL separator (the LMS's server reads it as part of the name)",
        ),
        (
            "javascript:start()",
            "a javascript: URL is neither a file of the package nor a web address",
        ),
    ],
)
def test_hrefs_leading_out_of_the_package_are_unsafe(tmp_path, href, why):
    package = scorm12_with_handout_href(tmp_path, href)
    assert lines(check_package(package)) == [
        (
            f"ERROR: {package}: imsmanifest.xml:26: unsafe href '{href}': {why}; name a file "
            "inside the package, with a relative path and '/' separators"
        )
    ]


def test_an_href_leading_out_through_its_xml_base_is_unsafe(tmp_path):
    manifest = SCORM12_THIRD_PARTY.replace('xml:base="content/"', 'xml:base="../content/"')
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})
    )
    assert find(
        report,
        "ERROR",
        "imsmanifest.xml:22: unsafe href 'index_lms.html' under xml:base '../content/': "
        "'..' leads out of the package",
    )


@pytest.mark.parametrize("href", ["content/../handout.pdf", "handout.pdf#page=2"])
def test_relative_hrefs_inside_the_package_are_safe(tmp_path, href):
    assert lines(check_package(scorm12_with_handout_href(tmp_path, href))) == []


def test_web_addresses_stay_allowed_on_resources(tmp_path):
    package = scorm12_with_handout_href(tmp_path, "https://example.org/handout.pdf")
    report = check_package(package)
    assert report.errors == []
    assert find(report, "WARNING", "launches 'https://example.org/handout.pdf' on another site")


def test_duplicate_identifiers_and_dangling_references(tmp_path):
    manifest = (
        SCORM12_THIRD_PARTY.replace('identifier="item2"', 'identifier="item1"')
        .replace('identifierref="pdf"', 'identifierref="nothing"')
        .replace('default="org"', 'default="x"')
    )
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})
    )
    assert find(report, "ERROR", "identifier 'item1' is used 2 times")
    assert find(report, "ERROR", "identifierref 'nothing' names no resource")
    assert find(report, "ERROR", "default organization 'x' does not exist")


def test_schema_errors_are_located(tmp_path):
    manifest = SCORM12_THIRD_PARTY.replace("<title>Module 1</title>", "<titel>Module 1</titel>")
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})
    )
    (error,) = find(report, "ERROR", "titel")
    assert error.startswith(f"ERROR: {report.package}: imsmanifest.xml:15: ")
    assert error.endswith("make it valid against the SCORM 1.2 package schemas")


def test_multi_sco_packages_get_moodle_completion_advice(tmp_path):
    manifest = SCORM12_THIRD_PARTY.replace('adlcp:scormtype="asset"', 'adlcp:scormtype="sco"')
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})
    )
    assert find(report, "WARNING", "2 SCOs: in Moodle the activity is 'completed' as soon as any")


@pytest.mark.parametrize("version", ["2004 3rd Edition", "CAM 1.3"])
def test_older_scorm2004_editions_are_checked_with_the_4th_edition_schemas(tmp_path, version):
    manifest = SCORM2004_THIRD_EDITION.format(version=version)
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "a.html": ""})
    )
    assert report.errors == [] and len(report.warnings) == 1


@pytest.mark.parametrize("version", ["2004 2nd Edition", ""])
def test_scorm2004_schemaversion_moodle_does_not_recognise(tmp_path, version):
    manifest = SCORM2004_THIRD_EDITION.format(version=version)
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "a.html": ""})
    )
    assert find(report, "ERROR", "Moodle then plays the package as SCORM 1.2")


def scorm12_with_item_values(tmp_path: Path, values: str) -> Path:
    manifest = SCORM12_THIRD_PARTY.replace("<adlcp:masteryscore>80</adlcp:masteryscore>", values)
    return make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, **SCORM12_FILES})


@pytest.mark.parametrize("score", ["170", "-5", "eighty", "1e2"])
def test_scorm12_masteryscore_out_of_0_to_100(tmp_path, score):
    package = scorm12_with_item_values(
        tmp_path, f"<adlcp:masteryscore>{score}</adlcp:masteryscore>"
    )
    assert lines(check_package(package)) == [
        (
            f"ERROR: {package}: imsmanifest.xml:16: adlcp:masteryscore '{score}' is not a "
            "number from 0 to 100; SCORM 1.2 mastery scores are percentages: write the passing "
            "score, e.g. 80"
        )
    ]


@pytest.mark.parametrize(
    "values",
    [
        "<adlcp:masteryscore>0</adlcp:masteryscore>",
        "<adlcp:masteryscore> 100 </adlcp:masteryscore>",
        "<adlcp:masteryscore>62.5</adlcp:masteryscore>",
        "<adlcp:maxtimeallowed>0001:30:00.5</adlcp:maxtimeallowed>",
    ],
)
def test_scorm12_item_values_within_the_specification(tmp_path, values):
    assert lines(check_package(scorm12_with_item_values(tmp_path, values))) == []


def test_scorm12_maxtimeallowed_must_be_a_timespan(tmp_path):
    package = scorm12_with_item_values(
        tmp_path, "<adlcp:maxtimeallowed>30 min</adlcp:maxtimeallowed>"
    )
    assert find(
        check_package(package),
        "ERROR",
        "imsmanifest.xml:16: adlcp:maxtimeallowed '30 min' is not a SCORM 1.2 timespan; "
        "write hours, minutes and seconds as HHHH:MM:SS.SS, e.g. 00:30:00",
    )


def scorm2004_with_item_values(tmp_path: Path, values: str) -> Path:
    manifest = (
        SCORM2004_THIRD_EDITION.format(version="2004 3rd Edition")
        .replace(
            'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"',
            'xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" '
            'xmlns:imsss="http://www.imsglobal.org/xsd/imsss"',
        )
        .replace(
            'identifierref="r"><title>T</title>', f'identifierref="r"><title>T</title>{values}'
        )
    )
    return make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "a.html": ""})


def test_scorm2004_completion_threshold_from_0_to_1(tmp_path):
    within = scorm2004_with_item_values(
        tmp_path, "<adlcp:completionThreshold>0.8</adlcp:completionThreshold>"
    )
    assert check_package(within).errors == []
    above = scorm2004_with_item_values(
        tmp_path, "<adlcp:completionThreshold>1.7</adlcp:completionThreshold>"
    )
    assert [str(error) for error in check_package(above).errors] == [
        (
            f"ERROR: {above}: imsmanifest.xml:7: adlcp:completionThreshold '1.7' is not a "
            "number from 0 to 1; write the fraction of the SCO to complete, e.g. 0.8 (in the "
            "4th edition, as the minProgressMeasure attribute)"
        )
    ]


def test_scorm2004_min_normalized_measure_from_minus_1_to_1(tmp_path):
    package = scorm2004_with_item_values(
        tmp_path,
        "<imsss:sequencing><imsss:objectives><imsss:primaryObjective satisfiedByMeasure='true'>"
        "<imsss:minNormalizedMeasure>2</imsss:minNormalizedMeasure>"
        "</imsss:primaryObjective></imsss:objectives></imsss:sequencing>",
    )
    (error,) = check_package(package).errors
    assert "minNormalizedMeasure" in str(error) and "greater than the maximum value" in str(error)


def test_scorm2004_leaf_and_cluster_rules(tmp_path):
    manifest = SCORM2004_THIRD_EDITION.format(version="2004 4th Edition").replace(
        '<item identifier="i" identifierref="r"><title>T</title></item>',
        '<item identifier="i" identifierref="r"><title>T</title>'
        '<item identifier="j"><title>Leaf</title></item></item>',
    )
    report = check_package(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": manifest, "a.html": ""})
    )
    assert find(report, "ERROR", "an item with children launches a resource")
    assert find(report, "ERROR", "a leaf item launches nothing")


def test_cartridge_descriptors_are_validated(tmp_path):
    report = check_package(
        make_zip(tmp_path / "c.imscc", {"imsmanifest.xml": CC11, "topic.xml": BROKEN_TOPIC})
    )
    assert report.kind == "Common Cartridge 1.1 (schemaversion 1.1.0)"
    (error,) = report.errors
    assert str(error).startswith(f"ERROR: {report.package}: topic.xml:3: ")


def test_cartridge_versions_moodle_cannot_import(tmp_path):
    manifest = CC11.replace("imsccv1p1", "imsccv1p3").replace("1.1.0", "1.3.0")
    report = check_package(
        make_zip(tmp_path / "c.imscc", {"imsmanifest.xml": manifest, "topic.xml": BROKEN_TOPIC})
    )
    assert find(report, "WARNING", "Common Cartridge 1.3 is not schema-validated")
    assert find(report, "WARNING", "Moodle imports Common Cartridge 1.0 and 1.1 only, not 1.3")
    assert report.errors == []


# -- not packages, broken packages --


def test_manifest_in_a_subfolder(tmp_path):
    package = make_zip(tmp_path / "p.zip", {"course/imsmanifest.xml": SCORM12_THIRD_PARTY})
    assert lines(check_package(package)) == [
        (
            f"ERROR: {package}: zip: course/imsmanifest.xml: the manifest is not at the root of the zip; zip the "
            "contents of 'course/', not the folder itself"
        )
    ]


def test_manifest_with_the_wrong_case(tmp_path):
    report = check_package(make_zip(tmp_path / "p.zip", {"IMSManifest.xml": SCORM12_THIRD_PARTY}))
    assert find(report, "ERROR", "must be named 'imsmanifest.xml' exactly")


def test_no_manifest_and_unknown_namespace(tmp_path):
    assert find(
        check_package(make_zip(tmp_path / "a.zip", {"index.html": ""})),
        "ERROR",
        "no imsmanifest.xml",
    )
    other = make_zip(tmp_path / "b.zip", {"imsmanifest.xml": '<manifest xmlns="urn:other"/>'})
    assert find(check_package(other), "ERROR", "unknown manifest namespace 'urn:other'")


def test_not_a_zip_and_a_truncated_zip(tmp_path):
    text = tmp_path / "notes.zip"
    text.write_text("hello", encoding="utf-8")
    assert lines(check_package(text)) == [
        f"ERROR: {text}: zip: not a zip archive; check takes a SCORM package (.zip) or a Common "
        "Cartridge (.imscc), both zip archives; give the package's .zip, or export it again"
    ]
    whole = make_zip(tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **SCORM12_FILES})
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(whole.read_bytes()[:-30])
    assert lines(check_package(truncated)) == [
        f"ERROR: {truncated}: zip: a damaged zip archive; export the package again"
    ]


@pytest.mark.parametrize("content, what, fix", [
    ('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n<question type="category">',
     "a Moodle XML question bank, not a package", "import it at More > Question banks > Import"),
    ('<?xml version="1.0"?>\n<manifest identifier="x" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">',
     "a manifest alone, not a package", "zip the package's folder, with imsmanifest.xml at the root"),
    ("%PDF-1.7\n", "a PDF document, not a package", "give the package's .zip"),
    ("", "an empty file, not a package", "export the package again"),
])
def test_a_file_that_is_no_zip_is_named_with_what_check_takes(tmp_path, content, what, fix):
    given = tmp_path / "cours-questions.xml"
    given.write_text(content, encoding="utf-8")
    (line,) = lines(check_package(given))
    assert line.startswith(f"ERROR: {given}: zip: {what}; check takes a SCORM package (.zip) or a Common Cartridge")
    assert fix in line


def test_damaged_entry(tmp_path):
    package = make_zip(tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY * 20})
    data = bytearray(package.read_bytes())
    start = data.index(b"imsmanifest.xml") + len("imsmanifest.xml") + 40
    data[start : start + 40] = bytes(40)
    package.write_bytes(bytes(data))
    assert find(check_package(package), "ERROR", "zip: imsmanifest.xml: damaged entry")


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "../evil", "../../evil.html", "content\\index.html", "C:/x.html"]
)
def test_an_unsafe_path_is_reported_and_the_rest_still_checked(tmp_path, name):
    files = {entry: data for entry, data in SCORM12_FILES.items() if entry != "handout.pdf"}
    package = make_zip(
        tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **files, name: "x"}
    )
    report = check_package(package)
    assert report.kind == "SCORM 1.2 package (schemaversion 1.2)"
    assert lines(report)[0] == (
        f"ERROR: {package}: zip: {name}: unsafe path (absolute, '..' or backslash); "
        "rebuild the zip with relative paths and '/' separators"
    )
    assert find(report, "ERROR", "'handout.pdf' is named but not in the zip")


def test_symbolic_links_are_refused(tmp_path):
    package = tmp_path / "p.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("imsmanifest.xml", SCORM12_THIRD_PARTY)
        link = zipfile.ZipInfo("content/index_lms.html")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    assert find(check_package(package), "ERROR", "symbolic link")


def opened_entries(monkeypatch) -> list[str]:
    """The names of the zip entries opened from now on."""
    opened: list[str] = []
    open_entry = zipfile.ZipFile.open

    def recording_open(self, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return open_entry(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", recording_open)
    return opened


def test_an_unsafe_manifest_is_reported_and_never_read(tmp_path, monkeypatch):
    package = tmp_path / "p.zip"
    with zipfile.ZipFile(package, "w") as archive:
        link = zipfile.ZipInfo("imsmanifest.xml")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/passwd")
    opened = opened_entries(monkeypatch)
    report = check_package(package)
    assert lines(report) == [
        (
            f"ERROR: {package}: zip: imsmanifest.xml: symbolic link; "
            "replace it with the file it points to"
        )
    ]
    assert opened == []


def test_high_compression_ratio_is_refused_before_reading(tmp_path, monkeypatch):
    entries = {
        "imsmanifest.xml": SCORM12_THIRD_PARTY,
        **SCORM12_FILES,
        "zeros.bin": bytes(5 * 1024**2),
    }
    package = make_zip(tmp_path / "bomb.zip", entries)
    opened = opened_entries(monkeypatch)
    report = check_package(package)
    assert lines(report) == [
        (
            f"ERROR: {package}: zip: zeros.bin: compression ratio above 100:1, a likely zip "
            "bomb; do not upload it"
        )
    ]
    assert report.kind == "SCORM 1.2 package (schemaversion 1.2)"
    assert opened == ["imsmanifest.xml"]


def flag_as_encrypted(package: Path, name: str) -> Path:
    """Set general-purpose bit 0 (encrypted) in the entry's local and central headers, as a
    password-protected zip has it (zipfile cannot write such entries)."""
    data = bytearray(package.read_bytes())
    # signature, offset of the flags, offset of the name's length, offset of the name
    for signature, flags, length, start in ((b"PK\x03\x04", 6, 26, 30), (b"PK\x01\x02", 8, 28, 46)):
        at = data.find(signature)
        while at != -1:
            (name_length,) = struct.unpack_from("<H", data, at + length)
            if data[at + start : at + start + name_length] == name.encode():
                data[at + flags] |= 0x1
            at = data.find(signature, at + 4)
    package.write_bytes(bytes(data))
    return package


def test_encrypted_entries_are_reported_and_the_rest_still_checked(tmp_path):
    package = flag_as_encrypted(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY, **SCORM12_FILES}),
        "handout.pdf",
    )
    report = check_package(package)
    assert lines(report) == [
        (
            f"ERROR: {package}: zip: handout.pdf: encrypted; LMSs cannot read encrypted "
            "entries: zip again without a password"
        )
    ]
    assert report.kind == "SCORM 1.2 package (schemaversion 1.2)"


def test_an_encrypted_manifest_is_one_error_and_never_read(tmp_path, monkeypatch):
    package = flag_as_encrypted(
        make_zip(tmp_path / "p.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY}), "imsmanifest.xml"
    )
    opened = opened_entries(monkeypatch)
    assert lines(check_package(package)) == [
        (
            f"ERROR: {package}: zip: imsmanifest.xml: encrypted; LMSs cannot read encrypted "
            "entries: zip again without a password"
        )
    ]
    assert opened == []


def test_cartridge_check_reports_an_encrypted_descriptor_without_reading_it(course_dir, tmp_path):
    cartridge = get_exporter("imscc").build(load_course(course_dir), tmp_path).output
    with zipfile.ZipFile(cartridge) as archive:
        (topic,) = (name for name in archive.namelist() if name.endswith("topic.xml"))
    flag_as_encrypted(cartridge, topic)
    assert check_cartridge(cartridge) == [f"{topic}: encrypted, which LMSs cannot read"]
    assert [str(error) for error in check_package(cartridge).errors] == [
        (
            f"ERROR: {cartridge}: zip: {topic}: encrypted; LMSs cannot read encrypted "
            "entries: zip again without a password"
        )
    ]


def test_forged_declared_sizes_are_refused(tmp_path):
    package = make_zip(tmp_path / "forged.zip", {"imsmanifest.xml": SCORM12_THIRD_PARTY})
    data = bytearray(package.read_bytes())
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = struct.pack("<I", 0xFFFFFFF0)  # uncompressed size
    package.write_bytes(bytes(data))
    (line,) = lines(check_package(package))
    assert line.startswith(
        f"ERROR: {package}: zip: expands to 4095 MiB (limit 2048 MiB): a zip bomb"
    )


def test_xml_entities_are_refused_and_never_expanded(tmp_path):
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<manifest xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2">&b;</manifest>'
    )
    package = make_zip(tmp_path / "p.zip", {"imsmanifest.xml": laughs})
    assert lines(check_package(package)) == [
        (
            f"ERROR: {package}: imsmanifest.xml: declares XML entities (an entity-expansion attack, or needless); "
            "remove the DOCTYPE and its entities"
        )
    ]


def test_huge_manifest_is_not_read(tmp_path):
    package = tmp_path / "p.zip"
    with zipfile.ZipFile(package, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("imsmanifest.xml", b" " * (17 * 1024**2))
    assert find(check_package(package), "ERROR", "too large to check (limit 16 MiB)")


def test_junk_files_are_reported_as_warnings(tmp_path):
    entries = {"imsmanifest.xml": SCORM12_THIRD_PARTY, **SCORM12_FILES, "__MACOSX/._index.html": ""}
    report = check_package(make_zip(tmp_path / "p.zip", entries))
    assert find(report, "WARNING", "__MACOSX/._index.html: operating-system junk file")
    assert report.errors == []
