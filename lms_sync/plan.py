"""The plan: what must change in Moodle for it to match the sync file. Pure: no I/O.

Actions name things by their natural keys (usernames, cohort idnumbers, group names), not ids,
so a plan can be shown before anything exists; apply resolves ids as it creates things.
Removals (from a cohort, a group, the course) are planned only with prune; users are never deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lms_sync.errors import SERVICES_PAGE, AmbiguousCategoryError
from lms_sync.moodle_text import format_string, same_name, shown, strip_tags
from lms_sync.publish import CONTENT_KINDS, plan_content
from lms_sync.state import CurrentState, MoodleForum
from lms_sync.syncfile import DiscussionSpec, SyncSpec

# Kinds in the order apply runs them: each may depend on the ones before.
KINDS = (
    "create category",
    "create course",
    "update course",
    *CONTENT_KINDS,
    "rename section",
    "create user",
    "update user",
    "create cohort",
    "add cohort member",
    "enrol",
    "create group",
    "add group member",
    "post discussion",
    "remove group member",
    "remove cohort member",
    "unenrol",
)


@dataclass(frozen=True)
class Action:
    kind: str
    target: str  # what it is about, as people say it: a username, "cohort-id: username", ...
    data: dict = field(default_factory=dict, hash=False, compare=False)
    # For updates: (field, value in Moodle, value wanted), both as people read them.
    changes: tuple[tuple[str, str, str], ...] = field(default=(), hash=False, compare=False)

    def describe(self) -> str:
        return f"{self.kind}: {self.target}"

    def explain(self) -> str:
        """The target, and for an update what changes: `CP-2026: fullname 'Old' -> 'New'`."""
        if not self.changes:
            return self.target
        return f"{self.target}: " + "; ".join(f"{name} {old} -> {new}" for name, old, new in self.changes)

    def to_json(self) -> dict:
        found = {"kind": self.kind, "target": self.target, **{k: v for k, v in self.data.items() if k != "message"}}
        if self.changes:
            found["changes"] = [{"field": name, "from": old, "to": new} for name, old, new in self.changes]
        return found


@dataclass
class Plan:
    actions: list[Action]
    notes: list[str]  # things the plan cannot do, each saying how to fix it

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for action in self.actions:
            counts[action.kind] = counts.get(action.kind, 0) + 1
        return counts

    def by_kind(self, kind: str) -> list[Action]:
        return [action for action in self.actions if action.kind == kind]

    @property
    def empty(self) -> bool:
        return not self.actions

    def to_json(self) -> dict:
        return {"counts": self.counts(), "actions": [a.to_json() for a in self.actions], "notes": self.notes}


def make_plan(spec: SyncSpec, state: CurrentState, *, prune: bool = False, update_users: bool = False) -> Plan:
    actions: list[Action] = []
    notes: list[str] = list(spec.notes)
    actions += _categories(spec, state)
    actions += _course(spec, state)
    content, new_forums = plan_content(spec, state, notes, Action)
    actions += content
    actions += _sections(spec, state, notes)
    actions += _users(spec, state, update_users, notes)
    actions += _cohorts(spec, state, prune)
    actions += _enrolments(spec, state, prune, notes)
    actions += _groups(spec, state, prune)
    actions += _discussions(spec, state, notes, new_forums)
    order = {kind: index for index, kind in enumerate(KINDS)}
    actions.sort(key=lambda action: order[action.kind])
    plan = Plan(actions, notes)
    notes += _missing_functions(plan, state)
    return plan


# The web service functions apply calls for each kind of change (the content kinds check their own).
KIND_FUNCTIONS = {
    "create category": ("core_course_create_categories",),
    "create course": ("core_course_create_courses",),
    "update course": ("core_course_update_courses",),
    "rename section": ("core_update_inplace_editable",),
    "create user": ("core_user_create_users",),
    "update user": ("core_user_update_users",),
    "create cohort": ("core_cohort_create_cohorts",),
    "add cohort member": ("core_cohort_add_cohort_members",),
    "enrol": ("enrol_manual_enrol_users",),
    "create group": ("core_group_create_groups",),
    "add group member": ("core_group_add_group_members",),
    "post discussion": ("mod_forum_add_discussion",),
    "remove group member": ("core_group_delete_group_members",),
    "remove cohort member": ("core_cohort_delete_cohort_members",),
    "unenrol": ("enrol_manual_unenrol_users",),
}


def _missing_functions(plan: Plan, state: CurrentState) -> list[str]:
    """A note per function apply would call that the token's external service lacks."""
    if not state.functions:  # nothing known (a state built without site info)
        return []
    counts = plan.counts()
    missing: dict[str, list[str]] = {}
    for kind, count in counts.items():
        for function in KIND_FUNCTIONS.get(kind, ()):
            if function not in state.functions:
                missing.setdefault(function, []).append(f"{count} {kind!r}")
    return [
        f"the token's external service lacks {function}, which apply needs for {', '.join(uses)}: add it at {SERVICES_PAGE} > "
        "(the token's service) > Functions > Add functions (`coursebridge moodle doctor` lists every missing one)"
        for function, uses in missing.items()
    ]


