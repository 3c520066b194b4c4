"""The current state of what a sync file manages, read from Moodle with batched reads only.

Reads per run: a constant number of calls (site info, categories, the course, its contents,
cohorts, groups, forums) plus ceil(N / page) for enrolled users, asked only for the fields the
plan compares (`userfields`), and ceil(M / batch) for the M users of the files who are not
enrolled yet (a rerun with nothing new makes none). Independent batches go out at most
`concurrency` at a time (MoodleClient.call_many).

Moodle's web services return category, course, section, group and forum names and discussion
subjects through format_string(), which cannot be undone (`R&D` and `R&amp;D` both come back as
`R&amp;D`). Names are kept as Moodle returns them, and the sync file's names are found among them
in Moodle's output domain (`lms_sync.moodle_text.same_name`): what Moodle returns is keyed by the
sync file's name it shows as, and otherwise by its readable form.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from lms_sync.client import MoodleClient
from lms_sync.content import ContentState, read_content_state
from lms_sync.moodle_text import format_string, shown
from lms_sync.syncfile import SyncSpec

ENROLLED_PAGE = 1000  # users per core_enrol_get_enrolled_users call, for pages read one after another (the report)
ENROLLED_PAGE_SIDE_BY_SIDE = 250  # the same, for the pages read_state sends concurrently
# What the plan needs of an enrolled user: without it, Moodle adds groups, enrolled courses, custom
# fields, preferences and picture URLs to every record, at a cost per record.
ENROLLED_FIELDS = "id,username,firstname,lastname,email,idnumber,roles"


@dataclass(frozen=True)
class MoodleUser:
    id: int
    username: str
    firstname: str
    lastname: str
    email: str | None  # None when the token may not see emails
    idnumber: str


@dataclass(frozen=True)
class MoodleCourse:
    id: int
    fullname: str  # as Moodle returns it (format_string)
    categoryid: int
    summary: str
    startdate: int
    enddate: int
    manual_enrolment: bool
    groupmode: int
    groupmodeforce: int
    format: str  # course format plugin: topics, weeks, ...


@dataclass(frozen=True)
class MoodleSection:
    id: int
    number: int
    name: str  # as Moodle returns it (format_string): the format's default ("New section") until someone names it


@dataclass(frozen=True)
class MoodleForum:
    id: int
    name: str
    groupmode: int
    # (groupid, subject as Moodle returns it) of each discussion; groupid -1 means all participants
    discussions: frozenset[tuple[int, str]]


@dataclass
class CurrentState:
    site_user_id: int
    categories: dict[tuple[str, ...], int]  # path of names (the sync file's where they match) -> id, for the paths one category has
    course: MoodleCourse | None
    users: dict[str, MoodleUser]  # by the spec's username, for those found
    cohorts: dict[str, int]  # idnumber -> id, for the spec's cohorts that exist
    cohort_members: dict[str, set[int]]  # idnumber -> user ids
    enrolled: dict[int, set[int]] = field(default_factory=dict)  # user id -> role ids
    usernames: dict[int, str] = field(default_factory=dict)  # user id -> Moodle username, for reports
    groups: dict[str, int] = field(default_factory=dict)  # name (the sync file's where it matches) -> id
    group_members: dict[str, set[int]] = field(default_factory=dict)
    forums: dict[str, MoodleForum] = field(default_factory=dict)
    sections: dict[int, MoodleSection] = field(default_factory=dict)  # by number, the course's own (not delegated)
    functions: frozenset[str] = frozenset()  # the web service functions the token's service offers
    # Lowercased e-mail of a user to create -> username of the Moodle account that already has it.
    email_owners: dict[str, str] = field(default_factory=dict)
    # Moodle lets sibling categories share a name: paths several categories have -> their ids.
    category_clashes: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    content: ContentState | None = None  # what local_coursebridge published, with a sync file's content:

    def category_ids(self, path: tuple[str, ...]) -> list[int]:
        """The ids of the categories with this path of names: none, one, or several when names clash."""
        return [self.categories[path]] if path in self.categories else self.category_clashes.get(path, [])


def read_state(client: MoodleClient, spec: SyncSpec) -> CurrentState:
    site = client.call("core_webservice_get_site_info")
    categories, category_clashes = category_paths(client, spec.course.category)
    state = CurrentState(
        site_user_id=site["userid"],
        categories=categories,
        course=find_course(client, spec.course.shortname),
        users={},
        cohorts={},
        cohort_members={},
        category_clashes=category_clashes,
    )
    if state.course:
        _enrolments(client, spec, state)  # finds the enrolled users of the files too
    state.users.update(_users(client, spec, [name for name in spec.users if name not in state.users]))
    state.usernames.update({user.id: user.username for user in state.users.values()})
    state.email_owners = _email_owners(client, spec, state.users)
    _cohorts(client, spec, state)
    state.functions = frozenset(function["name"] for function in site.get("functions", []))
    if spec.content:
        state.content = read_content_state(client, set(state.functions), state.course.id if state.course else None)
    if state.course:
        _groups(client, spec, state)
        if spec.discussions or spec.course.section_names:
            contents = client.call("core_course_get_contents", {"courseid": state.course.id})
            state.sections = sections_of(contents)
            if spec.discussions:
                _forums(client, spec, state, contents)
    return state


def named_as(returned: str, wanted: Iterable[str]) -> str:
    """The wanted name Moodle shows as `returned`, else `returned` made readable."""
    return next((name for name in wanted if format_string(name) == returned), shown(returned))


def category_paths(client: MoodleClient, wanted: tuple[str, ...]) -> tuple[dict[tuple[str, ...], int], dict[tuple[str, ...], list[int]]]:
    """Category ids by path of names: those with a path of their own, and those whose path others share."""
    rows = client.call("core_course_get_categories", {"criteria": [], "addsubcategories": 1})
    by_id = {row["id"]: row for row in rows}
    wanted_by_shown = {tuple(map(format_string, wanted[:depth])): wanted[:depth] for depth in range(1, len(wanted) + 1)}

    def path(row) -> tuple[str, ...]:
        parent = by_id.get(row["parent"])
        return (*path(parent), row["name"]) if parent else (row["name"],)

    by_path: dict[tuple[str, ...], list[int]] = {}
    for row in rows:
        returned = path(row)
        key = wanted_by_shown.get(returned) or tuple(map(shown, returned))
        by_path.setdefault(key, []).append(row["id"])
    unique = {key: ids[0] for key, ids in by_path.items() if len(ids) == 1}
    return unique, {key: sorted(ids) for key, ids in by_path.items() if len(ids) > 1}


def find_course(client: MoodleClient, shortname: str) -> MoodleCourse | None:
    found = client.call("core_course_get_courses_by_field", {"field": "shortname", "value": shortname})["courses"]
    if not found:
        return None
    row = found[0]
    return MoodleCourse(
        id=row["id"],
        fullname=row["fullname"],
        categoryid=row["categoryid"],
        summary=row.get("summary", ""),
        startdate=row.get("startdate", 0),
        enddate=row.get("enddate", 0),
        manual_enrolment="manual" in row.get("enrollmentmethods", []),
        groupmode=row.get("groupmode", 0),
        groupmodeforce=row.get("groupmodeforce", 0),
        format=row.get("format", ""),
    )


def sections_of(contents: list[dict]) -> dict[int, MoodleSection]:
    """The course's sections by number. Delegated ones (subsections: `component` set) belong to an activity."""
    return {
        row["section"]: MoodleSection(row["id"], row["section"], row.get("name", ""))
        for row in contents
        if not row.get("component")
    }


