"""local_coursebridge in the double: its functions with the parameters its PHP declares (read by php.py),
its errors with its language strings, and what its code does to the course.

`install_plugin(site)` installs it (the double's site has it only then, like a real Moodle). A restore
reads the cartridge as Moodle's CC converter does: top-level items become sections 0, 1, 2 with the item's
title in the summary, HTML webcontent becomes a Page, a discussion topic a general forum whose description
is the topic text, an assessment a Quiz. A SCORM update keeps learners' attempts only when the new
package's manifest has the same identifier, since Moodle matches SCOs by identifier.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

from lms_sync.plugin import plugin_version

from .functions import FUNCTIONS, Function
from .php import execute_parameters, lang_strings, service_functions
from .site import MoodleException, Section, Site, Token, invalid_parameter, moodle_exception, no_permission

CP = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
DT = "{http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1}"
MODULE_OF_TYPE = {"imsdt_xmlv1p1": "forum", "imsqti_xmlv1p2/imscc_xmlv1p1/assessment": "quiz", "imswl_xmlv1p1": "url"}
# Names Moodle shows for the core capabilities the plugin checks (their lang strings).
CAPABILITY_NAMES = {
    "moodle/restore:restorecourse": "Restore courses",
    "moodle/course:manageactivities": "Manage activities",
}


@dataclass
class Module:
    cmid: int
    course: int
    section: int
    modname: str
    name: str
    instance: int
    content: str = ""  # a page's HTML
    settings: dict = field(default_factory=dict)  # a SCORM activity's, as the PHP sets them
    manifest: str = ""  # a SCORM package's manifest identifier
    attempts: list[int] = field(default_factory=list)  # user ids, one per attempt (quiz, SCORM)


@dataclass
class Installed:
    version: int
    release: str = "0.1.0"
    modules: dict[int, Module] = field(default_factory=dict)  # by cmid
    items: dict[tuple[int, str], tuple[int, str]] = field(default_factory=dict)  # (course, itemkey) -> (cmid, hash)
    next_instance: int = 1

    def item(self, courseid: int, itemkey: str) -> Module | None:
        found = self.items.get((courseid, itemkey))
        return self.modules.get(found[0]) if found else None

    def save(self, courseid: int, itemkey: str, cmid: int, contenthash: str) -> None:
        self.items[(courseid, itemkey)] = (cmid, contenthash)


def install_plugin(site: Site, version: int | None = None) -> Installed:
    site.plugin = Installed(version or plugin_version())
    return site.plugin


def plugin_exception(errorcode: str, **values) -> MoodleException:
    message = lang_strings("en")[errorcode]
    for name, value in values.items():
        message = message.replace(f"{{$a->{name}}}" if name != "a" else "{$a}", str(value))
    return moodle_exception(errorcode, message)


def plugin_function(name: str):
    """Register a plugin function with the parameters its class declares."""

    def register(run):
        declared = service_functions()[name]
        FUNCTIONS[name] = Function(name, execute_parameters(name), declared["type"] == "write", run)
        return run

    return register


def course_context(site: Site, token: Token, courseid: int, *capabilities: str):
    """validate_context() on the course, then require_capability() for each capability, in the PHP's order."""
    course = site.course(courseid)
    for capability in ("local/coursebridge:publish", *capabilities):
        if not token.has(capability):
            raise no_permission(CAPABILITY_NAMES.get(capability) or lang_strings("en")["coursebridge:publish"])
    return course


def draft_file(site: Site, token: Token, draftitemid: int):
    draft = site.drafts.get(draftitemid)
    if draft is None or draft.userid != token.userid:
        raise plugin_exception("nodraftfile", a=draftitemid)
    return draft


def new_module(site: Site, course, section: int, modname: str, name: str, **fields) -> Module:
    plugin = site.plugin
    module = Module(site.new_id("cm"), course.id, section, modname, name, plugin.next_instance, **fields)
    plugin.next_instance += 1
    plugin.modules[module.cmid] = module
    return module


def ensure_section(site: Site, course, number: int) -> Section:
    for section in course.sections:
        if section.number == number:
            return section
    section = Section(site.new_id("section"), number)
    course.sections.append(section)
    return section