def _categories(spec: SyncSpec, state: CurrentState) -> list[Action]:
    path = spec.course.category
    _refuse_ambiguous_category(path, state)
    return [
        Action("create category", " / ".join(path[: depth + 1]), {"path": list(path[: depth + 1])})
        for depth in range(len(path))
        if not state.category_ids(path[: depth + 1])
    ]


def _refuse_ambiguous_category(path: tuple[str, ...], state: CurrentState) -> None:
    """Raise when the deepest existing part of the category path names several categories.

    Only the course already being in one of them settles it; otherwise any choice could move the
    course, or create the categories left, in the wrong place.
    """
    for depth in range(len(path), 0, -1):
        ids = state.category_ids(path[:depth])
        if len(ids) > 1 and not (depth == len(path) and state.course and state.course.categoryid in ids):
            raise AmbiguousCategoryError(path[:depth], ids)
        if ids:
            return


def _course(spec: SyncSpec, state: CurrentState) -> list[Action]:
    wanted = spec.course
    fields = {"fullname": wanted.fullname}
    if wanted.summary_html is not None:
        fields["summary"] = wanted.summary_html
    if wanted.start is not None:
        fields["startdate"] = wanted.start
    if wanted.end is not None:
        fields["enddate"] = wanted.end
    if state.course is None:
        if wanted.section_names:  # one section per day, so each has one to take its name
            fields["numsections"] = len(wanted.section_names)
        return [Action("create course", wanted.shortname, {"category": list(wanted.category), **fields})]
    current = {
        "fullname": state.course.fullname,
        "summary": state.course.summary,
        "startdate": state.course.startdate,
        "enddate": state.course.enddate,
    }
    changed = {key: value for key, value in fields.items() if not _same(key, value, current[key])}
    changes = [(key, _readable(key, current[key]), _readable(key, value)) for key, value in changed.items()]
    if state.course.categoryid not in state.category_ids(wanted.category):
        changed["category"] = list(wanted.category)
        now = next((" / ".join(path) for path, id_ in state.categories.items() if id_ == state.course.categoryid), None)
        changes.append(("category", repr(now) if now else f"id {state.course.categoryid}", repr(" / ".join(wanted.category))))
    return [Action("update course", wanted.shortname, changed, tuple(changes))] if changed else []


def _readable(key: str, value) -> str:
    """A course field's value as the text plan shows it."""
    if key in {"startdate", "enddate"}:
        return dt.datetime.fromtimestamp(value, dt.timezone.utc).date().isoformat() if value else "none"
    if key == "summary":
        return f"({len(value or '')} characters)"
    return repr(shown(value)) if key == "fullname" else repr(value)