def _users(client: MoodleClient, spec: SyncSpec, usernames: list[str]) -> dict[str, MoodleUser]:
    """The Moodle accounts of these users of the files, by username, for those found."""
    key_of = {_match_value(spec.users[name], spec.match_by): name for name in usernames}
    answers = client.read_batched("core_user_get_users_by_field", "values", sorted(key_of), {"field": spec.match_by})
    return _found_users([row for rows in answers for row in rows], spec.match_by, key_of)


def _found_users(rows: list[dict], field_name: str, key_of: dict[str, str]) -> dict[str, MoodleUser]:
    """The rows whose match field names a user of the files, by that user's username."""
    found = {}
    for row in rows:
        value = str(row.get(field_name, "")).lower() if field_name == "email" else str(row.get(field_name, ""))
        if value in key_of:
            found[key_of[value]] = MoodleUser(
                row["id"], row["username"], row["firstname"], row["lastname"], row.get("email"), row.get("idnumber", "")
            )
    return found


def _email_owners(client: MoodleClient, spec: SyncSpec, found: dict[str, MoodleUser]) -> dict[str, str]:
    """Accounts that already have the e-mail of a user to create (found only where the token sees e-mails)."""
    if spec.match_by == "email":  # such users are found, not created
        return {}
    emails = sorted({user.email.lower() for user in spec.users.values() if user.username not in found})
    answers = client.read_batched("core_user_get_users_by_field", "values", emails, {"field": "email"})
    return {row["email"].lower(): row["username"] for rows in answers for row in rows if row.get("email")}


