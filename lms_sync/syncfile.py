"""The sync file: the desired state of one Moodle course, its sections, people, cohorts, groups and discussions.

Paths in it (rosters, the course folder) are relative to the sync file. Everything is checked,
rosters included, before any call is made; every problem is reported with file, line and column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from builder.errors import CourseError, Location, UserError
from lms_sync.content import ContentSpec, load_content_spec
from lms_sync.course_source import CourseContent, read_course
from lms_sync.located import (
    SAVE_AS_UTF8,
    InputError,
    NodeReader,
    Problem,
    compose_yaml,
    did_you_mean,
    expected_one_of,
    join,
    read_utf8,
    scalar_text,
)
from lms_sync.moodle_rules import refusal
from lms_sync.roster import RosterUser, load_roster

DEFAULT_ROLES = {"manager": 1, "coursecreator": 2, "editingteacher": 3, "teacher": 4, "student": 5}
MATCH_FIELDS = ("username", "idnumber", "email")
PASSWORD_MODES = ("email", "generate")


@dataclass(frozen=True)
class CourseSpec:
    shortname: str
    fullname: str
    category: tuple[str, ...]  # names from the top category down
    start: int | None  # Unix time, midnight UTC
    end: int | None
    summary_html: str | None
    section_names: tuple[str, ...] = ()  # names of sections 1, 2, ... (the days); empty: leave sections alone


@dataclass(frozen=True)
class CohortSpec:
    idnumber: str
    name: str
    description: str
    members: frozenset[str]  # usernames


@dataclass(frozen=True)
class EnrolmentSpec:
    label: str  # what the sync file names: "cohort X" or "users"
    role: str
    start: int | None
    end: int | None
    members: frozenset[str]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    members: frozenset[str]


@dataclass(frozen=True)
class DiscussionSpec:
    activity: str
    title: str
    subject: str
    message_html: str
    forum: str | None  # the activity's `forum:`
    default_forum: str | None  # forums.default

    @property
    def forums(self) -> tuple[str, ...]:
        """Where to post, by preference: the forum the activity names, the forum the Common Cartridge
        created for the prompt (named after the activity's title), forums.default."""
        return tuple(dict.fromkeys(name for name in (self.forum, self.title, self.default_forum) if name))


@dataclass
class SyncSpec:
    path: Path
    course: CourseSpec
    users: dict[str, RosterUser]  # by username, in roster order
    match_by: str = "username"
    passwords: str = "email"
    cohorts: list[CohortSpec] = field(default_factory=list)
    enrolments: list[EnrolmentSpec] = field(default_factory=list)
    groups: list[GroupSpec] = field(default_factory=list)
    discussions: list[DiscussionSpec] = field(default_factory=list)
    roles: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    source: Path | None = None  # the course folder (course.source), for what needs the course model
    content: ContentSpec | None = None  # the course's content, published through the Moodle plugin
    notes: list[str] = field(default_factory=list)  # what Moodle will do differently from the files, located


# Category paths separate names with " / ": a `/` without a space on each side may belong to a name.
BARE_SLASH = re.compile(r"(?<! )/|/(?! )")

TOP_KEYS = ("course", "users", "cohorts", "enrolments", "groups", "forums", "roles", "content")


def load_sync_file(path: Path) -> SyncSpec:
    """Load and check a sync file, its rosters and its course; raise InputError with every problem."""
    name = str(path)
    if path.is_dir():
        raise InputError([Problem(Location(name), "", _folder_given(path))])
    if not path.is_file():
        raise InputError([Problem(Location(name), "", "no such sync file")])
    root = compose_yaml(read_utf8(path, name, SAVE_AS_UTF8), name)
    reader = NodeReader(name)
    top = reader.mapping(root, "", ("course", "users"), TOP_KEYS[2:]) if root is not None else None
    if top is None:
        reader.problems = reader.problems or [Problem(Location(name), "", "empty sync file; expected course: and users:")]
        raise InputError(reader.problems)
    loader = _Loader(path, reader)
    spec = loader.load(top)
    if reader.problems or spec is None:
        raise InputError(reader.problems)
    return spec


def _folder_given(folder: Path) -> str:
    found = sorted(file for file in folder.glob("*.y*ml") if "sync" in file.name)
    if found:
        return f"is a folder; give the sync file itself, e.g. {found[0]}"
    return "is a folder; give the sync file itself (the YAML file with course: and users:)"


def midnight_utc(day: dt.date | None) -> int | None:
    return None if day is None else int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


class _Loader:
    def __init__(self, path: Path, reader: NodeReader):
        self.path = path
        self.base = path.parent
        self.read = reader
        # Checks that need everything a source gives are skipped once it has failed: its own problems
        # are reported, and "is in no roster" or "add `source:`" would only be false echoes of them.
        self.has_source = False
        self.source: Path | None = None
        self.rosters_loaded = True

    def load(self, top: dict[str, yaml.Node]) -> SyncSpec | None:
        roles = self._roles(top.get("roles"))
        content = self._course_content(top["course"])
        course = self._course(top["course"], content)
        users, match_by, passwords = self._users(top["users"], roles)
        cohorts = self._cohorts(top.get("cohorts"), users)
        enrolments = self._enrolments(top.get("enrolments"), users, cohorts, roles, course)
        groups = self._groups(top.get("groups"), users, course)
        discussions = self._discussions(top.get("forums"), content)
        published = load_content_spec(self.read, top["content"], self.source if content else None, self.has_source) if "content" in top else None
        if course is None:
            return None
        notes = [
            f"{user.location}: username {user.written_username!r} is {user.username!r} in Moodle, which keeps usernames "
            "in lowercase; write it so in the roster"
            for user in users.values()
            if user.written_username
        ]
        return SyncSpec(
            self.path, course, users, match_by, passwords, cohorts, enrolments, groups, discussions, roles, self.source, published, notes
        )

    def _check(self, node, path: str, what: str, value: str | None) -> None:
        """Report what Moodle would refuse in `value` (lms_sync/moodle_rules.py), at `node`."""
        refused = refusal(what, value) if value else None
        if refused:
            self.read.fail(node, path, refused)

    def _roles(self, node) -> dict[str, int]:
        roles = dict(DEFAULT_ROLES)
        if node is None:
            return roles
        if not isinstance(node, yaml.MappingNode):
            self.read.fail(node, "roles", "expected role shortname: role id, e.g. `student: 5`")
            return roles
        for key_node, value_node in node.value:
            role = self.read.text(key_node, "roles")
            roleid = self.read.integer(value_node, join("roles", role or ""))
            if role and roleid:
                roles[role] = roleid
        return roles

    def _course_content(self, node) -> CourseContent | None:
        if not isinstance(node, yaml.MappingNode):
            return None
        source = next((value for key, value in node.value if scalar_text(key) == "source"), None)
        self.has_source = source is not None
        folder = self.read.text(source, "course.source")
        if folder is None:
            return None
        self.source = self.base / folder
        try:
            return read_course(self.source)
        except CourseError as error:
            self.read.problems.extend(error.problems)
        except UserError as error:
            self.read.fail(source, "course.source", str(error))
        return None

    def _course(self, node, content: CourseContent | None) -> CourseSpec | None:
        keys = self.read.mapping(node, "course", ("shortname", "category"), ("source", "fullname", "start", "end", "name_sections"))
        if keys is None:
            return None
        shortname = self.read.text(keys.get("shortname"), "course.shortname")
        fullname = self.read.text(keys.get("fullname"), "course.fullname") or (content.title if content else None)
        if fullname is None and "fullname" not in keys and not self.has_source:
            self.read.fail(node, "course", "missing `fullname` (or `source:` to take the course title)")
        category = self._category(keys.get("category"))
        category_text = " / ".join(category)
        self._check(keys.get("shortname"), "course.shortname", "course shortname", shortname)
        self._check(keys.get("fullname") or keys.get("source"), "course.fullname", "course fullname", fullname)
        start = self.read.date(keys.get("start"), "course.start")
        end = self.read.date(keys.get("end"), "course.end")
        if start and end and end <= start:
            self.read.fail(keys["end"], "course.end", f"ends before it starts ({start}); expected a later date")
        name_sections = self.read.flag(keys.get("name_sections"), "course.name_sections")
        if name_sections and "source" not in keys:
            self.read.fail(keys["name_sections"], "course.name_sections", "section names come from the course's days: add `source:` under course:")
        if not (shortname and fullname and category_text):
            return None
        summary = content.summary_html if content else None
        section_names = content.day_titles if content and name_sections is not False else ()
        return CourseSpec(shortname, fullname, category, midnight_utc(start), midnight_utc(end), summary, section_names)

    def _category(self, node) -> tuple[str, ...]:
        """`Training / 2026`, or a list of names when one holds a `/` (`[Training, 2025/2026]`)."""
        if isinstance(node, yaml.SequenceNode):
            names = tuple(self.read.text_list(node, "course.category"))
            items = node.value
        else:
            text = self.read.text(node, "course.category") or ""
            names = tuple(part.strip() for part in text.split("/")) if text else ()
            items = [node] * len(names)
            if BARE_SLASH.search(text):
                self.read.fail(node, "course.category", (
                    f"{text!r} has a `/` without a space on each side: write `{' / '.join(names)}` for a category "
                    f"inside another, or a list to keep the `/` in a name, e.g. [{text}]"
                ))
                return ()
        if names and not all(names):
            self.read.fail(node, "course.category", "empty category name; expected e.g. `Training / 2026`")
        for index, (name, item) in enumerate(zip(names, items)):
            self._check(item, f"course.category[{index}]" if len(names) > 1 else "course.category", "category name", name)
        return names

    def _users(self, node, roles: dict[str, int]) -> tuple[dict[str, RosterUser], str, str]:
        keys = self.read.mapping(node, "users", ("rosters",), ("match_by", "passwords")) or {}
        match_by = self.read.text(keys.get("match_by"), "users.match_by") or "username"
        if match_by not in MATCH_FIELDS:
            self.read.fail(keys["match_by"], "users.match_by", expected_one_of(MATCH_FIELDS, match_by))
        passwords = self.read.text(keys.get("passwords"), "users.passwords") or "email"
        if passwords not in PASSWORD_MODES:
            self.read.fail(keys["passwords"], "users.passwords", expected_one_of(PASSWORD_MODES, passwords))
        users: dict[str, RosterUser] = {}
        for index, file in enumerate(self.read.text_list(keys.get("rosters"), "users.rosters")):
            try:
                roster = load_roster(self.base / file, roles, shown_as=str(self.base / file))
            except InputError as error:
                self.read.problems.extend(error.problems)
                self.rosters_loaded = False
                continue
            for user in roster:
                if user.username in users:
                    first = users[user.username].location
                    self.read.problems.append(Problem(user.location, "username", f"{user.username!r} is also in {first}; keep one row"))
                users.setdefault(user.username, user)
        return users, match_by, passwords

    def _members(self, node, path: str, users: dict[str, RosterUser]) -> frozenset[str]:
        names = self.read.text_list(node, path)
        for index, username in enumerate(names):
            if username not in users and self.rosters_loaded:
                self.read.fail(node.value[index] if isinstance(node, yaml.SequenceNode) else node, f"{path}[{index}]",
                               f"{username!r} is in no roster{did_you_mean(username, users)}; "
                               "correct the username, or add them to a roster of users.rosters")
        return frozenset(name for name in names if name in users)

    def _cohorts(self, node, users: dict[str, RosterUser]) -> list[CohortSpec]:
        cohorts: list[CohortSpec] = []
        for index, item in enumerate(self._list(node, "cohorts")):
            path = f"cohorts[{index}]"
            keys = self.read.mapping(item, path, ("idnumber", "name"), ("description", "members"))
            if keys is None:
                continue
            idnumber = self.read.text(keys.get("idnumber"), f"{path}.idnumber")
            name = self.read.text(keys.get("name"), f"{path}.name")
            self._check(keys.get("idnumber"), f"{path}.idnumber", "cohort idnumber", idnumber)
            self._check(keys.get("name"), f"{path}.name", "cohort name", name)
            if "members" in keys:
                members = self._members(keys["members"], f"{path}.members", users)
            else:  # the roster's cohortN columns
                members = frozenset(u.username for u in users.values() if idnumber in u.cohorts)
            if idnumber and any(c.idnumber == idnumber for c in cohorts):
                self.read.fail(keys["idnumber"], f"{path}.idnumber", f"cohort {idnumber!r} is defined twice; keep one")
            elif idnumber and name:
                description = self.read.text(keys.get("description"), f"{path}.description") or ""
                cohorts.append(CohortSpec(idnumber, name, description, members))
        named = {c.idnumber for c in cohorts}
        for user in users.values():
            for cohort in user.cohorts:
                if cohort not in named:
                    self.read.problems.append(
                        Problem(user.location, "cohort", f"cohort {cohort!r} is not defined; add it under cohorts: in {self.path}")
                    )
        return cohorts

    def _enrolments(self, node, users, cohorts: list[CohortSpec], roles: dict[str, int], course: CourseSpec | None) -> list[EnrolmentSpec]:
        enrolments: list[EnrolmentSpec] = []
        for index, item in enumerate(self._list(node, "enrolments")):
            path = f"enrolments[{index}]"
            keys = self.read.mapping(item, path, (), ("cohort", "users", "roster", "role", "start", "end"))
            if keys is None:
                continue
            sources = [key for key in ("cohort", "users", "roster") if key in keys]
            if len(sources) != 1:
                self.read.fail(item, path, "expected exactly one of `cohort:`, `users:` or `roster: true`")
                continue
            role = self.read.text(keys.get("role"), f"{path}.role")
            if role and role not in roles:
                expected = f"expected one of {', '.join(sorted(roles))} (or add it under roles:)"
                self.read.fail(keys["role"], f"{path}.role", f"unknown role {role!r}{did_you_mean(role, roles)}; {expected}")
            start, end = self.read.date(keys.get("start"), f"{path}.start"), self.read.date(keys.get("end"), f"{path}.end")
            if start and end and end <= start:
                self.read.fail(keys["end"], f"{path}.end", f"ends before it starts ({start}); expected a later date")
            if "cohort" in keys:
                idnumber = self.read.text(keys["cohort"], f"{path}.cohort")
                cohort = next((c for c in cohorts if c.idnumber == idnumber), None)
                if idnumber and cohort is None:
                    self.read.fail(keys["cohort"], f"{path}.cohort", f"no cohort {idnumber!r} under cohorts:; define it there")
                    continue
                label, members = f"cohort {idnumber}", cohort.members if cohort else frozenset()
            elif "users" in keys:
                label, members = "users", self._members(keys["users"], f"{path}.users", users)
            else:
                if self.read.flag(keys["roster"], f"{path}.roster") and course:
                    enrolments += self._roster_enrolments(item, path, users, course, role, start, end)
                continue
            if "role" not in keys:
                self.read.fail(item, path, "missing `role`, e.g. `role: student`")
            elif role in roles:
                enrolments.append(EnrolmentSpec(label, role, midnight_utc(start), midnight_utc(end), members))
        return enrolments

    def _roster_enrolments(self, item, path, users, course: CourseSpec, role, start, end) -> list[EnrolmentSpec]:
        """The roster's courseN/roleN columns that name this course; `role:` fills blank roleN."""
        by_role: dict[str, set[str]] = {}
        for user in users.values():
            for shortname, user_role in user.courses:
                if shortname != course.shortname:
                    continue
                if not (user_role or role):
                    self.read.problems.append(Problem(user.location, "role", f"no role for course {shortname}; fill roleN or give `role:` in {path}"))
                    continue
                by_role.setdefault(user_role or role, set()).add(user.username)
        return [EnrolmentSpec(f"roster {r}", r, midnight_utc(start), midnight_utc(end), frozenset(m)) for r, m in sorted(by_role.items())]

    def _groups(self, node, users: dict[str, RosterUser], course: CourseSpec | None) -> list[GroupSpec]:
        groups: dict[str, set[str]] = {}
        for index, item in enumerate(self._list(node, "groups")):
            path = f"groups[{index}]"
            if isinstance(item, yaml.ScalarNode):
                word = scalar_text(item)
                if word == "roster":
                    for user in users.values():
                        for group_course, group in user.groups:
                            if not group_course or (course and group_course == course.shortname):
                                groups.setdefault(group, set()).add(user.username)
                else:
                    expected = "expected `roster` or a mapping with name and members"
                    self.read.fail(item, path, f"unknown item {word!r}{did_you_mean(word, ['roster'])}; {expected}")
                continue
            keys = self.read.mapping(item, path, ("name",), ("members",))
            if keys is None:
                continue
            name = self.read.text(keys.get("name"), f"{path}.name")
            self._check(keys.get("name"), f"{path}.name", "group name", name)
            if name:
                groups.setdefault(name, set()).update(self._members(keys.get("members"), f"{path}.members", users))
        return [GroupSpec(name, frozenset(members)) for name, members in groups.items()]

    def _discussions(self, node, content: CourseContent | None) -> list[DiscussionSpec]:
        if node is None:
            return []
        keys = self.read.mapping(node, "forums", (), ("default",))
        if keys is None:
            return []
        default = self.read.text(keys.get("default"), "forums.default")
        if content is None:
            if not self.has_source:
                self.read.fail(node, "forums", "discussion prompts come from the course: add `source:` under course:")
            return []
        for prompt in content.prompts:  # located at `forums:`, which asks for them to be posted
            self._check(node, f"forums: activity {prompt.activity}", "discussion subject", prompt.subject)
        return [
            DiscussionSpec(prompt.activity, prompt.title, prompt.subject, prompt.message_html, prompt.forum, default)
            for prompt in content.prompts
        ]

    def _list(self, node, path: str) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.read.fail(node, path, "expected a list")
            return []
        return node.value