def _same(key: str, wanted, current) -> bool:
    """The full name comes back through format_string(); the other fields as they were stored."""
    return same_name(wanted, current) if key == "fullname" else wanted == current


def _sections(spec: SyncSpec, state: CurrentState, notes: list[str]) -> list[Action]:
    """Section N takes day N's title; sections beyond the days are left alone."""
    # Moodle stores section names through clean_param(PARAM_TEXT), which drops tags: plan what it keeps,
    # or a title with a tag in it would be renamed on every run.
    wanted = [strip_tags(title) for title in spec.course.section_names]
    if state.course is None:  # created with one section per day (see _course)
        return [_rename_section(number, "(new course)", name) for number, name in enumerate(wanted, 1)]
    missing = [name for number, name in enumerate(wanted, 1) if number not in state.sections]
    if missing:
        sections = sum(1 for number in state.sections if number > 0)
        notes.append(
            f"course {spec.course.shortname} has no section to name after {', '.join(map(repr, missing))} (sections after "
            f"General: {sections}, days: {len(wanted)}): restore the course's Common Cartridge into it (one section per day) "
            "or add sections in Moodle, then run the plan again"
        )
    current = {number: section.name for number, section in state.sections.items()}
    return [
        _rename_section(number, repr(shown(current[number])), name)
        for number, name in enumerate(wanted, 1)
        if number in current and not same_name(name, current[number])
    ]


def _rename_section(number: int, current: str, name: str) -> Action:
    return Action("rename section", f"section {number}: {current} -> {name!r}", {"section": number, "name": name})


def _users(spec: SyncSpec, state: CurrentState, update_users: bool, notes: list[str]) -> list[Action]:
    actions = []
    for user in spec.users.values():
        found = state.users.get(user.username)
        owner = state.email_owners.get(user.email.lower())
        if found is None and owner:
            notes.append(
                f"{user.location}: {user.email} is already the e-mail of Moodle user {owner!r}, so creating {user.username!r} "
                "will fail unless the site allows accounts with the same e-mail (allowaccountssameemail, which web services "
                "do not show); give another e-mail, or find people by e-mail (users.match_by: email)"
            )
        if found is None:
            actions.append(
                Action(
                    "create user",
                    user.username,
                    {"firstname": user.firstname, "lastname": user.lastname, "email": user.email, "idnumber": user.idnumber, "auth": user.auth},
                )
            )
        elif update_users:
            wanted = {"firstname": user.firstname, "lastname": user.lastname, "email": user.email}
            current = {"firstname": found.firstname, "lastname": found.lastname, "email": found.email}
            changed = {k: v for k, v in wanted.items() if current[k] != v and not (k == "email" and current[k] is None)}
            if changed:
                changes = tuple((k, repr(current[k]), repr(v)) for k, v in changed.items())
                actions.append(Action("update user", user.username, changed, changes))
    return actions


def _user_ids(state: CurrentState, usernames) -> set[int]:
    return {state.users[name].id for name in usernames if name in state.users}


def _label(state: CurrentState, userid: int) -> str:
    return state.usernames.get(userid, f"user id {userid}")


def _cohorts(spec: SyncSpec, state: CurrentState, prune: bool) -> list[Action]:
    actions = []
    for cohort in spec.cohorts:
        if cohort.idnumber not in state.cohorts:
            actions.append(Action("create cohort", cohort.idnumber, {"name": cohort.name, "description": cohort.description}))
        current = state.cohort_members.get(cohort.idnumber, set())
        actions += _memberships("cohort", cohort.idnumber, cohort.members, current, state, prune)
    return actions


def _memberships(kind: str, name: str, wanted, current: set[int], state: CurrentState, prune: bool) -> list[Action]:
    """Add the wanted members missing from a cohort or group; with `prune`, remove the others."""
    actions = []
    for username in sorted(wanted):
        found = state.users.get(username)
        if found is None or found.id not in current:
            actions.append(Action(f"add {kind} member", f"{name}: {username}", {kind: name, "username": username}))
    if prune:
        for userid in sorted(current - _user_ids(state, wanted)):
            actions.append(Action(f"remove {kind} member", f"{name}: {_label(state, userid)}", {kind: name, "userid": userid}))
    return actions


