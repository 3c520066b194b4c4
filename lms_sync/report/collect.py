"""Read what the course's learners did in Moodle: enrolments, SCORM tracks, forum posts. Reads only.

Calls per run: a constant number (site info, the course, its SCORM activities and forums, one per
forum and per prompt discussion) plus ceil(N / 1000) pages of enrolled users (with only the fields
the report reads, `userfields`) and, per SCORM activity, either ceil(N / batch) calls of the
coursebridge plugin's bulk read when the site has it
(`local_coursebridge_get_scorm_tracks`: every attempt of a batch of learners), or one
`mod_scorm_get_scorm_sco_tracks` per enrolled learner, plus one per earlier attempt.
`mod_scorm_get_scorm_user_data` is no use here: it returns the token owner's data, not a learner's.
Attempt 0 asks for the last attempt, whose number is also the attempt count (attempts are numbered
from 1), so `mod_scorm_get_scorm_attempt_count` would only add a call per learner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from builder.errors import UserError
from lms_sync.client import MoodleClient
from lms_sync.moodle_text import same_name, shown
from lms_sync.state import ENROLLED_PAGE, MoodleCourse, enrolled_page_params, find_course, named_as
from lms_sync.syncfile import SyncSpec

VERSIONS = {"SCORM_1.2": "1.2", "SCORM_1.3": "2004"}
BULK_READ = "local_coursebridge_get_scorm_tracks"


class ReportInputError(UserError):
    """Something in the command, its files or Moodle's course that the user must fix first."""

    exit_code = 2


@dataclass(frozen=True)
class Learner:
    username: str  # the roster's
    firstname: str
    lastname: str
    moodle_id: int | None  # None when Moodle does not have them enrolled
    groups: tuple[str, ...] = ()
    last_access: int = 0  # Moodle's last access to the course, Unix time; 0 if never

    @property
    def name(self) -> str:
        return f"{self.firstname} {self.lastname}"


@dataclass(frozen=True)
class ScormActivity:
    id: int
    name: str
    version: str  # "1.2" or "2004"
    sco_id: int  # the launchable SCO: our packages have exactly one


@dataclass(frozen=True)
class Attempt:
    number: int
    tracks: dict[str, object]  # element -> value, summaries (status, score_raw, total_time...) included
    version: str = "1.2"  # the SCORM activity's: "1.2" or "2004"


@dataclass(frozen=True)
class ForumPost:
    author: int  # Moodle user id
    reply: bool  # False for the discussion's first post


@dataclass(frozen=True)
class PromptThread:
    activity: str  # the discussion prompt's activity id
    forum: str
    groupid: int  # -1: all participants
    posts: tuple[ForumPost, ...]


@dataclass
class Collected:
    course: MoodleCourse
    learners: list[Learner]
    activities: list[ScormActivity]
    attempts: dict[tuple[int, int], list[Attempt]] = field(default_factory=dict)  # (activity id, user id) -> 1..n
    threads: list[PromptThread] = field(default_factory=list)
    group_ids: dict[int, str] = field(default_factory=dict)  # the course's groups seen among learners


def collect(client: MoodleClient, spec: SyncSpec, roles: tuple[str, ...], progress: Callable[[int], None] | None = None) -> Collected:
    """Everything the figures need, for the sync file's users enrolled with one of `roles`."""
    course = find_course(client, spec.course.shortname)
    if course is None:
        raise ReportInputError(f"{spec.path}: Moodle has no course {spec.course.shortname!r}; run `coursebridge sync apply {spec.path}` first")
    learners, group_ids = _learners(client, spec, course, roles)
    scorms = client.call("mod_scorm_get_scorms_by_courses", {"courseids": [course.id]})["scorms"]
    activities = [
        ScormActivity(row["id"], shown(row["name"]), VERSIONS.get(row.get("version", ""), "1.2"), row["launch"])
        for row in scorms
        if row.get("launch")
    ]
    collected = Collected(course, learners, activities, group_ids=group_ids)
    functions = {row["name"] for row in client.call("core_webservice_get_site_info").get("functions", [])}
    read = _bulk_attempts if BULK_READ in functions and activities else _attempts_one_by_one
    read(client, collected, progress or (lambda count: None))
    collected.threads = _threads(client, spec, course)
    return collected


def _attempts_one_by_one(client: MoodleClient, collected: Collected, progress: Callable[[int], None]) -> None:
    for learner in collected.learners:
        if learner.moodle_id is not None:
            for activity in collected.activities:
                collected.attempts[activity.id, learner.moodle_id] = _attempts(client, activity, learner.moodle_id)
        progress(1)


