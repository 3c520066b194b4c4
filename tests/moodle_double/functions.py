"""The web service functions the double implements, following Moodle 5.1's externallib code.

Each entry: parameter description (validated like Moodle), whether it writes, and the code.
Functions that Moodle runs in one delegated transaction (most writes) change nothing when any
item fails: they work on a copy and commit at the end.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from .params import Multiple, Single, Value, default, optional, strip_tags
from .site import (
    DEFAULT_NUMSECTIONS,
    Category,
    Cohort,
    Course,
    Discussion,
    Group,
    Post,
    MoodleException,
    Section,
    Site,
    Token,
    invalid_parameter,
    missing_record,
    missing_record_from_query,
    moodle_exception,
    no_permission,
)

EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)*$")
AUTH_PLUGINS = {"manual", "nologin", "email", "ldap", "oauth2", "saml2", "shibboleth", "cas", "db", "lti"}
INTERNAL_AUTH = {"manual", "email", "nologin"}
LANGS = {"en"}
PICTURE = "/theme/image.php/boost/core/1795238583/u/f"

# Custom profile fields, declared alike by the functions that accept them.
CUSTOM_FIELDS = optional(Multiple(Single({"shortname": Value("alphanumext"), "value": Value("raw")})))


@dataclass
class Function:
    name: str
    params: Single
    writes: bool
    run: Callable[[Site, Token, dict], object]
    transactional: bool = False


FUNCTIONS: dict[str, Function] = {}
# Functions that exist in Moodle but not here: a token lacking them gets accessexception, as in Moodle.
MOODLE_FUNCTIONS_NOT_IMPLEMENTED = frozenset(
    {
        "core_course_delete_courses",
        "core_user_delete_users",
        "core_cohort_delete_cohorts",
        "core_role_assign_roles",
        "core_files_upload",
        "mod_scorm_get_scorm_user_data",
    }
)


def function(name: str, params: dict, *, writes: bool = False, transactional: bool = False):
    def register(run):
        FUNCTIONS[name] = Function(name, Single(params), writes, run, transactional)
        return run

    return register


def require(token: Token, capability: str, what: str) -> None:
    if not token.has(capability):
        raise no_permission(what)


def now() -> int:
    return int(time.time())


# --- site ---------------------------------------------------------------------------------------


@function("core_webservice_get_site_info", {"serviceshortnames": default(Multiple(Value("alphanumext")), [])})
def get_site_info(site: Site, token: Token, p: dict):
    user = site.users[token.userid]
    return {
        "sitename": site.name,
        "username": user.username,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "fullname": f"{user.firstname} {user.lastname}",
        "lang": "en",
        "userid": user.id,
        "siteurl": site.url,
        "userpictureurl": f"{site.url}{PICTURE}1",
        "functions": [{"name": name, "version": "2025100600.02"} for name in sorted(token.functions) if site.has_function(name)],
        "downloadfiles": 1,
        "uploadfiles": 1,
        "release": "5.1+ (Build: 20251017)",
        "version": "2025100600.02",
        "mobilecssurl": "",
        "advancedfeatures": [{"name": "usecomments", "value": 1}, {"name": "enablecompletion", "value": 1}],
        "usercanmanageownfiles": True,
        "userquota": 0,
        "usermaxuploadfilesize": -1,
        "userhomepage": 1,
        "userprivateaccesskey": "0" * 32,
        "siteid": 1,
        "sitecalendartype": "gregorian",
        "usercalendartype": "gregorian",
        "userissiteadmin": token.capabilities is None,
        "theme": "boost",
        "limitconcurrentlogins": 0,
        "policyagreed": 0,
    }


# --- categories and courses ---------------------------------------------------------------------


def category_record(site: Site, category: Category) -> dict:
    depth, path, node = 1, f"/{category.id}", category
    while node.parent:
        node = site.categories[node.parent]
        depth += 1
        path = f"/{node.id}{path}"
    return {
        "id": category.id,
        "name": format_string(category.name),
        "idnumber": category.idnumber,
        "description": category.description,
        "descriptionformat": 1,
        "parent": category.parent,
        "sortorder": category.id * 10000,
        "coursecount": sum(1 for c in site.courses.values() if c.categoryid == category.id),
        "visible": 1,
        "visibleold": 1,
        "timemodified": now(),
        "depth": depth,
        "path": path,
        "theme": "",
    }


@function(
    "core_course_get_categories",
    {
        "criteria": default(Multiple(Single({"key": Value("alpha"), "value": Value("raw")})), []),
        "addsubcategories": default(Value("bool"), True),
    },
)
def get_categories(site: Site, token: Token, p: dict):
    categories = list(site.categories.values())
    for criterion in p["criteria"]:
        key, value = criterion["key"], criterion["value"]
        if key not in {"id", "ids", "name", "parent", "idnumber", "visible", "theme"}:
            raise invalid_parameter(f"The key '{key}' is not valid")
        if key == "ids":
            wanted = {int(v) for v in value.split(",") if v.strip()}
            categories = [c for c in categories if c.id in wanted]
        elif key != "visible":
            categories = [c for c in categories if str(getattr(c, key)) == value]
    return [category_record(site, c) for c in categories]


@function(
    "core_course_create_categories",
    {
        "categories": Multiple(
            Single(
                {
                    "name": Value("text"),
                    "parent": default(Value("int"), 0),
                    "idnumber": optional(Value("raw")),
                    "description": optional(Value("raw")),
                    "descriptionformat": default(Value("int"), 1),
                    "theme": optional(Value("alphanumext")),
                }
            )
        )
    },
    writes=True,
    transactional=True,
)
def create_categories(site: Site, token: Token, p: dict):
    require(token, "moodle/category:manage", "Manage course categories")
    created = []
    for item in p["categories"]:
        if item["parent"] and item["parent"] not in site.categories:
            raise missing_record("course_categories")
        if item.get("idnumber") and any(c.idnumber == item["idnumber"] for c in site.categories.values()):
            raise moodle_exception("categoryidnumbertaken", "ID number is already used for another category")
        category = Category(site.new_id("category"), item["name"], item["parent"], item.get("idnumber", ""), item.get("description", ""))
        site.categories[category.id] = category
        created.append({"id": category.id, "name": category.name})
    return created


def course_record(site: Site, course) -> dict:
    return {
        "id": course.id,
        "fullname": format_string(course.fullname),
        "displayname": format_string(course.fullname),
        "shortname": format_string(course.shortname),
        "courseimage": f"{site.url}/pluginfile.php/1/course/generated/course.svg",
        "categoryid": course.categoryid,
        "categoryname": format_string(site.categories[course.categoryid].name),
        "sortorder": course.categoryid * 10000 + 1,
        "summary": course.summary,
        "summaryformat": course.summaryformat,
        "summaryfiles": [],
        "overviewfiles": [],
        "showactivitydates": True,
        "showcompletionconditions": True,
        "contacts": [],
        "enrollmentmethods": ["manual"] if course.manual_enrolment else [],
        "idnumber": course.idnumber,
        "format": course.format,
        "showgrades": 1,
        "newsitems": 5,
        "startdate": course.startdate,
        "enddate": course.enddate,
        "maxbytes": 0,
        "showreports": 0,
        "visible": course.visible,
        "groupmode": course.groupmode,
        "groupmodeforce": course.groupmodeforce,
        "defaultgroupingid": 0,
        "enablecompletion": 1,
        "completionnotify": 0,
        "lang": "",
        "theme": "",
        "marker": 0,
        "legacyfiles": 0,
        "calendartype": "",
        "timecreated": now(),
        "timemodified": now(),
        "requested": 0,
        "cacherev": now(),
        "filters": [{"filter": "activitynames", "localstate": 0, "inheritedstate": 1}],
        "courseformatoptions": [{"name": "hiddensections", "value": 1}, {"name": "coursedisplay", "value": 0}, {"name": "indentation", "value": "1"}],
    }


@function("core_course_get_courses_by_field", {"field": default(Value("alpha"), ""), "value": default(Value("raw"), "")})
def get_courses_by_field(site: Site, token: Token, p: dict):
    field_name, value = p["field"], p["value"]
    courses = list(site.courses.values())
    if field_name == "":
        pass
    elif field_name in {"id", "shortname", "idnumber", "category"}:
        attribute = "categoryid" if field_name == "category" else field_name
        courses = [c for c in courses if str(getattr(c, attribute)) == value]
    elif field_name == "ids":
        wanted = {int(v) for v in value.split(",") if v.strip()}
        courses = [c for c in courses if c.id in wanted]
    else:
        raise invalid_parameter("Invalid field name")
    return {"courses": [course_record(site, c) for c in courses], "warnings": []}


COURSE_FIELDS = {
    "fullname": Value("text"),
    "shortname": Value("text"),
    "categoryid": Value("int"),
    "idnumber": optional(Value("raw")),
    "summary": optional(Value("raw")),
    "summaryformat": default(Value("int"), 1),
    "format": default(Value("alphanumext"), "topics"),
    "showgrades": default(Value("int"), 1),
    "newsitems": default(Value("int"), 5),
    "startdate": optional(Value("int")),
    "enddate": optional(Value("int")),
    "numsections": optional(Value("int")),
    "maxbytes": default(Value("int"), 0),
    "showreports": default(Value("int"), 0),
    "visible": optional(Value("int")),
    "hiddensections": optional(Value("int")),
    "groupmode": default(Value("int"), 0),
    "groupmodeforce": default(Value("int"), 0),
    "defaultgroupingid": default(Value("int"), 0),
    "enablecompletion": optional(Value("int")),
    "completionnotify": optional(Value("int")),
    "lang": optional(Value("alphanumext")),
    "forcetheme": optional(Value("alphanumext")),
    "courseformatoptions": optional(Multiple(Single({"name": Value("alphanumext"), "value": Value("raw")}))),
}


@function("core_course_create_courses", {"courses": Multiple(Single(COURSE_FIELDS))}, writes=True, transactional=True)
def create_courses(site: Site, token: Token, p: dict):
    created = []
    for item in p["courses"]:
        if item["categoryid"] not in site.categories:
            raise invalid_parameter("Context does not exist")
        require(token, "moodle/course:create", "Create courses")
        if any(c.shortname == item["shortname"] for c in site.courses.values()):
            raise moodle_exception("shortnametaken", f"Short name is already used for another course ({item['shortname']})")
        if item.get("idnumber") and any(c.idnumber == item["idnumber"] for c in site.courses.values()):
            raise moodle_exception("courseidnumbertaken", f"ID number is already used for another course ({item['idnumber']})")
        # Moodle copies each format option onto the course record; numsections then sizes the course.
        options = {option["name"]: option["value"] for option in item.get("courseformatoptions", [])}
        numsections = int(options.get("numsections", item.get("numsections", DEFAULT_NUMSECTIONS)))
        course = site.add_course(
            item["shortname"],
            item["fullname"],
            item["categoryid"],
            numsections,
            idnumber=item.get("idnumber", ""),
            summary=item.get("summary", ""),
            summaryformat=item["summaryformat"],
            format=item["format"],
            startdate=item.get("startdate", now()),
            enddate=item.get("enddate", 0),
            visible=item.get("visible", 1),
            groupmode=item["groupmode"],
            groupmodeforce=item["groupmodeforce"],
        )
        created.append({"id": course.id, "shortname": course.shortname})
    return created


@function(
    "core_course_update_courses",
    {"courses": Multiple(Single({"id": Value("int"), **{k: optional(copy.copy(v)) for k, v in COURSE_FIELDS.items()}}))},
    writes=True,
)
def update_courses(site: Site, token: Token, p: dict):
    warnings = []
    for item in p["courses"]:
        course = site.courses.get(item["id"])
        try:
            if course is None:
                raise missing_record("course")
            require(token, "moodle/course:update", "Update course settings")
            shortname = item.get("shortname")
            if shortname and any(c.shortname == shortname and c.id != course.id for c in site.courses.values()):
                raise moodle_exception("shortnametaken", f"Short name is already used for another course ({shortname})")
            if item.get("categoryid") and item["categoryid"] not in site.categories:
                raise missing_record("course_categories")
        except MoodleException as error:
            warnings.append({"item": "course", "itemid": item["id"], "warningcode": "1", "message": error.message})
            continue
        for key in ("fullname", "shortname", "categoryid", "idnumber", "summary", "summaryformat", "startdate", "enddate", "visible"):
            if key in item:
                setattr(course, key, item[key])
    return {"warnings": warnings}


@function(
    "core_course_get_contents",
    {"courseid": Value("int"), "options": default(Multiple(Single({"name": Value("alpha"), "value": Value("raw")})), [])},
)
def get_contents(site: Site, token: Token, p: dict):
    course = site.course(p["courseid"])
    return [section_record(site, course, section) for section in sorted(course.sections, key=lambda s: s.number)]


def section_record(site: Site, course: Course, section: Section) -> dict:
    modules = [forum_module(site, forum) for forum in site.forums.values() if forum.course == course.id] if section.number == 0 else []
    return {
        "id": section.id,
        "name": format_string(section_name(course, section)),
        "visible": 1,
        "summary": section.summary,
        "summaryformat": 1,
        "section": section.number,
        "hiddenbynumsections": 0,
        "uservisible": True,
        "component": None,
        "itemid": None,
        "modules": modules,
    }


def section_name(course: Course, section: Section) -> str:
    """get_section_name(): the section's own name, else its format's default (format_topics' strings)."""
    if section.name:
        return section.name
    if section.number == 0:
        return "General"  # section0name
    if course.format != "topics":
        raise NotImplementedError(f"the double names unnamed sections of the topics format only, not {course.format}")
    return "New section"  # newsection: the same for every section since Moodle 4.4


def format_string(text: str) -> str:
    """core\\formatting::format_string() with $CFG->formatstringstriptags on (the default) and no filters:
    ampersands not starting an entity escaped (replace_ampersands_not_followed_by_entity), then strip_tags(),
    then the < and > left escaped."""
    text = re.sub(r"&(?![a-zA-Z0-9#]{1,8};)", "&amp;", text)
    return strip_tags(text).replace("<", "&lt;").replace(">", "&gt;")


def forum_module(site: Site, forum) -> dict:
    return {
        "id": forum.cmid,
        "url": f"{site.url}/mod/forum/view.php?id={forum.cmid}",
        "name": format_string(forum.name),
        "instance": forum.id,
        "contextid": 100 + forum.cmid,
        "visible": 1,
        "uservisible": True,
        "visibleoncoursepage": 1,
        "modicon": f"{site.url}/theme/image.php/boost/forum/1795238583/monologo?filtericon=1",
        "modname": "forum",
        "purpose": "collaboration",
        "branded": False,
        "modplural": "Forums",
        "availability": None,
        "indent": 0,
        "onclick": "",
        "afterlink": None,
        "activitybadge": [],
        "customdata": '{"trackingtype":"1"}',
        "noviewlink": False,
        "completion": 0,
        "downloadcontent": 1,
        "dates": [],
        "groupmode": forum.groupmode,
    }


@function("core_course_get_course_module", {"cmid": Value("int")})
def get_course_module(site: Site, token: Token, p: dict):
    forum = next((f for f in site.forums.values() if f.cmid == p["cmid"]), None)
    if forum is None:
        raise missing_record("course_modules")
    cm = {
        "id": forum.cmid,
        "course": forum.course,
        "module": 8,
        "name": format_string(forum.name),
        "modname": "forum",
        "instance": forum.id,
        "section": site.courses[forum.course].sections[0].id,
        "sectionnum": 0,
        "groupmode": forum.groupmode,
        "groupingid": 0,
        "completion": 0,
        "idnumber": None,
        "added": now(),
        "score": 0,
        "indent": 0,
        "visible": 1,
        "visibleoncoursepage": 1,
        "visibleold": 1,
        "completiongradeitemnumber": None,
        "completionpassgrade": 0,
        "completionview": 0,
        "completionexpected": 0,
        "showdescription": 0,
        "downloadcontent": 1,
        "availability": None,
    }
    if token.capabilities is None:
        cm["advancedgrading"] = [{"area": "forum", "method": None}]
    return {"cm": cm, "warnings": []}


# Course formats whose lib.php implements the inplace_editable callback for section names.
INPLACE_EDITABLE_FORMATS = {"topics", "weeks"}
# core_courseformat\local\sectionactions::update(): longer names are refused.
SECTION_NAME_MAX = 1333


@function(
    "core_update_inplace_editable",
    {"component": Value("component"), "itemtype": Value("notags"), "itemid": Value("raw"), "value": Value("raw")},
    writes=True,
)
def update_inplace_editable(site: Site, token: Token, p: dict):
    """core_external::update_inplace_editable, through format_<format>_inplace_editable for section names."""
    course_format = p["component"].removeprefix("format_")
    if not p["component"].startswith("format_") or course_format not in INPLACE_EDITABLE_FORMATS:
        raise moodle_exception("inplaceeditableerror", "Error calling update processor")  # no callback
    if p["itemtype"] not in {"sectionname", "sectionnamenl"}:
        raise moodle_exception("inplaceeditableerror", "Error calling update processor")  # the callback returns null
    if not re.fullmatch(r"\d+", p["itemid"]):
        raise MoodleException("dml_read_exception", "dmlreadexception", "Error reading from database")  # PostgreSQL: not a bigint
    found = site.section(int(p["itemid"]))
    if found is None or found[0].format != course_format:
        raise missing_record_from_query()
    course, section = found
    require(token, "moodle/course:update", "Update course settings")
    name = strip_tags(p["value"])  # clean_param(PARAM_TEXT)
    if len(name) > SECTION_NAME_MAX:
        raise moodle_exception("maximumchars", f"Maximum of {SECTION_NAME_MAX} characters")
    section.name = name
    title = format_string(section_name(course, section))
    linked = p["itemtype"] == "sectionname"
    return {
        "component": p["component"],
        "itemtype": p["itemtype"],
        "itemid": str(section.id),  # a database field: PHP hands it over as a string
        "displayvalue": f'<a href="{site.url}/course/section.php?id={section.id}">{title}</a>' if linked else title,
        "value": name,
        "edithint": "Edit section name",
        "editlabel": f"New name for section {title}",
        "type": "text",
        "options": "",
        "linkeverything": 0 if linked else 1,
    }


# --- users --------------------------------------------------------------------------------------


def user_record(site: Site, token: Token, user) -> dict:
    record = {
        "id": user.id,
        "username": user.username,
        "firstname": user.firstname,
        "lastname": user.lastname,
        "fullname": f"{user.firstname} {user.lastname}",
        "email": user.email,
        "department": "",
        "idnumber": user.idnumber,
        "firstaccess": user.firstaccess,
        "lastaccess": user.lastaccess,
        "auth": user.auth,
        "suspended": user.suspended,
        "confirmed": True,
        "lang": "en",
        "theme": "",
        "timezone": "99",
        "mailformat": 1,
        "trackforums": 0,
        "city": user.city,
        "profileimageurlsmall": f"{site.url}{PICTURE}2",
        "profileimageurl": f"{site.url}{PICTURE}1",
    }
    if not user.city:
        del record["city"]  # Moodle leaves empty profile fields out
    if not token.has("moodle/site:viewuseridentity") and user.id != token.userid:
        del record["email"]
    return record


@function("core_user_get_users_by_field", {"field": Value("alpha"), "values": Multiple(Value("raw"))})
def get_users_by_field(site: Site, token: Token, p: dict):
    if p["field"] not in {"id", "idnumber", "username", "email"}:
        raise invalid_parameter("Invalid field name")
    wanted = set(p["values"])
    found = []
    for user in site.users.values():
        value = str(getattr(user, p["field"]))
        if p["field"] == "email":
            matched = value.lower() in {w.lower() for w in wanted}
        else:
            matched = value in wanted
        if matched and user.id != 1:
            found.append(user_record(site, token, user))
    return found


@function(
    "core_user_get_users",
    {"criteria": Multiple(Single({"key": Value("alpha"), "value": Value("raw")}))},
)
def get_users(site: Site, token: Token, p: dict):
    users = [u for u in site.users.values() if u.id != 1]
    for criterion in p["criteria"]:
        key = criterion["key"]
        if key == "email" and not token.has("moodle/site:viewuseridentity"):
            users = []
        elif key in {"id", "username", "idnumber", "email", "firstname", "lastname", "auth"}:
            users = [u for u in users if str(getattr(u, key)).lower() == criterion["value"].lower()]
    return {"users": [user_record(site, token, u) for u in users], "warnings": []}


USER_FIELDS = {
    "createpassword": optional(Value("bool")),
    "username": Value("username"),
    "auth": default(Value("alphanumext"), "manual"),
    "password": optional(Value("raw")),
    "firstname": Value("notags"),
    "lastname": Value("notags"),
    "email": Value("rawtrimmed"),
    "maildisplay": optional(Value("int")),
    "city": optional(Value("notags")),
    "country": optional(Value("alpha")),
    "timezone": optional(Value("raw")),
    "description": optional(Value("raw")),
    "middlename": optional(Value("notags")),
    "alternatename": optional(Value("notags")),
    "idnumber": default(Value("raw"), ""),
    "institution": optional(Value("text")),
    "department": optional(Value("text")),
    "lang": default(Value("alphanumext"), "en"),
    "mailformat": optional(Value("int")),
    "customfields": optional(Multiple(Single({"type": Value("alphanumext"), "value": Value("raw")}))),
    "preferences": optional(Multiple(Single({"type": Value("raw"), "value": Value("raw")}))),
}


@function("core_user_create_users", {"users": Multiple(Single(USER_FIELDS))}, writes=True, transactional=True)
def create_users(site: Site, token: Token, p: dict):
    require(token, "moodle/user:create", "Create users")
    created = []
    usernames = {u.username for u in site.users.values()}
    emails = {u.email.lower() for u in site.users.values()}
    for item in p["users"]:
        for name in ("username", "firstname", "lastname"):
            if item[name].strip() == "":
                raise invalid_parameter(f"The field {name} cannot be blank")
        if item["username"] in usernames:
            raise invalid_parameter(f"Username already exists: {item['username']}")
        if item["auth"] not in AUTH_PLUGINS:
            raise invalid_parameter(f"Invalid authentication type: {item['auth']}")
        if item["lang"] not in LANGS:
            raise invalid_parameter(f"Invalid language code: {item['lang']}")
        if item["auth"] in INTERNAL_AUTH and not item.get("password") and not item.get("createpassword"):
            raise invalid_parameter("Invalid password: you must provide a password, or set createpassword.")
        if not EMAIL.match(item["email"]):
            raise invalid_parameter(f"Email address is invalid: {item['email']}")
        if item["email"].lower() in emails:
            raise invalid_parameter(f"Email address already exists: {item['email']}")
        preferences = {pref["type"]: pref["value"] for pref in item.get("preferences", [])}
        if item.get("createpassword"):
            preferences["auth_forcepasswordchange"] = "1"
        user = site.add_user(
            item["username"],
            item["firstname"],
            item["lastname"],
            item["email"],
            idnumber=item["idnumber"],
            auth=item["auth"],
            city=item.get("city", ""),
            password=item.get("password", "") if item["auth"] in INTERNAL_AUTH else "not cached",
            preferences=preferences,
        )
        usernames.add(user.username)
        emails.add(user.email.lower())
        created.append({"id": user.id, "username": user.username})
    return created


@function(
    "core_user_update_users",
    {
        "users": Multiple(
            Single(
                {
                    "id": Value("int"),
                    **{k: optional(copy.copy(v)) for k, v in USER_FIELDS.items() if k not in {"createpassword"}},
                    "suspended": optional(Value("bool")),
                }
            )
        )
    },
    writes=True,
)
def update_users(site: Site, token: Token, p: dict):
    require(token, "moodle/user:update", "Update user profiles")
    warnings = []
    for item in p["users"]:
        user = site.users.get(item["id"])
        if user is None:
            warnings.append({"item": "user", "itemid": item["id"], "warningcode": "invaliduserid", "message": "Invalid user ID"})
            continue
        email = item.get("email")
        if email is not None and (
            not EMAIL.match(email) or any(u.email.lower() == email.lower() and u.id != user.id for u in site.users.values())
        ):
            warnings.append({"item": "user", "itemid": user.id, "warningcode": "useremailduplicate", "message": "Duplicate email address"})
            continue
        for key in ("username", "firstname", "lastname", "email", "idnumber", "auth", "city", "suspended"):
            if key in item:
                setattr(user, key, item[key])
    return {"warnings": warnings}


# --- enrolments ---------------------------------------------------------------------------------


@function(
    "core_enrol_get_enrolled_users",
    {"courseid": Value("int"), "options": default(Multiple(Single({"name": Value("alphanumext"), "value": Value("raw")})), [])},
)
def get_enrolled_users(site: Site, token: Token, p: dict):
    course = site.course(p["courseid"])
    options = {o["name"]: o["value"] for o in p["options"]}
    userids = sorted(course.enrolments)
    start = int(options.get("limitfrom", 0))
    count = int(options.get("limitnumber", 0))
    userids = userids[start : start + count] if count else userids[start:]
    # user_get_user_details() with `userfields`: the id and full name always, then only the fields asked for.
    asked = set(options["userfields"].split(",")) | {"id", "fullname"} if "userfields" in options else None
    result = []
    for userid in userids:
        record = user_record(site, token, site.users[userid])
        for key in ("auth", "suspended", "confirmed", "lang", "theme", "timezone", "mailformat", "trackforums"):
            record.pop(key)
        record["lastcourseaccess"] = site.users[userid].lastaccess
        groups = [g for g in site.groups.values() if g.courseid == course.id and userid in g.members]
        if groups:  # Moodle leaves the key out for a user in no group
            record["groups"] = [{"id": g.id, "name": format_string(g.name), "description": g.description, "descriptionformat": 1} for g in groups]
        record["roles"] = [
            {"roleid": roleid, "name": "", "shortname": site.roles[roleid][0], "sortorder": 0}
            for roleid in sorted(course.enrolments[userid])
        ]
        record["enrolledcourses"] = [{"id": course.id, "fullname": format_string(course.fullname), "shortname": format_string(course.shortname)}]
        ordered = {k: record[k] for k in ("id", "username", "firstname", "lastname", "fullname") if k in record}
        record = {**ordered, **record}
        result.append(record if asked is None else {k: v for k, v in record.items() if k in asked})
    return result


ENROLMENT = {
    "roleid": Value("int"),
    "userid": Value("int"),
    "courseid": Value("int"),
    "timestart": optional(Value("int")),
    "timeend": optional(Value("int")),
    "suspend": optional(Value("int")),
}


@function("enrol_manual_enrol_users", {"enrolments": Multiple(Single(ENROLMENT))}, writes=True, transactional=True)
def enrol_users(site: Site, token: Token, p: dict):
    for item in p["enrolments"]:
        course = site.courses.get(item["courseid"])
        if course is None:
            raise invalid_parameter("Context does not exist")
        require(token, "enrol/manual:enrol", "Enrol users")
        user = site.users.get(item["userid"])
        if user is None:
            raise missing_record("user")
        if item["roleid"] not in token.assignable_roles:
            raise moodle_exception(
                "wsusercannotassign",
                f"You don't have the permission to assign this role ({item['roleid']}) to this user ({user.id}) "
                f"in this course ({course.id}).",
            )
        if not course.manual_enrolment:
            raise moodle_exception("wsnoinstance", f"Manual enrolment plugin instance doesn't exist or is disabled for the course (id = {course.id})")
        course.enrolments.setdefault(user.id, set()).add(item["roleid"])
    return None


@function(
    "enrol_manual_unenrol_users",
    {"enrolments": Multiple(Single({"userid": Value("int"), "courseid": Value("int"), "roleid": optional(Value("int"))}))},
    writes=True,
    transactional=True,
)
def unenrol_users(site: Site, token: Token, p: dict):
    for item in p["enrolments"]:
        course = site.course(item["courseid"])
        require(token, "enrol/manual:unenrol", "Unenrol users from the course")
        if not course.manual_enrolment:
            raise moodle_exception("wsnoinstance", f"Manual enrolment plugin instance doesn't exist or is disabled for the course (id = {course.id})")
        if item["userid"] not in site.users:
            raise missing_record("user")
        course.enrolments.pop(item["userid"], None)
        for group in site.groups.values():
            if group.courseid == course.id:
                group.members.discard(item["userid"])
    return None


# --- cohorts ------------------------------------------------------------------------------------


def cohort_record(cohort: Cohort, *, customfields: bool = True) -> dict:
    record = {
        "id": cohort.id,
        "name": format_string(cohort.name),
        "idnumber": cohort.idnumber,
        "description": cohort.description,
        "descriptionformat": 1,
        "visible": True,
        "theme": "",
    }
    if customfields:
        record["customfields"] = []
    return record


def require_cohort_view(token: Token) -> None:
    if not (token.has("moodle/cohort:view") or token.has("moodle/cohort:manage")):
        raise no_permission("View site-wide cohorts")


@function("core_cohort_get_cohorts", {"cohortids": default(Multiple(Value("int")), [])})
def get_cohorts(site: Site, token: Token, p: dict):
    require_cohort_view(token)
    cohorts = [site.cohorts[i] for i in p["cohortids"] if i in site.cohorts] if p["cohortids"] else list(site.cohorts.values())
    return [cohort_record(c) for c in cohorts]


@function(
    "core_cohort_search_cohorts",
    {
        "query": Value("raw"),
        "context": Single({"contextid": default(Value("int"), 0), "contextlevel": default(Value("alpha"), ""), "instanceid": default(Value("int"), 0)}),
        "includes": default(Value("alpha"), "parents"),
        "limitfrom": default(Value("int"), 0),
        "limitnum": default(Value("int"), 25),
    },
)
def search_cohorts(site: Site, token: Token, p: dict):
    require_cohort_view(token)
    query = p["query"].lower()
    found = [c for c in site.cohorts.values() if query in c.name.lower() or query in c.idnumber.lower()]
    found = found[p["limitfrom"] : p["limitfrom"] + p["limitnum"]]
    return {"cohorts": [cohort_record(c) for c in found]}


@function(
    "core_cohort_create_cohorts",
    {
        "cohorts": Multiple(
            Single(
                {
                    "categorytype": Single({"type": Value("text"), "value": Value("raw")}),
                    "name": Value("raw"),
                    "idnumber": Value("raw"),
                    "description": optional(Value("raw")),
                    "descriptionformat": default(Value("int"), 1),
                    "visible": optional(Value("bool")),
                    "theme": optional(Value("alphanumext")),
                    "customfields": CUSTOM_FIELDS,
                }
            )
        )
    },
    writes=True,
    transactional=True,
)
def create_cohorts(site: Site, token: Token, p: dict):
    created = []
    for item in p["cohorts"]:
        kind = item["categorytype"]["type"]
        if kind not in {"idnumber", "id", "system"}:
            raise invalid_parameter(f"category type must be id, idnumber or system:{kind}")
        if kind != "system" and not any(str(getattr(c, kind)) == item["categorytype"]["value"] for c in site.categories.values()):
            raise invalid_parameter(f"category not exists: category {kind} = {item['categorytype']['value']}")
        if any(c.idnumber == item["idnumber"] for c in site.cohorts.values()):
            raise invalid_parameter(f"record already exists: idnumber={item['idnumber']}")
        require(token, "moodle/cohort:manage", "Manage cohorts")
        cohort = Cohort(site.new_id("cohort"), item["name"], item["idnumber"], item.get("description", ""))
        site.cohorts[cohort.id] = cohort
        created.append(cohort_record(cohort, customfields=False))
    return created


@function(
    "core_cohort_add_cohort_members",
    {
        "members": Multiple(
            Single(
                {
                    "cohorttype": Single({"type": Value("alphanumext"), "value": Value("raw")}),
                    "usertype": Single({"type": Value("alphanumext"), "value": Value("raw")}),
                }
            )
        )
    },
    writes=True,
    transactional=True,
)
def add_cohort_members(site: Site, token: Token, p: dict):
    warnings = []
    for item in p["members"]:
        cohorttype, usertype = item["cohorttype"], item["usertype"]
        if cohorttype["type"] not in {"id", "idnumber"}:
            warnings.append({"warningcode": "1", "message": f"invalid parameter: cohortype={cohorttype['type']}"})
            continue
        if usertype["type"] not in {"id", "username"}:
            warnings.append({"warningcode": "1", "message": f"invalid parameter: usertype={usertype['type']}"})
            continue
        cohort = next((c for c in site.cohorts.values() if str(getattr(c, cohorttype["type"])) == cohorttype["value"]), None)
        if cohort is None:
            warnings.append({"warningcode": "2", "message": f"cohort {cohorttype['type']}={cohorttype['value']} not exists"})
            continue
        if usertype["type"] == "id":
            user = site.users.get(int(usertype["value"])) if usertype["value"].isdigit() else None
        else:
            user = site.user_by("username", usertype["value"])
        if user is None:
            warnings.append({"warningcode": "2", "message": f"user {usertype['type']}={usertype['value']} not exists"})
            continue
        if user.id in cohort.members:
            warnings.append(
                {
                    "warningcode": "3",
                    "message": f"record already exists: cohort({cohorttype['type']}={cohorttype['value']} "
                    f"{usertype['type']}={usertype['value']})",
                }
            )
            continue
        if not (token.has("moodle/cohort:manage") or token.has("moodle/cohort:assign")):
            raise no_permission("Assign cohort members")
        cohort.members.add(user.id)
    return {"warnings": warnings}


@function(
    "core_cohort_delete_cohort_members",
    {"members": Multiple(Single({"cohortid": Value("int"), "userid": Value("int")}))},
    writes=True,
    transactional=True,
)
def delete_cohort_members(site: Site, token: Token, p: dict):
    for item in p["members"]:
        cohort = site.cohorts.get(item["cohortid"])
        if cohort is None:
            raise missing_record("cohort")
        if item["userid"] not in site.users:
            raise missing_record("user")
        if not (token.has("moodle/cohort:manage") or token.has("moodle/cohort:assign")):
            raise no_permission("Assign cohort members")
        cohort.members.discard(item["userid"])
    return None


@function("core_cohort_get_cohort_members", {"cohortids": Multiple(Value("int"))})
def get_cohort_members(site: Site, token: Token, p: dict):
    result = []
    for cohortid in p["cohortids"]:
        cohort = site.cohorts.get(cohortid)
        if cohort is None:
            raise missing_record("cohort")
        require_cohort_view(token)
        result.append({"cohortid": cohortid, "userids": sorted(cohort.members)})
    return result


# --- groups -------------------------------------------------------------------------------------


def group_record(group: Group, enrolmentkey) -> dict:
    return {
        "id": group.id,
        "courseid": group.courseid,
        "name": group.name,
        "description": group.description,
        "descriptionformat": 1,
        "enrolmentkey": enrolmentkey,
        "idnumber": group.idnumber,
        "visibility": 0,
        "participation": True,
    }


@function(
    "core_group_create_groups",
    {
        "groups": Multiple(
            Single(
                {
                    "courseid": Value("int"),
                    "name": Value("text"),
                    "description": Value("raw"),
                    "descriptionformat": default(Value("int"), 1),
                    "enrolmentkey": optional(Value("raw")),
                    "idnumber": optional(Value("raw")),
                    "visibility": optional(Value("int")),
                    "participation": optional(Value("bool")),
                    "customfields": CUSTOM_FIELDS,
                }
            )
        )
    },
    writes=True,
    transactional=True,
)
def create_groups(site: Site, token: Token, p: dict):
    created = []
    for item in p["groups"]:
        if item["courseid"] not in site.courses:
            raise invalid_parameter("Context does not exist")
        require(token, "moodle/course:managegroups", "Manage groups")
        if any(g.courseid == item["courseid"] and g.name == item["name"] for g in site.groups.values()):
            raise invalid_parameter("Group with the same name already exists in the course")
        if item.get("idnumber") and any(g.courseid == item["courseid"] and g.idnumber == item["idnumber"] for g in site.groups.values()):
            raise moodle_exception("idnumbertaken", "This ID number is already taken")
        group = Group(site.new_id("group"), item["courseid"], item["name"], item["description"], item.get("idnumber", ""))
        site.groups[group.id] = group
        created.append(group_record(group, item.get("enrolmentkey", "")))
    return created


@function("core_group_get_course_groups", {"courseid": Value("int")})
def get_course_groups(site: Site, token: Token, p: dict):
    site.course(p["courseid"])
    require(token, "moodle/course:managegroups", "Manage groups")
    # Unlike create_groups, which answers with the names it was given, this formats them.
    return [{**group_record(g, None), "name": format_string(g.name)} for g in site.groups.values() if g.courseid == p["courseid"]]


@function("core_group_get_group_members", {"groupids": Multiple(Value("int"))})
def get_group_members(site: Site, token: Token, p: dict):
    result = []
    for groupid in p["groupids"]:
        group = site.groups.get(groupid)
        if group is None:
            raise missing_record("groups")
        result.append({"groupid": groupid, "userids": sorted(group.members)})
    return result


GROUP_MEMBER = {"members": Multiple(Single({"groupid": Value("int"), "userid": Value("int")}))}


@function("core_group_add_group_members", GROUP_MEMBER, writes=True, transactional=True)
def add_group_members(site: Site, token: Token, p: dict):
    for item in p["members"]:
        group = site.groups.get(item["groupid"])
        if group is None:
            raise missing_record("groups")
        if item["userid"] not in site.users:
            raise missing_record("user")
        require(token, "moodle/course:managegroups", "Manage groups")
        if item["userid"] not in site.courses[group.courseid].enrolments:
            raise invalid_parameter("Only enrolled users may be members of groups")
        group.members.add(item["userid"])
    return None


@function("core_group_delete_group_members", GROUP_MEMBER, writes=True, transactional=True)
def delete_group_members(site: Site, token: Token, p: dict):
    for item in p["members"]:
        group = site.groups.get(item["groupid"])
        if group is None:
            raise missing_record("groups")
        if item["userid"] not in site.users:
            raise missing_record("user")
        require(token, "moodle/course:managegroups", "Manage groups")
        group.members.discard(item["userid"])
    return None


# --- forums -------------------------------------------------------------------------------------


@function("mod_forum_get_forums_by_courses", {"courseids": default(Multiple(Value("int")), [])})
def get_forums_by_courses(site: Site, token: Token, p: dict):
    wanted = set(p["courseids"]) or set(site.courses)
    return [
        {
            "id": f.id,
            "course": f.course,
            "type": f.type,
            "name": format_string(f.name),
            "intro": f.intro,
            "introformat": 1,
            "introfiles": [],
            "lang": "",
            "duedate": 0,
            "cutoffdate": 0,
            "assessed": 0,
            "assesstimestart": 0,
            "assesstimefinish": 0,
            "scale": 0,
            "grade_forum": 0,
            "grade_forum_notify": 0,
            "maxbytes": 512000,
            "maxattachments": 1,
            "forcesubscribe": 1 if f.type == "news" else 0,
            "trackingtype": 1,
            "rsstype": 0,
            "rssarticles": 0,
            "timemodified": now(),
            "warnafter": 0,
            "blockafter": 0,
            "blockperiod": 0,
            "completiondiscussions": 0,
            "completionreplies": 0,
            "completionposts": 0,
            "cmid": f.cmid,
            "numdiscussions": sum(1 for d in site.discussions.values() if d.forum == f.id),
            "cancreatediscussions": True,
            "lockdiscussionafter": 0,
            "istracked": False,
        }
        for f in site.forums.values()
        if f.course in wanted
    ]


@function(
    "mod_forum_get_forum_discussions",
    {
        "forumid": Value("int"),
        "sortorder": default(Value("int"), -1),
        "page": default(Value("int"), -1),
        "perpage": default(Value("int"), 0),
        "groupid": default(Value("int"), 0),
    },
)
def get_forum_discussions(site: Site, token: Token, p: dict):
    forum = site.forums.get(p["forumid"])
    if forum is None:
        raise missing_record("forum")
    discussions = [d for d in site.discussions.values() if d.forum == forum.id]
    if p["groupid"]:
        discussions = [d for d in discussions if d.groupid in (p["groupid"], -1)]
    if p["page"] >= 0 and p["perpage"] > 0:
        discussions = discussions[p["page"] * p["perpage"] : (p["page"] + 1) * p["perpage"]]
    return {"discussions": [discussion_record(site, d) for d in discussions], "warnings": []}


def discussion_record(site: Site, d: Discussion) -> dict:
    author = site.users[d.userid]
    fullname = f"{author.firstname} {author.lastname}"
    return {
        "id": d.postid,
        "name": format_string(d.subject),
        "groupid": d.groupid,
        "timemodified": now(),
        "usermodified": d.userid,
        "timestart": 0,
        "timeend": 0,
        "discussion": d.id,
        "parent": 0,
        "userid": d.userid,
        "created": now(),
        "modified": now(),
        "mailed": 0,
        "subject": format_string(d.subject),
        "message": d.message,
        "messageformat": 1,
        "messagetrust": 0,
        "attachment": False,
        "totalscore": 0,
        "mailnow": 0,
        "userfullname": fullname,
        "usermodifiedfullname": fullname,
        "userpictureurl": f"{site.url}{PICTURE}2",
        "usermodifiedpictureurl": f"{site.url}{PICTURE}2",
        "numreplies": 0,
        "numunread": 0,
        "pinned": False,
        "locked": False,
        "starred": False,
        "canreply": True,
        "canlock": True,
        "canfavourite": True,
    }


@function(
    "mod_forum_add_discussion",
    {
        "forumid": Value("int"),
        "subject": Value("text"),
        "message": Value("raw"),
        "groupid": default(Value("int"), 0),
        "options": default(Multiple(Single({"name": Value("alphanumext"), "value": Value("raw")})), []),
    },
    writes=True,
)
def add_discussion(site: Site, token: Token, p: dict):
    forum = site.forums.get(p["forumid"])
    if forum is None:
        raise missing_record("forum")
    for option in p["options"]:
        if option["name"] not in {"discussionsubscribe", "discussionpinned", "inlineattachmentsid", "attachmentsid"}:
            raise moodle_exception("errorinvalidparam", f"Invalid parameter: {option['name']}")
    require(token, "mod/forum:startdiscussion", "Add a new discussion topic")
    if site.forum_groupmode(forum) == 0:
        groupid = -1
    elif p["groupid"] in (0, -1):
        groupid = -1  # the token user may see all groups: Moodle posts to all participants
    elif any(g.id == p["groupid"] and g.courseid == forum.course for g in site.groups.values()):
        groupid = p["groupid"]
    else:
        raise moodle_exception("cannotcreatediscussion", "Could not create new discussion")
    discussion = Discussion(site.new_id("discussion"), forum.id, p["subject"], p["message"], groupid, token.userid, site.new_id("post"))
    site.discussions[discussion.id] = discussion
    return {"discussionid": discussion.id, "warnings": []}


@function(
    "mod_forum_add_discussion_post",
    {
        "postid": Value("int"),
        "subject": Value("text"),
        "message": Value("raw"),
        "options": default(Multiple(Single({"name": Value("alphanumext"), "value": Value("raw")})), []),
        "messageformat": default(Value("int"), 1),
    },
    writes=True,
)
def add_discussion_post(site: Site, token: Token, p: dict):
    parent = next((d for d in site.discussions.values() if d.postid == p["postid"]), None)
    if parent is None:
        raise missing_record("forum_posts")
    forum = site.forums[parent.forum]
    post = Post(site.new_id("post"), parent.id, p["postid"], token.userid, p["subject"], p["message"], now(), p["messageformat"])
    site.posts[post.id] = post
    return {
        "postid": post.id,
        "warnings": [],
        "post": post_record(site, token, forum.course, post),
        "messages": [{"type": "success", "message": "Your post was successfully added."}],
    }


def post_record(site: Site, token: Token, courseid: int, post: Post) -> dict:
    """A post as mod_forum's exporter gives it; the token user may edit and split it only as an administrator."""
    author = site.users[post.userid]
    groups = [
        {"id": group.id, "name": format_string(group.name), "urls": {"image": None}}
        for group in site.groups.values()
        if group.courseid == courseid and author.id in group.members
    ]
    profile = f"{site.url}/user/view.php?id={author.id}&course={courseid}"
    discuss = f"{site.url}/mod/forum/discuss.php?d={post.discussion}"
    admin = token.capabilities is None
    split = admin and bool(post.parent)
    return {
        "id": post.id,
        "subject": format_string(post.subject),
        "replysubject": format_string(post.subject),
        "message": post.message,
        "messageformat": post.messageformat,
        "author": {
            "id": author.id,
            "fullname": f"{author.firstname} {author.lastname}",
            "isdeleted": False,
            "groups": groups,
            "urls": {"profile": profile, "profileimage": f"{site.url}{PICTURE}1"},
        },
        "discussionid": post.discussion,
        "hasparent": bool(post.parent),
        "parentid": post.parent or None,
        "timecreated": post.created,
        "timemodified": post.created,
        "unread": None,
        "isdeleted": False,
        "isprivatereply": False,
        "haswordcount": False,
        "wordcount": None,
        "charcount": None,
        "capabilities": {"view": True, "edit": admin, "delete": admin, "split": split, "reply": True, "selfenrol": False,
                         "export": False, "controlreadstatus": False, "canreplyprivately": admin},
        "urls": {
            "view": f"{discuss}#p{post.id}",
            "viewisolated": f"{discuss}&parent={post.id}",
            "viewparent": f"{discuss}#p{post.parent}" if post.parent else None,
            "edit": f"{site.url}/mod/forum/post.php?edit={post.id}" if admin else None,
            "delete": f"{site.url}/mod/forum/post.php?delete={post.id}" if admin else None,
            "split": f"{site.url}/mod/forum/post.php?prune={post.id}" if split else None,
            "reply": f"{site.url}/mod/forum/post.php?reply={post.id}#mformforum",
            "export": None,
            "markasread": None,
            "markasunread": None,
            "discuss": discuss,
        },
        "attachments": [],
        "messageinlinefiles": [],
        "tags": [],
        "html": {"rating": None, "taglist": None, "authorsubheading": f'by <a href="{profile}">{author.firstname} {author.lastname}</a>'},
    }
