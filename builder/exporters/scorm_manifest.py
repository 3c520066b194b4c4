"""imsmanifest.xml for SCORM 1.2 and SCORM 2004 4th edition.

One SCO holds the whole course (docs/scorm.md explains why). The organization has a
non-launchable root item (the course) with the SCO beneath it. Identifiers derive from
the course id and its major version only, so rebuilding and re-uploading a package keeps
the learners' history in the LMS; a new major version starts a new history on purpose.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from builder import model
from builder.markdown import typeset

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

CP12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MD12 = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"

CP2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
ADLSEQ = "http://www.adlnet.org/xsd/adlseq_v1p3"
ADLNAV = "http://www.adlnet.org/xsd/adlnav_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"

MANIFEST = "imsmanifest.xml"
METADATA12 = "metadata.xml"


@dataclass(frozen=True)
class ManifestInfo:
    """What both manifests say about the course."""

    course: model.Course
    description: str  # plain text
    learning_time: str | None  # ISO 8601 duration
    launch: str  # the SCO's entry page
    files: list[str]  # every file the SCO uses

    @property
    def identifier(self) -> str:
        return package_identifier(self.course)

    @property
    def title(self) -> str:
        """The course title as its pages show it (French spacing in French)."""
        return typeset(self.course.title, self.course.language)

    @property
    def has_score(self) -> bool:
        return bool(self.course.graded_quizzes)


def package_identifier(course: model.Course) -> str:
    return f"coursebridge-{course.id}-v{course.major_version}"


def learning_time(course: model.Course) -> str | None:
    """The course's duration, else the sum of its activities' durations."""
    if course.duration:
        minutes = round(course.duration.hours * 60)
    else:
        minutes = sum(int(a.duration or 0) for _, _, a in course.activities())
    if not minutes:
        return None
    hours, rest = divmod(minutes, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def _ids(course: model.Course) -> dict[str, str]:
    return {
        "organization": f"{course.id}-organization",
        "root": f"{course.id}-course",
        "sco": f"{course.id}-sco",
        "resource": f"{course.id}-resource",
    }


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        element.text = text
    return element


# --- SCORM 1.2 ------------------------------------------------------------------------------


def scorm12_manifest(info: ManifestInfo) -> dict[str, bytes]:
    """The manifest, and the LOM metadata in its own file: SCORM 1.2's LOM schema cannot be
    loaded by libxml2, and the manifest's wildcard would demand it for inline metadata."""
    course, ids = info.course, _ids(info.course)
    cp = f"{{{CP12}}}"
    root = etree.Element(
        cp + "manifest",
        {
            "identifier": info.identifier,
            "version": course.version,
            f"{{{XSI}}}schemaLocation": (
                f"{CP12} imscp_rootv1p1p2.xsd {ADLCP12} adlcp_rootv1p2.xsd"
            ),
        },
        nsmap={None: CP12, "adlcp": ADLCP12, "xsi": XSI},
    )
    metadata = _sub(root, cp + "metadata")
    _sub(metadata, cp + "schema", "ADL SCORM")
    _sub(metadata, cp + "schemaversion", "1.2")
    _sub(metadata, f"{{{ADLCP12}}}location", METADATA12)

    organizations = _sub(root, cp + "organizations", default=ids["organization"])
    organization = _sub(organizations, cp + "organization", identifier=ids["organization"])
    _sub(organization, cp + "title", info.title)
    course_item = _sub(organization, cp + "item", identifier=ids["root"], isvisible="true")
    _sub(course_item, cp + "title", info.title)
    sco = _sub(
        course_item,
        cp + "item",
        identifier=ids["sco"],
        identifierref=ids["resource"],
        isvisible="true",
    )
    _sub(sco, cp + "title", info.title)
    if info.has_score:
        _sub(sco, f"{{{ADLCP12}}}masteryscore", str(course.passing_score))

    _sco_resource(root, cp, ids, info, f"{{{ADLCP12}}}scormtype")
    return {MANIFEST: _serialise(root), METADATA12: _lom12(info)}


def _lom12(info: ManifestInfo) -> bytes:
    md, language = f"{{{MD12}}}", info.course.language
    lom = etree.Element(
        md + "lom",
        {f"{{{XSI}}}schemaLocation": f"{MD12} imsmd_rootv1p2p1.xsd"},
        nsmap={None: MD12, "xsi": XSI},
    )
    general = _sub(lom, md + "general")
    _sub(_sub(general, md + "title"), md + "langstring", info.title, **{XML_LANG: language})
    _sub(general, md + "language", language)
    if info.description:
        description = _sub(general, md + "description")
        _sub(description, md + "langstring", info.description, **{XML_LANG: language})
    if info.learning_time:
        educational = _sub(lom, md + "educational")
        _sub(_sub(educational, md + "typicallearningtime"), md + "datetime", info.learning_time)
    return _serialise(lom)


# --- SCORM 2004 4th edition -------------------------------------------------------------------