def _enrolments(spec: SyncSpec, state: CurrentState, prune: bool, notes: list[str]) -> list[Action]:
    if not spec.enrolments:
        return []
    if state.course is not None and not state.course.manual_enrolment:
        notes.append(
            f"course {spec.course.shortname} has no manual enrolment method, so nobody can be enrolled: add one in the "
            "course at Participants > Enrolment methods > Add method > Manual enrolments, then run the plan again"
        )
        return []
    actions = []
    planned: set[tuple[str, int]] = set()
    for enrolment in spec.enrolments:
        roleid = spec.roles[enrolment.role]
        for username in sorted(enrolment.members):
            found = state.users.get(username)
            has_role = found is not None and roleid in state.enrolled.get(found.id, set())
            if has_role or (username, roleid) in planned:
                continue
            planned.add((username, roleid))
            data = {"username": username, "role": enrolment.role, "roleid": roleid, "timestart": enrolment.start, "timeend": enrolment.end}
            actions.append(Action("enrol", f"{username} as {enrolment.role}", data))
    if prune and state.course is not None:
        wanted = {username for enrolment in spec.enrolments for username in enrolment.members}
        for userid in sorted(set(state.enrolled) - _user_ids(state, wanted) - {state.site_user_id}):
            actions.append(Action("unenrol", _label(state, userid), {"userid": userid}))
    return actions


def _groups(spec: SyncSpec, state: CurrentState, prune: bool) -> list[Action]:
    actions = []
    for group in spec.groups:
        if group.name not in state.groups:
            actions.append(Action("create group", group.name, {"name": group.name}))
        current = state.group_members.get(group.name, set())
        actions += _memberships("group", group.name, group.members, current, state, prune)
    return actions


def _discussions(spec: SyncSpec, state: CurrentState, notes: list[str], new_forums: dict[str, MoodleForum]) -> list[Action]:
    actions = []
    group_names = sorted(set(state.groups) | {group.name for group in spec.groups})
    known = {**new_forums, **state.forums}  # forums publishing the content creates, then those Moodle has
    for discussion in spec.discussions:
        forums = [known[name] for name in discussion.forums if name in known]
        if not forums:
            notes.append(_no_forum_note(spec, discussion))
            continue
        forum = forums[0]
        # Found again in any forum it may go to: a preferred forum added later does not get it twice.
        posted = frozenset().union(*(candidate.discussions for candidate in forums))
        subject = format_string(discussion.subject)  # as Moodle returns it
        data = {"forum": forum.name, "subject": discussion.subject, "message": discussion.message_html, "activity": discussion.activity}
        if forum.groupmode == 0:
            if not any(posted_subject == subject for _, posted_subject in posted):
                actions.append(Action("post discussion", f"{forum.name}: {discussion.subject}", {**data, "group": None}))
            continue
        for group in group_names:
            groupid = state.groups.get(group)
            if groupid is None or (groupid, subject) not in posted:
                actions.append(Action("post discussion", f"{forum.name}: {discussion.subject} ({group})", {**data, "group": group}))
    return actions


def _no_forum_note(spec: SyncSpec, discussion: DiscussionSpec) -> str:
    wanted = " or ".join(map(repr, discussion.forums))
    named = discussion.forum or discussion.default_forum or discussion.title
    return (
        f"course {spec.course.shortname} has no forum {wanted}, so {discussion.subject!r} (activity {discussion.activity}) "
        f"cannot be posted: restore the course's Common Cartridge into it (it creates the forum {discussion.title!r}) "
        f"or add a forum named {named!r} in Moodle, then run the plan again"
    )
