"""The double's reads of what learners did: SCORM activities and their tracks, forum posts.

They follow Moodle 5.1's code (public/mod/scorm/classes/external.php, scorm_get_tracks() and
scorm_format_interactions() in public/mod/scorm/locallib.php, mod_forum_external::get_discussion_posts)
and the recordings in tests/moodle_golden/report/ (its README lists the facts reproduced here):
sco_tracks starts with five computed summaries, then the stored elements in lexical order, then
`userid` (an int) and `scoid` (a string); stored values are strings; an unknown SCO is
`cannotfindsco`; another user's tracks need mod/scorm:viewreport; attempt 0 means the last one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .functions import format_string, function, now, post_record, require
from .params import Multiple, Value, default
from .plugin import plugin_function
from .site import MoodleException, Post, Site, Token, missing_record, moodle_exception

SCORM_12 = "SCORM_1.2"
SCORM_2004 = "SCORM_1.3"  # how Moodle names SCORM 2004 in scorm.version
# What Moodle keeps of our 2004 manifest's sequencing, per sco (organization, root item, SCO), as recorded.
EXTRADATA_2004 = (
    (("choice", "1"), ("flow", "1")),
    (("choice", "1"), ("flow", "1"), ("rollupobjectivesatisfied", "1"), ("rollupprogresscompletion", "1")),
    (("tracked", "1"), ("completionsetbycontent", "1"), ("objectivesetbycontent", "1"), ("hideprevious", "1"), ("hidecontinue", "1")),
)


@dataclass
class ScormAttempt:
    elements: dict[str, str]  # the CMI elements the package stored, e.g. "cmi.core.lesson_status"
    started: int  # x.start.time: when the attempt was launched
    timemodified: int  # the last element's write


@dataclass
class Scorm:
    id: int
    course: int
    cmid: int
    name: str
    version: str
    organization_id: int  # the three scoes of one of our packages: organization, root item, SCO
    root_id: int
    sco_id: int
    identifier: str = "coursebridge"
    grademethod: int = 0  # "learning objects", as in the recordings
    masteryscore: int = 70  # SCORM 1.2's adlcp:masteryscore: the course's passing score
    attempts: dict[int, list[ScormAttempt]] = field(default_factory=dict)  # userid -> attempts 1..n


def add_scorm(site: Site, courseid: int, name: str, version: str = SCORM_12, identifier: str = "coursebridge") -> Scorm:
    """A SCORM activity made from one of our packages: three scoes, the last one launchable."""
    site.next_ids.setdefault("scorm", 1)
    site.next_ids.setdefault("sco", 1)
    scoes = [site.new_id("sco") for _ in range(3)]
    scorm = Scorm(site.new_id("scorm"), courseid, site.new_id("cm"), name, version, *scoes, identifier=identifier)
    site.scorms[scorm.id] = scorm
    return scorm


def add_attempt(scorm: Scorm, userid: int, elements: dict[str, str], started: int, timemodified: int) -> int:
    """Store one attempt's elements as the package set them; returns the attempt number."""
    attempts = scorm.attempts.setdefault(userid, [])
    attempts.append(ScormAttempt(dict(elements), started, timemodified))
    return len(attempts)


def add_post(site: Site, discussionid: int, userid: int, message: str, created: int, parent: int | None = None) -> Post:
    """A reply in a discussion: to `parent`, or to the discussion's first post."""
    discussion = site.discussions[discussionid]
    post = Post(site.new_id("post"), discussionid, parent or discussion.postid, userid, f"Re: {discussion.subject}", message, created)
    site.posts[post.id] = post
    return post


# --- SCORM ------------------------------------------------------------------------------------


def scorm_by_id(site: Site, scormid: int) -> Scorm:
    if scormid not in site.scorms:
        raise missing_record("scorm")
    return site.scorms[scormid]


def active_user(site: Site, userid: int):
    """core_user::get_user(MUST_EXIST) then require_active_user()."""
    user = site.users.get(userid)
    if user is None:
        raise missing_record("user")
    if user.suspended:
        raise moodle_exception("suspended", "Sorry, but your account has been suspended.")
    return user


def require_report_view(token: Token, userid: int) -> None:
    """Only users with mod/scorm:viewreport may read another user's attempts."""
    if token.userid != userid:
        require(token, "mod/scorm:viewreport", "View reports")  # scorm:viewreport's lang string


@function("mod_scorm_get_scorms_by_courses", {"courseids": default(Multiple(Value("int")), [])})
def get_scorms_by_courses(site: Site, token: Token, p: dict):
    wanted = set(p["courseids"]) or set(site.courses)
    for courseid in wanted:
        site.course(courseid)
    scorms = [scorm_record(site, token, scorm) for scorm in site.scorms.values() if scorm.course in wanted]
    return {"scorms": scorms, "options": [{"name": "scormstandard", "value": "0"}], "warnings": []}