# --- the functions ------------------------------------------------------------------------------


@plugin_function("local_coursebridge_get_status")
def get_status(site: Site, token: Token, p: dict):
    if p["courseid"]:
        course_context(site, token, p["courseid"])
    elif not token.has("local/coursebridge:publish"):
        raise no_permission(lang_strings("en")["coursebridge:publish"])
    return {
        "component": "local_coursebridge",
        "version": site.plugin.version,
        "release": site.plugin.release,
        "capabilities": [{"name": name, "allowed": token.has(name)} for name in p["capabilities"]],
    }


@plugin_function("local_coursebridge_get_items")
def get_items(site: Site, token: Token, p: dict):
    course_context(site, token, p["courseid"])
    plugin = site.plugin
    rows = []
    for (courseid, itemkey), (cmid, contenthash) in sorted(plugin.items.items()):
        module = plugin.modules.get(cmid)
        if courseid != p["courseid"] or module is None:
            continue
        attempts = len(module.attempts) if module.modname in {"quiz", "scorm"} else 0
        rows.append({"itemkey": itemkey, "cmid": cmid, "modname": module.modname, "instance": module.instance,
                     "contenthash": contenthash, "attempts": attempts})
    return {"items": rows}


@plugin_function("local_coursebridge_restore_cartridge")
def restore_cartridge(site: Site, token: Token, p: dict):
    course = course_context(site, token, p["courseid"], "moodle/restore:restorecourse")
    if any(courseid == course.id for courseid, _ in site.plugin.items):
        raise plugin_exception("coursenotempty")
    draft = draft_file(site, token, p["draftitemid"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(draft.content))
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        raise plugin_exception("notacartridge", a="unknown") from None
    if manifest.tag != f"{CP}manifest":
        raise plugin_exception("notacartridge", a="unknown")
    restored = restore_organisation(site, course, archive, manifest)
    found: dict[int, Module] = {}
    for by_name in (True, False):  # then by order, for a name the converter wrote differently
        for index, item in enumerate(p["items"]):
            taken = {m.cmid for m in found.values()}
            module = next((m for m in restored if index not in found and m.cmid not in taken and m.modname == item["modname"]
                           and (not by_name or m.name == item["name"])), None)
            if module is not None:
                found[index] = module
    modules = []
    for index, module in sorted(found.items()):
        item = p["items"][index]
        site.plugin.save(course.id, item["itemkey"], module.cmid, item["contenthash"])
        modules.append({"itemkey": item["itemkey"], "cmid": module.cmid, "modname": module.modname,
                        "instance": module.instance, "section": module.section})
    return {"modules": modules}


def restore_organisation(site: Site, course, archive: zipfile.ZipFile, manifest) -> list[Module]:
    resources = {resource.get("identifier"): resource for resource in manifest.iter(f"{CP}resource")}
    restored = []
    for number, top in enumerate(manifest.find(f"{CP}organizations/{CP}organization/{CP}item")):
        section = ensure_section(site, course, number)
        section.summary = top.findtext(f"{CP}title") or ""
        for element in top.iter(f"{CP}item"):
            resource = resources.get(element.get("identifierref"))
            if resource is not None:
                restored.append(restore_resource(site, course, number, element.findtext(f"{CP}title"), resource, archive))
    return restored


def restore_resource(site: Site, course, section: int, title: str, resource, archive) -> Module:
    kind, href = resource.get("type"), resource.get("href") or ""
    modname = MODULE_OF_TYPE.get(kind) or ("page" if href.endswith(".html") else "resource")
    if modname == "forum":
        topic = etree.fromstring(archive.read(resource.find(f"{CP}file").get("href")))
        forum = site.add_forum(course.id, title, intro=topic.findtext(f"{DT}text") or "")
        module = Module(forum.cmid, course.id, section, "forum", title, forum.id)
        site.plugin.modules[module.cmid] = module
        return module
    content = lxml_html.tostring(lxml_html.fromstring(archive.read(href)).find("body"), encoding="unicode") if modname == "page" else ""
    return new_module(site, course, section, modname, title, content=content)


@plugin_function("local_coursebridge_save_scorm")
def save_scorm(site: Site, token: Token, p: dict):
    course = course_context(site, token, p["courseid"], "moodle/course:manageactivities")
    if p["completion"] not in {"passed", "completed"}:
        raise invalid_parameter("completion must be passed or completed")
    draft = draft_file(site, token, p["draftitemid"])
    manifest = etree.fromstring(zipfile.ZipFile(io.BytesIO(draft.content)).read("imsmanifest.xml")).get("identifier")
    settings = {
        "name": p["name"], "intro": p["intro"], "grademethod": 1, "maxgrade": 100, "whatgrade": 0, "maxattempt": p["maxattempt"],
        "popup": 0, "displaycoursestructure": 0, "hidetoc": 3, "nav": 0, "skipview": 2, "completion": 2,
        "completionstatusrequired": {"passed": 2, "completed": 4}[p["completion"]],
        "completionscorerequired": p["completionscore"] or None, "package": draft.filename,
    }
    module = site.plugin.item(course.id, p["itemkey"])
    created = module is None
    if not created:
        require_module(module, p["itemkey"], "scorm")
        if module.manifest != manifest:  # scorm_parse() replaces SCOs it cannot match: their tracks are lost
            module.attempts = []
        module.settings, module.manifest, module.name = settings, manifest, p["name"]
    else:
        ensure_section(site, course, p["section"])
        module = new_module(site, course, p["section"], "scorm", p["name"], settings=settings, manifest=manifest)
    site.plugin.save(course.id, p["itemkey"], module.cmid, p["contenthash"])
    return {"cmid": module.cmid, "instance": module.instance, "created": created}


@plugin_function("local_coursebridge_create_forum")
def create_forum(site: Site, token: Token, p: dict):
    course = course_context(site, token, p["courseid"], "moodle/course:manageactivities")
    if p["type"] not in {"general", "eachuser", "qanda", "single", "blog"}:
        raise invalid_parameter("type must be one of general, eachuser, qanda, single, blog")
    if p["groupmode"] not in {0, 1, 2}:
        raise invalid_parameter("groupmode must be 0, 1 or 2")
    module = site.plugin.item(course.id, p["itemkey"])
    if module is not None:
        require_module(module, p["itemkey"], "forum")
        return {"cmid": module.cmid, "instance": module.instance, "created": False}
    ensure_section(site, course, p["section"])
    forum = site.add_forum(course.id, p["name"], type=p["type"], intro=p["intro"], groupmode=p["groupmode"])
    site.plugin.modules[forum.cmid] = Module(forum.cmid, course.id, p["section"], "forum", p["name"], forum.id)
    site.plugin.save(course.id, p["itemkey"], forum.cmid, p["contenthash"])
    return {"cmid": forum.cmid, "instance": forum.id, "created": True}


@plugin_function("local_coursebridge_update_page")
def update_page(site: Site, token: Token, p: dict):
    course = course_context(site, token, p["courseid"])
    module = site.plugin.item(course.id, p["itemkey"])
    if module is None:
        raise plugin_exception("unknownitem", a=p["itemkey"])
    require_module(module, p["itemkey"], "page")
    if not token.has("moodle/course:manageactivities"):
        raise no_permission(CAPABILITY_NAMES["moodle/course:manageactivities"])
    module.name, module.content = p["name"], p["content"]
    site.plugin.save(course.id, p["itemkey"], module.cmid, p["contenthash"])
    return {"cmid": module.cmid}


def require_module(module: Module, itemkey: str, expected: str) -> None:
    if module.modname != expected:
        raise plugin_exception("wrongmodule", itemkey=itemkey, modname=module.modname, expected=expected)


from . import report_reads  # noqa: E402, F401  (the bulk SCORM read sits with the report's other reads)

if not all(name in FUNCTIONS for name in service_functions()):
    missing = sorted(set(service_functions()) - set(FUNCTIONS))
    raise NotImplementedError(f"the double does not implement {', '.join(missing)}")
