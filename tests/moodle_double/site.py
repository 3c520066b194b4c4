"""The in-memory Moodle site behind the double: records, ids, tokens, and Moodle's exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field

TABLES = ("users", "categories", "courses", "cohorts", "groups", "forums", "discussions")
ALL = None  # a token whose capabilities are None holds every capability (a site admin's)

STANDARD_ROLES = {
    1: ("manager", 1),
    2: ("coursecreator", 2),
    3: ("editingteacher", 3),
    4: ("teacher", 4),
    5: ("student", 5),
    6: ("guest", 6),
    7: ("user", 7),
    8: ("frontpage", 8),
}


# Site administration > Courses > Default settings: "Number of sections" (moodlecourse/numsections).
DEFAULT_NUMSECTIONS = 4


class MoodleException(Exception):
    """An exception Moodle turns into its error JSON."""

    def __init__(self, exception: str, errorcode: str, message: str, debuginfo: str = ""):
        super().__init__(message)
        self.exception = exception
        self.errorcode = errorcode
        self.message = message
        self.debuginfo = debuginfo


def invalid_parameter(debuginfo: str) -> MoodleException:
    return MoodleException(
        "core\\exception\\invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected", debuginfo
    )


def moodle_exception(errorcode: str, message: str) -> MoodleException:
    return MoodleException("core\\exception\\moodle_exception", errorcode, message)


def missing_record(table: str) -> MoodleException:
    return MoodleException("dml_missing_record_exception", "invalidrecord", f"Can't find data record in database table {table}.")


def missing_record_from_query() -> MoodleException:
    """What get_record_sql(..., MUST_EXIST) raises: no table name, so errorcode invalidrecordunknown."""
    return MoodleException("dml_missing_record_exception", "invalidrecordunknown", "Can't find data record in database.")


def no_permission(what: str) -> MoodleException:
    return MoodleException(
        "core\\exception\\required_capability_exception",
        "nopermissions",
        f"Sorry, but you do not currently have permissions to do that ({what}).",
    )


@dataclass
class User:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str
    idnumber: str = ""
    auth: str = "manual"
    city: str = ""
    password: str = ""
    preferences: dict = field(default_factory=dict)
    suspended: bool = False
    firstaccess: int = 0  # Unix times; 0 for a user who never logged in
    lastaccess: int = 0


@dataclass
class Category:
    id: int
    name: str
    parent: int = 0
    idnumber: str = ""
    description: str = ""


@dataclass
class Section:
    id: int
    number: int
    name: str | None = None  # None: the course format's default name
    summary: str = ""


@dataclass
class Course:
    id: int
    shortname: str
    fullname: str
    categoryid: int
    idnumber: str = ""
    summary: str = ""
    summaryformat: int = 1
    format: str = "topics"
    startdate: int = 0
    enddate: int = 0
    visible: int = 1
    groupmode: int = 0
    groupmodeforce: int = 0
    manual_enrolment: bool = True
    sections: list[Section] = field(default_factory=list)  # by number, 0 ("General") first
    # userid -> set of role ids, through the course's manual enrolment instance
    enrolments: dict[int, set[int]] = field(default_factory=dict)


@dataclass
class Cohort:
    id: int
    name: str
    idnumber: str
    description: str = ""
    members: set[int] = field(default_factory=set)


@dataclass
class Group:
    id: int
    courseid: int
    name: str
    description: str = ""
    idnumber: str = ""
    members: set[int] = field(default_factory=set)


@dataclass
class Forum:
    id: int
    course: int
    name: str
    cmid: int
    type: str = "general"
    intro: str = ""
    groupmode: int = 0


@dataclass
class Discussion:
    id: int
    forum: int
    subject: str
    message: str
    groupid: int
    userid: int
    postid: int


@dataclass
class Post:
    """A reply in a discussion (its first post is the Discussion's)."""

    id: int
    discussion: int
    parent: int  # the post replied to
    userid: int
    subject: str
    message: str
    created: int
    messageformat: int = 1


@dataclass
class Token:
    userid: int
    functions: frozenset[str]
    capabilities: frozenset[str] | None = ALL
    assignable_roles: frozenset[int] = frozenset(STANDARD_ROLES)
    uploadfiles: bool = True  # the external service's "Can upload files"

    def has(self, capability: str) -> bool:
        return self.capabilities is ALL or capability in self.capabilities


@dataclass
class DraftFile:
    """A file in a user's draft area, as webservice/upload.php stores it."""

    userid: int
    filename: str
    content: bytes


PLUGIN_PREFIX = "local_coursebridge_"


class Site:
    """Every record of the fake site; ids come from per-table counters so tests can align them."""

    def __init__(self, name: str = "Moodle test", url: str = "http://127.0.0.1"):
        self.name = name
        self.url = url
        self.users: dict[int, User] = {}
        self.categories: dict[int, Category] = {1: Category(1, "Category 1")}
        self.courses: dict[int, Course] = {}
        self.cohorts: dict[int, Cohort] = {}
        self.groups: dict[int, Group] = {}
        self.forums: dict[int, Forum] = {}
        self.discussions: dict[int, Discussion] = {}
        self.scorms: dict = {}  # id -> report_reads.Scorm
        self.posts: dict[int, Post] = {}  # replies; a discussion's first post is in Discussion
        self.tokens: dict[str, Token] = {}
        self.drafts: dict[int, DraftFile] = {}  # by draft item id
        self.plugin = None  # local_coursebridge once installed (plugin.install_plugin)
        self.roles = dict(STANDARD_ROLES)
        self.next_ids = dict.fromkeys(("user", "category", "course", "section", "cohort", "group", "forum", "cm", "discussion", "post"), 2)
        self.add_user("guest", "Guest user", " ", "root@localhost", auth="manual")
        self.admin = self.add_user("admin", "Admin", "User", "admin@example.org")

    def has_function(self, name: str) -> bool:
        """A plugin's functions exist only while it is installed."""
        return not name.startswith(PLUGIN_PREFIX) or self.plugin is not None

    def set_next_ids(self, **next_ids: int) -> None:
        self.next_ids.update(next_ids)

    def new_id(self, table: str) -> int:
        self.next_ids[table] += 1
        return self.next_ids[table] - 1

    def snapshot(self) -> dict:
        """Enough of the state to undo a failed transactional call (Moodle rolls the whole call back).

        Id counters are not restored: database sequences do not roll back either.
        """
        return {
            "tables": {name: dict(getattr(self, name)) for name in TABLES},
            "cohort_members": {i: set(c.members) for i, c in self.cohorts.items()},
            "group_members": {i: set(g.members) for i, g in self.groups.items()},
            "enrolments": {i: {u: set(r) for u, r in c.enrolments.items()} for i, c in self.courses.items()},
        }

    def restore(self, saved: dict) -> None:
        for name, table in saved["tables"].items():
            setattr(self, name, table)
        for i, members in saved["cohort_members"].items():
            self.cohorts[i].members = members
        for i, members in saved["group_members"].items():
            self.groups[i].members = members
        for i, enrolments in saved["enrolments"].items():
            self.courses[i].enrolments = enrolments

    def add_user(self, username: str, firstname: str, lastname: str, email: str, **fields) -> User:
        user_id = fields.pop("id", None) or (1 if username == "guest" else self.new_id("user"))
        user = User(user_id, username, firstname, lastname, email, **fields)
        self.users[user.id] = user
        return user

    def add_course(self, shortname: str, fullname: str, categoryid: int = 1, numsections: int = DEFAULT_NUMSECTIONS, **fields) -> Course:
        """A course as create_course() makes it: section 0 and `numsections` unnamed sections."""
        course = Course(self.new_id("course"), shortname, fullname, categoryid, **fields)
        course.sections = [Section(self.new_id("section"), number) for number in range(numsections + 1)]
        self.courses[course.id] = course
        self.add_forum(course.id, "Announcements", type="news", intro="General news and announcements")
        return course

    def add_forum(self, courseid: int, name: str, **fields) -> Forum:
        forum = Forum(self.new_id("forum"), courseid, name, self.new_id("cm"), **fields)
        self.forums[forum.id] = forum
        return forum

    def add_token(self, token: str, userid: int, functions, **fields) -> Token:
        self.tokens[token] = Token(userid, frozenset(functions), **fields)
        return self.tokens[token]

    def user_by(self, field_name: str, value) -> User | None:
        return next((u for u in self.users.values() if getattr(u, field_name) == value), None)

    def course(self, courseid: int) -> Course:
        if courseid not in self.courses:
            raise missing_record("course")
        return self.courses[courseid]

    def section(self, sectionid: int) -> tuple[Course, Section] | None:
        return next(((c, s) for c in self.courses.values() for s in c.sections if s.id == sectionid), None)

    def forum_groupmode(self, forum: Forum) -> int:
        course = self.courses[forum.course]
        return course.groupmode if course.groupmodeforce else forum.groupmode