def scorm_record(site: Site, token: Token, scorm: Scorm) -> dict:
    package = f"{scorm.identifier}-{'scorm12' if scorm.version == SCORM_12 else 'scorm2004'}.zip"
    record = {
        "id": scorm.id,
        "coursemodule": scorm.cmid,
        "course": scorm.course,
        "name": format_string(scorm.name),
        "intro": "",
        "introformat": 1,
        "introfiles": [],
        "section": 1,
        "visible": True,
        "groupmode": 0,
        "groupingid": 0,
        "lang": "",
        "enableaitools": None,
        "enabledaiactions": None,
        "packagesize": 238662,
        "packageurl": f"{site.url}/webservice/pluginfile.php/{100 + scorm.cmid}/mod_scorm/package/0/{package}",
        "version": scorm.version,
        "maxgrade": 100,
        "grademethod": scorm.grademethod,
        "whatgrade": 0,
        "maxattempt": 0,
        "forcecompleted": False,
        "forcenewattempt": 0,
        "lastattemptlock": False,
        "displayattemptstatus": 1,
        "displaycoursestructure": False,
        "sha1hash": "0" * 40,
        "md5hash": "",
        "revision": 1,
        "launch": scorm.sco_id,
        "skipview": 0,
        "hidebrowse": False,
        "hidetoc": 0,
        "nav": 1,
        "navpositionleft": -100,
        "navpositiontop": -100,
        "auto": False,
        "popup": 0,
        "width": 100,
        "height": 500,
        "timeopen": 0,
        "timeclose": 0,
        "scormtype": "local",
        "reference": package,
        "protectpackagedownloads": False,
    }
    if token.has("moodle/course:manageactivities"):  # private settings, for those who may edit the activity
        record.update({"updatefreq": 0, "options": "", "completionstatusrequired": None, "completionscorerequired": None,
                       "completionstatusallscos": 0, "autocommit": False, "timemodified": 0})
    return record


@function("mod_scorm_get_scorm_scoes", {"scormid": Value("int"), "organization": default(Value("raw"), "")})
def get_scorm_scoes(site: Site, token: Token, p: dict):
    scorm = scorm_by_id(site, p["scormid"])
    manifest = f"coursebridge-{scorm.identifier}-v1"
    organization = f"{scorm.identifier}-organization"
    extra = EXTRADATA_2004 if scorm.version == SCORM_2004 else ((), (), (("masteryscore", str(scorm.masteryscore)),))
    visible = (("isvisible", "true"), ("parameters", ""))
    rows = [
        (scorm.organization_id, "", "/", organization, "", "", extra[0]),
        (scorm.root_id, organization, organization, f"{scorm.identifier}-course", "", "asset", visible + extra[1]),
        (scorm.sco_id, organization, f"{scorm.identifier}-course", f"{scorm.identifier}-sco", "index.html", "sco", visible + extra[2]),
    ]
    scoes = [
        {
            "id": sco_id,
            "scorm": scorm.id,
            "manifest": manifest,
            "organization": org,
            "parent": parent,
            "identifier": identifier,
            "launch": launch,
            "scormtype": kind,
            "title": format_string(scorm.name),
            "sortorder": order,
            "extradata": [{"element": element, "value": value} for element, value in extra],
        }
        for order, (sco_id, org, parent, identifier, launch, kind, extra) in enumerate(rows, start=1)
        if not p["organization"] or org == p["organization"]
    ]
    return {"scoes": scoes, "warnings": []}


@function(
    "mod_scorm_get_scorm_attempt_count",
    {"scormid": Value("int"), "userid": Value("int"), "ignoremissingcompletion": default(Value("bool"), False)},
)
def get_scorm_attempt_count(site: Site, token: Token, p: dict):
    scorm = scorm_by_id(site, p["scormid"])
    active_user(site, p["userid"])
    require_report_view(token, p["userid"])
    attempts = scorm.attempts.get(p["userid"], [])
    if p["ignoremissingcompletion"]:
        attempts = [a for a in attempts if summary(a.elements)["status"] or summary(a.elements)["score_raw"] != ""]
    return {"attemptscount": len(attempts), "warnings": []}


