"""The manifest of a SCORM package or Common Cartridge: its kind, schema validity,
references, identifiers, and what Moodle will make of it."""

from __future__ import annotations

import copy
import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import unquote, urlsplit

from lxml import etree

from builder.package_check.archive import Archive
from builder.package_check.findings import Report
from builder.schemas import parse_xml, validate

MANIFEST = "imsmanifest.xml"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
IMSMD12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
MAX_SCHEMA_ERRORS = 10
# Moodle plays a manifest as SCORM 2004 only when schemaversion matches this (scormlib.php);
# anything else is played with the SCORM 1.2 API, and a 2004 SCO then tracks nothing.
MOODLE_2004_VERSIONS = re.compile(r"^(CAM )?1\.3$|^2004 (3rd|4th) Edition$")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")  # xs:decimal, SCORM 1.2's CMIDecimal
URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # one letter: a Windows drive
WINDOWS_DRIVE = re.compile(r"[A-Za-z]:")
CMI_TIMESPAN = re.compile(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?")  # SCORM 1.2: HHHH:MM:SS.SS


@dataclass(frozen=True)
class Kind:
    name: str
    family: str  # "scorm12", "scorm2004" or "cc"
    schema_set: str | None  # builder.schemas set, None when we have no schema for it


KINDS = {
    "http://www.imsproject.org/xsd/imscp_rootv1p1p2": Kind("SCORM 1.2 package", "scorm12", "scorm12"),
    "http://www.imsglobal.org/xsd/imscp_v1p1": Kind("SCORM 2004 package", "scorm2004", "scorm2004"),
    "http://www.imsglobal.org/xsd/imscc/imscp_v1p1": Kind("Common Cartridge 1.0", "cc", None),
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": Kind("Common Cartridge 1.1", "cc", "imscc11"),
    "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1": Kind("Common Cartridge 1.2", "cc", None),
    "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1": Kind("Common Cartridge 1.3", "cc", None),
}  # fmt: skip
# Common Cartridge 1.1 resource types whose descriptor file has a schema.
CC11_DESCRIPTORS = {
    "imsdt_xmlv1p1": "imscc11-discussion",
    "imswl_xmlv1p1": "imscc11-weblink",
    "imsqti_xmlv1p2/imscc_xmlv1p1/assessment": "imscc11-qti",
    "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank": "imscc11-qti",
}


def check_manifest(archive: Archive, report: Report) -> None:
    if not _manifest_present(archive, report):
        return
    root = _parse(archive, MANIFEST, report)
    if root is None:
        return
    namespace = etree.QName(root).namespace
    kind = KINDS.get(namespace)
    if kind is None:
        report.error(
            f"{MANIFEST}:{root.sourceline}",
            f"unknown manifest namespace '{namespace}'",
            "this is neither a SCORM package nor a Common Cartridge",
        )
        return
    checker = ManifestChecker(archive, report, root, kind)
    checker.run()


def _manifest_present(archive: Archive, report: Report) -> bool:
    if MANIFEST in archive.names:
        return True
    nested = sorted(n for n in archive.names if n.lower().endswith("/" + MANIFEST))
    other_case = sorted(n for n in archive.names if n.lower() == MANIFEST)
    if other_case:
        report.error(
            f"zip: {other_case[0]}",
            "the manifest must be named 'imsmanifest.xml' exactly",
            "rename it: LMSs look for that name, in lower case",
        )
    elif nested:
        folder = posixpath.dirname(nested[0])
        report.error(
            f"zip: {nested[0]}",
            "the manifest is not at the root of the zip",
            f"zip the contents of '{folder}/', not the folder itself",
        )
    else:
        report.error(
            "zip",
            "no imsmanifest.xml",
            "this is not a SCORM package or a Common "
            "Cartridge: export it from your authoring tool as SCORM or IMS CC",
        )
    return False


def _parse(archive: Archive, name: str, report: Report) -> etree._Element | None:
    data = archive.read(name)
    if data is None:
        return None
    if b"<!ENTITY" in data:
        report.error(
            name,
            "declares XML entities (an entity-expansion attack, or needless)",
            "remove the DOCTYPE and its entities",
        )
        return None
    if b"<!DOCTYPE" in data:
        report.warning(name, "has a DOCTYPE declaration", "remove it: manifests use XML Schema")
    try:
        return parse_xml(data)
    except etree.XMLSyntaxError as error:
        report.error(
            f"{name}:{error.lineno}",
            f"not well-formed XML ({error.msg})",
            "fix the XML, or export the package again",
        )
        return None


class ManifestChecker:
    def __init__(self, archive: Archive, report: Report, root: etree._Element, kind: Kind):
        self.archive, self.report, self.root, self.kind = archive, report, root, kind
        self.cp = etree.QName(root).namespace
        self.version = (
            root.findtext(f"{{{self.cp}}}metadata/{{{self.cp}}}schemaversion") or ""
        ).strip()
        report.kind = kind.name + (f" (schemaversion {self.version})" if self.version else "")

    def tag(self, name: str) -> str:
        return f"{{{self.cp}}}{name}"

    def where(self, element: etree._Element) -> str:
        return f"{MANIFEST}:{element.sourceline}"

    def run(self) -> None:
        self.validate_schema()
        self.check_identifiers()
        self.check_references()
        self.check_files()
        if self.kind.family == "cc":
            self.check_cartridge()
        else:
            self.check_scorm()

    # -- schema --

    def validate_schema(self) -> None:
        if self.kind.schema_set is None:
            self.report.warning(
                MANIFEST,
                f"{self.kind.name} is not schema-validated",
                "coursebridge has the schemas of SCORM 1.2, SCORM 2004 4th "
                "edition and Common Cartridge 1.1 only; its other checks ran",
            )
            return
        document = self.root
        if self.kind.family == "scorm12":
            document = _without_namespace(self.root, IMSMD12)  # libxml2 cannot load LOM 1.2
        self.report_schema_errors(MANIFEST, validate(document, self.kind.schema_set))

    def report_schema_errors(self, name: str, errors: list[str]) -> None:
        for error in errors[:MAX_SCHEMA_ERRORS]:
            line, _, message = error.partition(": ")
            self.report.error(
                f"{name}:{line.removeprefix('line ')}",
                message.rstrip("."),
                f"make it valid against the {self.kind.name} schemas",
            )
        if len(errors) > MAX_SCHEMA_ERRORS:
            self.report.error(
                name,
                f"{len(errors) - MAX_SCHEMA_ERRORS} more schema errors",
                "fix the ones above first",
            )

    # -- identifiers and references --

    def check_identifiers(self) -> None:
        elements = [e for e in self.root.iter(etree.Element) if e.get("identifier") is not None]
        counts = Counter(e.get("identifier") for e in elements)
        for element in elements:
            identifier = element.get("identifier")
            if counts[identifier] > 1:
                self.report.error(
                    self.where(element),
                    f"identifier '{identifier}' is used {counts[identifier]} times",
                    "give each element its own",
                )
                counts[identifier] = 0  # report once

    def check_references(self) -> None:
        organizations = {o.get("identifier") for o in self.root.iter(self.tag("organization"))}
        resources = {r.get("identifier") for r in self.root.iter(self.tag("resource"))}
        holder = self.root.find(self.tag("organizations"))
        default = holder.get("default") if holder is not None else None
        if default and default not in organizations:
            self.report.error(
                self.where(holder),
                f"default organization '{default}' does not exist",
                "point 'default' at an organization's identifier",
            )
        for element in self.root.iter(self.tag("item"), self.tag("dependency")):
            target = element.get("identifierref")
            if target and target not in resources:
                self.report.error(
                    self.where(element),
                    f"identifierref '{target}' names no resource",
                    "point it at a resource's identifier",
                )

    def check_files(self) -> None:
        lowered = {name.lower(): name for name in self.archive.names}
        metadata_files = [
            (element, "", (element.text or "").strip())
            for element in self.root.iter(f"{{{ADLCP12}}}location", f"{{{ADLCP2004}}}location")
        ]
        for element, base, href in metadata_files + self.resource_files():
            if href:
                self.check_href(element, base, href, lowered)

    def check_href(self, element: etree._Element, base: str, href: str, lowered: dict) -> None:
        """`href` (under `base`, its xml:base) names a file of the zip or an http(s) address."""
        reference = href if _is_absolute(href) else posixpath.join(base, href)
        unsafe = _why_unsafe(reference)
        if unsafe:
            named = f"'{href}'" if reference == href else f"'{href}' under xml:base '{base}'"
            self.report.error(
                self.where(element),
                f"unsafe href {named}: {unsafe}",
                "name a file inside the package, with a relative path and '/' separators",
            )
            return
        if urlsplit(reference).scheme:
            if element.tag == self.tag("resource") and self.kind.family != "cc":
                self.report.warning(
                    self.where(element),
                    f"launches '{reference}' on another site",
                    "learners need to be online and that site must allow being framed",
                )
            return
        path = posixpath.normpath(unquote(urlsplit(reference).path))
        if path not in self.archive.names:
            self.report_missing(element, path, lowered)

    def report_missing(self, element: etree._Element, path: str, lowered: dict) -> None:
        if path.lower() in lowered:
            fix = (
                f"the zip has '{lowered[path.lower()]}': names are case-sensitive on "
                "the LMS's server; make them match"
            )
        else:
            fix = "add the file to the zip or correct the name"
        self.report.error(self.where(element), f"'{path}' is named but not in the zip", fix)

    def resource_files(self) -> list[tuple[etree._Element, str, str | None]]:
        """(element, xml:base, href) of every resource's entry point and files."""
        named = []
        for resource in self.root.iter(self.tag("resource")):
            base = self.base_of(resource)
            named.append((resource, base, resource.get("href")))
            named += [(file, base, file.get("href")) for file in resource.iter(self.tag("file"))]
        return named

    def base_of(self, resource: etree._Element) -> str:
        parts = [e.get(XML_BASE, "") for e in (self.root, resource.getparent(), resource)]
        return posixpath.join("", *parts)

    # -- SCORM --

    def check_scorm(self) -> None:
        is_2004 = self.kind.family == "scorm2004"
        type_attribute = f"{{{ADLCP2004}}}scormType" if is_2004 else f"{{{ADLCP12}}}scormtype"
        resources = {r.get("identifier"): r for r in self.root.iter(self.tag("resource"))}
        scos = [r for r in resources.values() if (r.get(type_attribute) or "").lower() == "sco"]
        if not scos:
            self.report.warning(
                MANIFEST,
                "no SCO (no resource of scormtype 'sco')",
                "the LMS cannot track anything: export with tracking enabled",
            )
        elif len(scos) > 1:
            self.report.warning(
                MANIFEST,
                f"{len(scos)} SCOs: in Moodle the activity is "
                "'completed' as soon as any one SCO is",
                "in the activity's "
                "settings, tick 'Require all SCOs to return completion status' "
                "and pick the grading method deliberately",
            )
        for item in self.root.iter(self.tag("item")):
            self.check_item(item, resources, is_2004)
        if is_2004:
            self.check_scorm2004()
        else:
            self.check_scorm12()

    def check_scorm12(self) -> None:
        if self.version != "1.2":
            self.report.warning(
                MANIFEST,
                f"schemaversion is '{self.version}', not '1.2'",
                "write <schemaversion>1.2</schemaversion> in the metadata",
            )
        # The SCORM 1.2 schema types these as strings; the specification bounds them.
        for element in self.root.iter(f"{{{ADLCP12}}}masteryscore"):
            self.check_decimal(
                element,
                Decimal(0),
                Decimal(100),
                "SCORM 1.2 mastery scores are percentages: write the passing score, e.g. 80",
            )
        for element in self.root.iter(f"{{{ADLCP12}}}maxtimeallowed"):
            value = (element.text or "").strip()
            if value and not CMI_TIMESPAN.fullmatch(value):
                self.report.error(
                    self.where(element),
                    f"adlcp:maxtimeallowed '{value}' is not a SCORM 1.2 timespan",
                    "write hours, minutes and seconds as HHHH:MM:SS.SS, e.g. 00:30:00",
                )

    def check_decimal(self, element: etree._Element, low: Decimal, high: Decimal, fix: str) -> None:
        """An element holding a decimal from `low` to `high`, or nothing."""
        value = (element.text or "").strip()
        if value and not (DECIMAL.fullmatch(value) and low <= Decimal(value) <= high):
            self.report.error(
                self.where(element),
                f"adlcp:{etree.QName(element).localname} '{value}' is not a number "
                f"from {low} to {high}",
                fix,
            )

    def check_item(self, item: etree._Element, resources: dict, is_2004: bool) -> None:
        target = item.get("identifierref")
        children = item.findall(self.tag("item"))
        if is_2004 and target and children:
            self.report.error(
                self.where(item),
                "an item with children launches a resource",
                "SCORM 2004 launches leaves only: move the resource to a child",
            )
        if is_2004 and not target and not children:
            self.report.error(
                self.where(item),
                "a leaf item launches nothing",
                "give it an identifierref, or remove it",
            )
        resource = resources.get(target)
        if resource is not None and not resource.get("href"):
            self.report.error(
                self.where(resource),
                "a launched resource has no href",
                "set href to its entry page",
            )

    def check_scorm2004(self) -> None:
        self.report.warning(
            MANIFEST,
            "the Moodle app plays SCORM 1.2 packages only",
            "learners on the app must use a browser; build SCORM 1.2 if the app matters",
        )
        if not MOODLE_2004_VERSIONS.match(self.version):
            shown = self.version or "missing"
            self.report.error(
                MANIFEST,
                f"schemaversion is {shown!r}: Moodle then plays the "
                "package as SCORM 1.2 and the SCO finds no API_1484_11",
                "write <schemaversion>2004 4th Edition</schemaversion> (or "
                "'2004 3rd Edition', 'CAM 1.3')",
            )
        # The 3rd edition's schema bounds this text to 0..1; the 4th edition's, which we
        # validate all editions against, takes any text (its threshold moved to attributes).
        for element in self.root.iter(f"{{{ADLCP2004}}}completionThreshold"):
            self.check_decimal(
                element,
                Decimal(0),
                Decimal(1),
                "write the fraction of the SCO to complete, e.g. 0.8 (in the 4th edition, "
                "as the minProgressMeasure attribute)",
            )
        advanced = {
            "sequencingRules",
            "limitConditions",
            "randomizationControls",
            "sequencingCollection",
            "mapInfo",
        }
        used = sorted(
            {
                etree.QName(e).localname
                for e in self.root.iter(f"{{{IMSSS}}}*", f"{{{ADLSEQ}}}*")
                if etree.QName(e).localname in advanced
            }
        )
        if used:
            self.report.warning(
                MANIFEST,
                f"sequencing with {', '.join(used)}: Moodle "
                "implements SCORM 2004 sequencing only in part",
                "test the navigation in Moodle before publishing",
            )

    # -- Common Cartridge --

    def check_cartridge(self) -> None:
        if self.kind.name.endswith(("1.2", "1.3")):
            self.report.warning(
                MANIFEST,
                f"Moodle imports Common Cartridge 1.0 and 1.1 only, "
                f"not {self.kind.name.rsplit(' ', 1)[1]}",
                "export the cartridge as CC 1.1 for Moodle",
            )
        if self.kind.schema_set != "imscc11":
            return
        for resource in self.root.iter(self.tag("resource")):
            schema_set = CC11_DESCRIPTORS.get(resource.get("type", ""))
            file = resource.find(self.tag("file"))
            if schema_set is None or file is None or not file.get("href"):
                continue
            name = posixpath.normpath(posixpath.join(self.base_of(resource), file.get("href")))
            if name not in self.archive.names:
                continue  # reported by check_files
            descriptor = _parse(self.archive, name, self.report)
            if descriptor is not None:
                self.report_schema_errors(name, validate(descriptor, schema_set))


def _is_absolute(href: str) -> bool:
    """A URL with a scheme, a Windows drive path, or a path from a root: xml:base is moot."""
    return bool(URL_SCHEME.match(href)) or href.startswith(("/", "\\"))


def _why_unsafe(reference: str) -> str | None:
    """Why a reference (resolved against its xml:base) is neither a file inside the package
    nor a web address, if it is not."""
    if WINDOWS_DRIVE.match(reference):
        return "an absolute Windows path points outside the package"
    scheme = urlsplit(reference).scheme.lower()
    if scheme == "file":
        return "a file: URL points outside the package"
    if scheme in ("http", "https"):
        return None
    if scheme:
        return f"a {scheme}: URL is neither a file of the package nor a web address"
    decoded = unquote(reference)
    if "\\" in decoded:
        return "a backslash is no URL separator (the LMS's server reads it as part of the name)"
    if decoded.startswith("/"):
        return "an absolute path points outside the package"
    if posixpath.normpath(unquote(urlsplit(reference).path)).split("/")[0] == "..":
        return "'..' leads out of the package"
    return None


def _without_namespace(root: etree._Element, namespace: str) -> etree._Element:
    document = copy.deepcopy(root)
    for element in list(document.iter(f"{{{namespace}}}*")):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    return document