def _bulk_attempts(client: MoodleClient, collected: Collected, progress: Callable[[int], None]) -> None:
    """The plugin's read: per activity, every attempt of a batch of learners in one call."""
    ids = [learner.moodle_id for learner in collected.learners if learner.moodle_id is not None]
    progress(len(collected.learners) - len(ids))
    for chunk in client.batches("userids", ids, {"scormid": collected.activities[0].id}):
        for activity in collected.activities:
            answer = client.call(BULK_READ, {"scormid": activity.id, "userids": chunk})
            for user in answer["users"]:
                collected.attempts[activity.id, user["userid"]] = [
                    Attempt(attempt["attempt"], {row["element"]: row["value"] for row in attempt["tracks"]}, activity.version)
                    for attempt in user["attempts"]
                ]
        progress(len(chunk))


def learner_usernames(spec: SyncSpec, roles: tuple[str, ...]) -> list[str]:
    """The sync file's users it enrols with one of `roles`, in roster order."""
    wanted = {username for enrolment in spec.enrolments if enrolment.role in roles for username in enrolment.members}
    return [username for username in spec.users if username in wanted]


def _learners(client: MoodleClient, spec: SyncSpec, course: MoodleCourse, roles: tuple[str, ...]) -> tuple[list[Learner], dict[int, str]]:
    role_ids = {spec.roles[role] for role in roles if role in spec.roles}
    key_of = {_match_value(getattr(user, spec.match_by), spec.match_by): username for username, user in spec.users.items()}
    enrolled: dict[str, dict] = {}
    group_ids: dict[int, str] = {}
    start = 0
    # What the report reads of each: without `userfields`, Moodle adds names, e-mails, enrolled
    # courses, custom fields and picture URLs to every record, at a cost per record.
    fields = f"id,{spec.match_by},roles,groups,lastcourseaccess"
    while True:
        rows = client.call("core_enrol_get_enrolled_users", enrolled_page_params(course.id, start, ENROLLED_PAGE, fields))
        for row in rows:
            username = key_of.get(_match_value(str(row.get(spec.match_by, "")), spec.match_by))
            if username and role_ids & {role["roleid"] for role in row.get("roles", [])}:
                enrolled[username] = row
        if len(rows) < ENROLLED_PAGE:
            break
        start += ENROLLED_PAGE
    learners = []
    wanted_groups = [group.name for group in spec.groups]
    for username in learner_usernames(spec, roles):
        user, row = spec.users[username], enrolled.get(username)
        if row is None:  # counted in the groups the sync file puts them in
            planned = tuple(sorted(group.name for group in spec.groups if username in group.members))
            learners.append(Learner(username, user.firstname, user.lastname, None, planned))
            continue
        groups = row.get("groups", [])  # absent, not [], for someone in no group
        group_ids.update({group["id"]: named_as(group["name"], wanted_groups) for group in groups})
        names = tuple(sorted(group_ids[group["id"]] for group in groups))
        learners.append(Learner(username, user.firstname, user.lastname, row["id"], names, row.get("lastcourseaccess") or 0))
    return learners, group_ids


def _match_value(value: str, field_name: str) -> str:
    return value.lower() if field_name == "email" else value


def _attempts(client: MoodleClient, activity: ScormActivity, userid: int) -> list[Attempt]:
    last = _tracks(client, activity, userid, 0)
    if last is None:
        return []
    earlier = [_tracks(client, activity, userid, number) for number in range(1, last.number)]
    return [attempt for attempt in earlier if attempt is not None] + [last]


def _tracks(client: MoodleClient, activity: ScormActivity, userid: int, number: int) -> Attempt | None:
    answer = client.call("mod_scorm_get_scorm_sco_tracks", {"scoid": activity.sco_id, "userid": userid, "attempt": number})
    tracks = answer["data"]["tracks"]
    if not tracks:  # warning "notattempted"
        return None
    return Attempt(answer["data"]["attempt"], {row["element"]: row["value"] for row in tracks}, activity.version)


def _threads(client: MoodleClient, spec: SyncSpec, course: MoodleCourse) -> list[PromptThread]:
    if not spec.discussions:
        return []
    forums = client.call("mod_forum_get_forums_by_courses", {"courseids": [course.id]})
    discussions_of: dict[int, list[dict]] = {}
    threads = []
    for prompt in spec.discussions:
        forum, forum_id = next(((name, row["id"]) for name in prompt.forums for row in forums if same_name(name, row["name"])), (None, None))
        if forum is None:
            continue
        if forum_id not in discussions_of:
            discussions_of[forum_id] = client.call("mod_forum_get_forum_discussions", {"forumid": forum_id})["discussions"]
        for discussion in discussions_of[forum_id]:
            if not same_name(prompt.subject, discussion["subject"]):
                continue
            rows = client.call("mod_forum_get_discussion_posts", {"discussionid": discussion["discussion"]})["posts"]
            posts = tuple(ForumPost(row["author"]["id"], bool(row["hasparent"])) for row in rows)
            threads.append(PromptThread(prompt.activity, forum, discussion["groupid"], posts))
    return threads