@function(
    "mod_scorm_get_scorm_sco_tracks",
    {"scoid": Value("int"), "userid": Value("int"), "attempt": default(Value("int"), 0)},
)
def get_scorm_sco_tracks(site: Site, token: Token, p: dict):
    scorm = next((s for s in site.scorms.values() if p["scoid"] in (s.organization_id, s.root_id, s.sco_id)), None)
    if scorm is None:
        raise MoodleException("core\\exception\\moodle_exception", "cannotfindsco", "Could not find SCO")
    active_user(site, p["userid"])
    require_report_view(token, p["userid"])
    attempts = scorm.attempts.get(p["userid"], [])
    number = p["attempt"] or max(len(attempts), 1)  # scorm_get_last_attempt(): 1 when there is none
    tracks = []
    if p["scoid"] == scorm.sco_id and 0 < number <= len(attempts):
        tracks = sco_tracks(attempts[number - 1], p["userid"], p["scoid"])
    warnings = [] if tracks else [{"item": "attempt", "itemid": number, "warningcode": "notattempted", "message": "Not attempted"}]
    return {"data": {"attempt": number, "tracks": tracks}, "warnings": warnings}


def summary(elements: dict[str, str]) -> dict:
    """scorm_format_interactions(): the values both SCORM versions are reported under."""
    found = {"score_raw": "", "status": "", "total_time": "00:00:00", "session_time": "00:00:00"}
    for element, value in sorted(elements.items()):
        if element in ("cmi.core.lesson_status", "cmi.completion_status"):
            found["status"] = "notattempted" if value == "not attempted" else value
        elif element in ("cmi.core.score.raw", "cmi.score.raw"):
            score = round(float(value), 2)
            found["score_raw"] = int(score) if score.is_integer() else score  # PHP's json_encode of a float
        elif element in ("cmi.core.session_time", "cmi.session_time"):
            found["session_time"] = value
        elif element in ("cmi.core.total_time", "cmi.total_time"):
            found["total_time"] = value
    return found


def sco_tracks(attempt: ScormAttempt, userid: int, scoid: int) -> list[dict]:
    summaries = {**summary(attempt.elements), "timemodified": str(attempt.timemodified)}
    stored = {**attempt.elements, "x.start.time": str(attempt.started)}
    if summaries["status"] == "":
        return []  # the external function lists tracks only for an attempt with a status
    rows = [{"element": key, "value": value} for key, value in summaries.items()]
    rows += [{"element": key, "value": stored[key]} for key in sorted(stored)]
    return rows + [{"element": "userid", "value": userid}, {"element": "scoid", "value": str(scoid)}]


# --- forum posts ------------------------------------------------------------------------------


@function(
    "mod_forum_get_discussion_posts",
    {
        "discussionid": Value("int"),
        "sortby": default(Value("alpha"), "created"),
        "sortdirection": default(Value("alpha"), "DESC"),
        "includeinlineattachments": default(Value("bool"), False),
    },
)
def get_discussion_posts(site: Site, token: Token, p: dict):
    discussion = site.discussions.get(p["discussionid"])
    if discussion is None:
        raise missing_record("forum_discussions")
    if p["sortby"] not in {"id", "created", "modified"}:
        raise moodle_exception("invalidsortbyparameter", "Invalid sort by parameter")
    if p["sortdirection"].upper() not in {"ASC", "DESC"}:
        raise moodle_exception("invalidsortdirectionparameter", "Invalid sort direction parameter")
    forum = site.forums[discussion.forum]
    first = Post(discussion.postid, discussion.id, 0, discussion.userid, discussion.subject, discussion.message, now())
    posts = [first, *(post for post in site.posts.values() if post.discussion == discussion.id)]
    key = {"id": lambda post: post.id, "created": lambda post: (post.created, post.id), "modified": lambda post: (post.created, post.id)}[p["sortby"]]
    posts.sort(key=key, reverse=p["sortdirection"].upper() == "DESC")
    return {
        "posts": [post_record(site, token, forum.course, post) for post in posts],
        "forumid": forum.id,
        "courseid": forum.course,
        "ratinginfo": {"contextid": 100 + forum.cmid, "component": "mod_forum", "ratingarea": "post", "canviewall": None, "canviewany": None, "scales": [], "ratings": []},
        "warnings": [],
    }


# --- local_coursebridge's bulk read (lms_sync/moodle_plugin/.../classes/external/get_scorm_tracks.php) ----


@plugin_function("local_coursebridge_get_scorm_tracks")
def get_scorm_tracks(site: Site, token: Token, p: dict):
    scorm = scorm_by_id(site, p["scormid"])
    require(token, "mod/scorm:viewreport", "View reports")
    users = []
    for userid in sorted(set(p["userids"])):  # ORDER BY a.userid
        attempts = [
            {"attempt": number, "tracks": [{"element": row["element"], "value": str(row["value"])} for row in rows[:-2]]}
            for number, attempt in enumerate(scorm.attempts.get(userid, []), start=1)
            if (rows := sco_tracks(attempt, userid, scorm.sco_id))
        ]
        if attempts:
            users.append({"userid": userid, "attempts": attempts})
    return {"users": users}