def scorm2004_manifest(info: ManifestInfo) -> dict[str, bytes]:
    course, ids = info.course, _ids(info.course)
    cp, ss = f"{{{CP2004}}}", f"{{{IMSSS}}}"
    root = etree.Element(
        cp + "manifest",
        {
            "identifier": info.identifier,
            "version": course.version,
            f"{{{XSI}}}schemaLocation": (
                f"{CP2004} imscp_v1p1.xsd {ADLCP2004} adlcp_v1p3.xsd {ADLSEQ} adlseq_v1p3.xsd "
                f"{ADLNAV} adlnav_v1p3.xsd {IMSSS} imsss_v1p0.xsd"
            ),
        },
        nsmap={
            None: CP2004,
            "adlcp": ADLCP2004,
            "adlseq": ADLSEQ,
            "adlnav": ADLNAV,
            "imsss": IMSSS,
            "xsi": XSI,
        },
    )
    metadata = _sub(root, cp + "metadata")
    _sub(metadata, cp + "schema", "ADL SCORM")
    _sub(metadata, cp + "schemaversion", "2004 4th Edition")
    _lom2004(metadata, info)

    organizations = _sub(root, cp + "organizations", default=ids["organization"])
    organization = _sub(organizations, cp + "organization", identifier=ids["organization"])
    _sub(organization, cp + "title", info.title)
    course_item = _sub(organization, cp + "item", identifier=ids["root"])
    _sub(course_item, cp + "title", info.title)
    sco = _sub(course_item, cp + "item", identifier=ids["sco"], identifierref=ids["resource"])
    _sub(sco, cp + "title", info.title)
    _sco_sequencing(sco, info)
    _hide_lms_navigation(sco)
    _course_rollup(course_item)
    _sub(_sub(organization, ss + "sequencing"), ss + "controlMode", choice="true", flow="true")

    _sco_resource(root, cp, ids, info, f"{{{ADLCP2004}}}scormType")
    return {MANIFEST: _serialise(root)}


def _sco_resource(root, cp: str, ids: dict, info: ManifestInfo, scorm_type: str) -> None:
    """The one SCO resource, listing every file of the package."""
    resources = _sub(root, cp + "resources")
    resource = _sub(
        resources, cp + "resource", identifier=ids["resource"], type="webcontent", href=info.launch
    )
    resource.set(scorm_type, "sco")
    for path in info.files:
        _sub(resource, cp + "file", href=path)


def _lom2004(metadata: etree._Element, info: ManifestInfo) -> None:
    lom_ns, language = f"{{{LOM}}}", info.course.language
    lom = etree.SubElement(metadata, lom_ns + "lom", nsmap={None: LOM})
    general = _sub(lom, lom_ns + "general")
    _sub(_sub(general, lom_ns + "title"), lom_ns + "string", info.title, language=language)
    _sub(general, lom_ns + "language", language)
    if info.description:
        description = _sub(general, lom_ns + "description")
        _sub(description, lom_ns + "string", info.description, language=language)
    if info.learning_time:
        educational = _sub(lom, lom_ns + "educational")
        time = _sub(educational, lom_ns + "typicalLearningTime")
        _sub(time, lom_ns + "duration", info.learning_time)


def _sco_sequencing(sco: etree._Element, info: ManifestInfo) -> None:
    """The SCO sets its completion; it is satisfied (passed) when its score reaches the
    passing score, which the LMS gives it as cmi.scaled_passing_score."""
    ss = f"{{{IMSSS}}}"
    sequencing = _sub(sco, ss + "sequencing")
    if info.has_score:
        objectives = _sub(sequencing, ss + "objectives")
        primary = _sub(
            objectives,
            ss + "primaryObjective",
            objectiveID="passing-score",
            satisfiedByMeasure="true",
        )
        _sub(primary, ss + "minNormalizedMeasure", _scaled(info.course.passing_score))
    _sub(
        sequencing,
        ss + "deliveryControls",
        tracked="true",
        completionSetByContent="true",
        objectiveSetByContent="true",
    )


def _hide_lms_navigation(sco: etree._Element) -> None:
    """The SCO navigates inside itself: the LMS's previous/continue buttons would lead
    nowhere, so ask the LMS not to show them."""
    presentation = _sub(sco, f"{{{ADLNAV}}}presentation")
    interface = _sub(presentation, f"{{{ADLNAV}}}navigationInterface")
    for control in ("previous", "continue"):
        _sub(interface, f"{{{ADLNAV}}}hideLMSUI", control)


def _course_rollup(course_item: etree._Element) -> None:
    """The course is completed when every part is, satisfied when every assessed part is
    (the SCO's primary objective); incomplete and not satisfied as soon as one part is not."""
    ss = f"{{{IMSSS}}}"
    sequencing = _sub(course_item, ss + "sequencing")
    _sub(sequencing, ss + "controlMode", choice="true", flow="true")
    rules = _sub(
        sequencing,
        ss + "rollupRules",
        rollupObjectiveSatisfied="true",
        rollupProgressCompletion="true",
    )
    for child_set, operator, condition, action in (
        ("all", "noOp", "completed", "completed"),
        ("any", "not", "completed", "incomplete"),
        ("all", "noOp", "satisfied", "satisfied"),
        ("any", "not", "satisfied", "notSatisfied"),
    ):
        rule = _sub(rules, ss + "rollupRule", childActivitySet=child_set)
        conditions = _sub(rule, ss + "rollupConditions")
        _sub(conditions, ss + "rollupCondition", operator=operator, condition=condition)
        _sub(rule, ss + "rollupAction", action=action)


def _scaled(percent: int) -> str:
    return f"{percent / 100:.4f}".rstrip("0").rstrip(".") if percent % 100 else f"{percent // 100}"