def _match_value(user, field_name: str) -> str:
    value = getattr(user, field_name)
    return value.lower() if field_name == "email" else value


def _cohorts(client: MoodleClient, spec: SyncSpec, state: CurrentState) -> None:
    if not spec.cohorts:
        return
    wanted = {cohort.idnumber for cohort in spec.cohorts}
    rows = client.call("core_cohort_get_cohorts", {"cohortids": []})
    state.cohorts = {row["idnumber"]: row["id"] for row in rows if row["idnumber"] in wanted}
    idnumber_of = {cohort_id: idnumber for idnumber, cohort_id in state.cohorts.items()}
    for rows in client.read_batched("core_cohort_get_cohort_members", "cohortids", sorted(idnumber_of)):
        for row in rows:
            state.cohort_members[idnumber_of[row["cohortid"]]] = set(row["userids"])


def _enrolments(client: MoodleClient, spec: SyncSpec, state: CurrentState) -> None:
    """Enrolled users and their roles, page by page; the users of the files among them go to state.users.

    The first round asks at once for the pages the files' enrolments would fill (the token's user
    may be enrolled too: one more), then rounds of `concurrency` pages follow until one is short.
    """
    key_of = {_match_value(user, spec.match_by): user.username for user in spec.users.values()}
    expected = len({username for enrolment in spec.enrolments for username in enrolment.members}) + 1
    pages: list[list[dict]] = []
    count = math.ceil(expected / ENROLLED_PAGE_SIDE_BY_SIDE)
    while not pages or len(pages[-1]) == ENROLLED_PAGE_SIDE_BY_SIDE:
        start = len(pages) * ENROLLED_PAGE_SIDE_BY_SIDE
        params = [
            enrolled_page_params(state.course.id, start + n * ENROLLED_PAGE_SIDE_BY_SIDE, ENROLLED_PAGE_SIDE_BY_SIDE, ENROLLED_FIELDS)
            for n in range(count)
        ]
        for page in client.call_many("core_enrol_get_enrolled_users", params):
            pages.append(page)
            if len(page) < ENROLLED_PAGE_SIDE_BY_SIDE:
                break
        count = client.concurrency
    rows = [row for page in pages for row in page]
    for row in rows:
        state.enrolled[row["id"]] = {role["roleid"] for role in row.get("roles", [])}
        state.usernames.setdefault(row["id"], row["username"])
    state.users.update(_found_users(rows, spec.match_by, key_of))


def enrolled_page_params(courseid: int, start: int, count: int, fields: str) -> dict:
    """core_enrol_get_enrolled_users for `count` users from `start`, each with only `fields` (`userfields`)."""
    options = {"userfields": fields, "limitfrom": start, "limitnumber": count}
    return {"courseid": courseid, "options": [{"name": name, "value": value} for name, value in options.items()]}


def _groups(client: MoodleClient, spec: SyncSpec, state: CurrentState) -> None:
    rows = client.call("core_group_get_course_groups", {"courseid": state.course.id})
    wanted = [group.name for group in spec.groups]
    state.groups = {named_as(row["name"], wanted): row["id"] for row in rows}
    name_of = {group_id: name for name, group_id in state.groups.items()}
    for rows in client.read_batched("core_group_get_group_members", "groupids", sorted(name_of)):
        for row in rows:
            state.group_members[name_of[row["groupid"]]] = set(row["userids"])


def _forums(client: MoodleClient, spec: SyncSpec, state: CurrentState, contents: list[dict]) -> None:
    wanted = {name for discussion in spec.discussions for name in discussion.forums}
    course = state.course
    forums = [f for f in client.call("mod_forum_get_forums_by_courses", {"courseids": [course.id]}) if named_as(f["name"], wanted) in wanted]
    if not forums:
        return
    modes = {module["id"]: module.get("groupmode", 0) for section in contents for module in section.get("modules", [])}
    answers = client.call_many("mod_forum_get_forum_discussions", [{"forumid": forum["id"]} for forum in forums])
    for forum, answer in zip(forums, answers):
        mode = course.groupmode if course.groupmodeforce else modes.get(forum["cmid"], 0)
        found = frozenset((d["groupid"], d["subject"]) for d in answer["discussions"])
        name = named_as(forum["name"], wanted)
        state.forums[name] = MoodleForum(forum["id"], name, mode, found)
