"""The course's content in Moodle: the sync file's `content:` section, the package it publishes, and its plan.

Two routes. `cartridge`: the Common Cartridge is restored once into the course (pages, forums, quizzes);
later runs update in place the pages whose source changed. `scorm`: one SCORM activity, whose package is
uploaded again only when its hash changed (learners keep their attempts), and a forum per discussion prompt.
Both go through the Moodle plugin local_coursebridge, which remembers which module came from which item.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import tempfile
import zipfile
from dataclasses import dataclass, field
from functools import cached_property
from io import BytesIO
from pathlib import Path

import yaml
from lxml import etree
from lxml import html as lxml_html

from builder.exporters import get_exporter
from builder.loader import load_course
from builder.model import Discussion
from lms_sync.client import MoodleClient
from lms_sync.course_source import moodle_html
from lms_sync.errors import MissingCapabilityError
from lms_sync.located import NodeReader, expected_one_of
from lms_sync.plugin import INSTALL_HINT, plugin_version

ROUTES = ("cartridge", "scorm")
SCORM_VERSIONS = {"1.2": "scorm12", "2004": "scorm2004"}
GROUP_MODES = {"none": 0, "separate": 1, "visible": 2}
SCORM_ITEM = "scorm"
STATUS = "local_coursebridge_get_status"

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
# What Moodle's CC converter makes of each resource type (docs/imscc.md).
MODULE_OF_TYPE = {"imsdt_xmlv1p1": "forum", "imsqti_xmlv1p2/imscc_xmlv1p1/assessment": "quiz", "imswl_xmlv1p1": "url"}


@dataclass(frozen=True)
class ContentSpec:
    route: str
    course_folder: Path
    scorm_version: str = "1.2"
    section: int = 0  # the SCORM route's activity and forums go there
    attempts: int = 0  # 0: unlimited
    completion_score: int | None = None
    forum_groupmode: int = 0

    @cached_property
    def publication(self) -> Publication:
        return build_publication(self)


@dataclass(frozen=True)
class Item:
    """One thing the package puts in Moodle, found again by its key (an activity id, or `scorm`)."""

    key: str
    modname: str  # page, forum, quiz, url, resource, scorm
    name: str
    contenthash: str
    content: str = ""  # a page's HTML; a forum's or the SCORM activity's description


@dataclass
class Publication:
    filename: str
    package: bytes
    items: list[Item]  # cartridge: every item, in cartridge order; scorm: the activity, then the forums
    completion: str = "passed"  # scorm: the status that completes the activity

    def of_module(self, modname: str) -> list[Item]:
        return [item for item in self.items if item.modname == modname]


@dataclass(frozen=True)
class PublishedItem:
    cmid: int
    modname: str
    instance: int
    contenthash: str
    attempts: int


@dataclass
class ContentState:
    unusable: str | None  # why the plugin cannot be used, or None
    items: dict[str, PublishedItem] = field(default_factory=dict)
    # Activities of a course where nothing was published (its announcements forum aside): a restore would add to them.
    other_activities: int = 0


def sha256(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


# --- the sync file's content: section ------------------------------------------------------------


def load_content_spec(read: NodeReader, node: yaml.Node, course_folder: Path | None, has_source: bool) -> ContentSpec | None:
    """The `content:` section; None when it has problems (recorded in `read`) or the course did not load."""
    keys = read.mapping(node, "content", ("route",), ("scorm", "section", "attempts", "completion_score", "forum_groupmode"))
    if keys is None:
        return None
    route = read.text(keys.get("route"), "content.route")
    if route is not None and route not in ROUTES:
        read.fail(keys["route"], "content.route", expected_one_of(ROUTES, route))
    scorm_only = [key for key in keys if key not in {"route", "completion_score"} and route == "cartridge"]
    for key in scorm_only:
        read.fail(keys[key], f"content.{key}", "only for `route: scorm` (the cartridge decides where everything goes)")
    version = read.text(keys.get("scorm"), "content.scorm") or "1.2"
    if version not in SCORM_VERSIONS:
        read.fail(keys["scorm"], "content.scorm", expected_one_of(tuple(SCORM_VERSIONS), version))
    groupmode = read.text(keys.get("forum_groupmode"), "content.forum_groupmode") or "none"
    if groupmode not in GROUP_MODES:
        read.fail(keys["forum_groupmode"], "content.forum_groupmode", expected_one_of(tuple(GROUP_MODES), groupmode))
    score = read.integer(keys.get("completion_score"), "content.completion_score")
    if score is not None and not 1 <= score <= 100:
        read.fail(keys["completion_score"], "content.completion_score", "expected a score from 1 to 100")
    if course_folder is None:
        if not has_source:  # else the course's own problems are reported
            read.fail(node, "content", "the content comes from the course: add `source:` under course:")
        return None
    if route not in ROUTES or version not in SCORM_VERSIONS or groupmode not in GROUP_MODES:
        return None
    return ContentSpec(
        route,
        course_folder,
        scorm_version=version,
        section=read.integer(keys.get("section"), "content.section") or 0,
        attempts=read.integer(keys.get("attempts"), "content.attempts") or 0,
        completion_score=score,
        forum_groupmode=GROUP_MODES[groupmode],
    )


# --- what is published ---------------------------------------------------------------------------


def build_publication(spec: ContentSpec) -> Publication:
    """Build the package from the course folder (reproducible: same sources, same bytes, same hashes)."""
    course = load_course(spec.course_folder)
    exporter = get_exporter("imscc" if spec.route == "cartridge" else SCORM_VERSIONS[spec.scorm_version])
    with tempfile.TemporaryDirectory(prefix="coursebridge-publish-") as folder:
        built = exporter.build(course, Path(folder)).output
        package = built.read_bytes()
    if spec.route == "cartridge":
        return Publication(built.name, package, cartridge_items(package))
    settings = json.dumps([spec.attempts, spec.completion_score, spec.section], sort_keys=True)
    scorm = Item(SCORM_ITEM, "scorm", course.title, sha256(package, settings), moodle_html(course.description))
    completion = "passed" if course.graded_quizzes else "completed"
    return Publication(built.name, package, [scorm, *prompt_forums(course)], completion)


def prompt_forums(course) -> list[Item]:
    """The forums the discussion prompts go to: the one each activity names (`forum:`), else one named after it.

    Prompts naming the same forum share it; the forum's key is the first such activity's id.
    """
    by_name: dict[str, list] = {}
    for activity in course.activities_of(Discussion):
        by_name.setdefault(activity.forum or activity.title, []).append(activity)
    return [
        Item(prompts[0].id, "forum", name, sha256(name), moodle_html(prompts[0].prompt) if len(prompts) == 1 and not prompts[0].forum else "")
        for name, prompts in by_name.items()
    ]


def cartridge_items(package: bytes) -> list[Item]:
    """The cartridge's items as Moodle's converter turns them into modules, each hashed from its files."""
    archive = zipfile.ZipFile(BytesIO(package))
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    resources = {resource.get("identifier"): resource for resource in manifest.iter(f"{CP}resource")}
    items = []
    for section in manifest.find(f"{CP}organizations/{CP}organization/{CP}item"):
        for element in section.iter(f"{CP}item"):
            resource = resources.get(element.get("identifierref"))
            if resource is None:
                continue
            files = sorted(file.get("href") for file in resource.iter(f"{CP}file"))
            modname, content = _module_of(resource, archive)
            key = element.get("identifier").removeprefix("I.")
            contents = [archive.read(name) for name in files if name in archive.namelist()]
            items.append(Item(key, modname, element.findtext(f"{CP}title"), sha256(*files, *contents), content))
    return items


def _module_of(resource, archive: zipfile.ZipFile) -> tuple[str, str]:
    kind, href = resource.get("type"), resource.get("href") or ""
    if kind in MODULE_OF_TYPE:
        return MODULE_OF_TYPE[kind], ""
    if href.endswith(".html"):  # Moodle inlines an HTML webcontent as a Page
        body = lxml_html.fromstring(archive.read(href)).find("body")
        inner = (body.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in body)
        return "page", inner
    return "resource", posixpath.basename(href)


# --- what Moodle has -----------------------------------------------------------------------------


def read_content_state(client: MoodleClient, site_functions: set[str], courseid: int | None) -> ContentState:
    if STATUS not in site_functions:
        return ContentState("is not installed, or its functions are not in the token's external service")
    try:
        status = client.call(STATUS, {"courseid": courseid or 0})
    except MissingCapabilityError:
        return ContentState("cannot be used: the token's user lacks local/coursebridge:publish; allow it in that user's role")
    if status["version"] < plugin_version():
        return ContentState(f"is too old (version {status['version']}; this coursebridge needs {plugin_version()} or later)")
    if courseid is None:
        return ContentState(None)
    rows = client.call("local_coursebridge_get_items", {"courseid": courseid})["items"]
    items = {row["itemkey"]: PublishedItem(row["cmid"], row["modname"], row["instance"], row["contenthash"], row["attempts"]) for row in rows}
    return ContentState(None, items, 0 if items else _other_activities(client, courseid))


def _other_activities(client: MoodleClient, courseid: int) -> int:
    news = {forum["cmid"] for forum in client.call("mod_forum_get_forums_by_courses", {"courseids": [courseid]}) if forum["type"] == "news"}
    contents = client.call("core_course_get_contents", {"courseid": courseid})
    return sum(1 for section in contents for module in section.get("modules", []) if module["id"] not in news)
