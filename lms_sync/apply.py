"""Apply a plan: batched writes in dependency order, each item's failure isolated from the others.

A batch Moodle rejects for one item is split in halves until the bad item stands alone (Moodle
rolls a failed call back whole). Errors that are not about an item (a missing function or
capability, a role the token may not assign) fail the rest of that kind at once.

An answer that never came (timeout, reset, truncated body) to a call that creates things is
followed by reading back what it was to create: what Moodle has is recorded as created and the
steps depending on it go on; the rest is "not created"; if even the read-back fails, "unknown,
rechecked next run". Every failure carries a short cause, so the summary counts them by cause.
"""

from __future__ import annotations

import re
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from builder.errors import UserError
from lms_sync.client import MoodleClient
from lms_sync.errors import (
    FunctionNotAllowedError,
    InvalidTokenError,
    MissingCapabilityError,
    MoodleError,
    NoManualEnrolmentError,
    RoleNotAssignableError,
    ServerError,
    UnknownFunctionError,
)
from lms_sync.files import PasswordsFile
from lms_sync.journal import Journal
from lms_sync.moodle_text import format_string
from lms_sync.plan import KINDS, Action, Plan
from lms_sync.publish import PublishSteps
from lms_sync.state import CurrentState, category_paths, find_course, named_as, sections_of
from lms_sync.syncfile import SyncSpec

# Renames a section through its course format's in-place editing callback (format_<format>_inplace_editable).
RENAME_SECTION = "core_update_inplace_editable"

# Kinds that do not need the course.
COURSE_FREE = {"create category", "create course", "create user", "update user", "create cohort", "add cohort member"}

# Errors that say nothing about the item sent: splitting the batch would only repeat them.
NOT_ABOUT_ITEMS = (
    FunctionNotAllowedError,
    InvalidTokenError,
    MissingCapabilityError,
    NoManualEnrolmentError,
    RoleNotAssignableError,
    UnknownFunctionError,
)


# Causes a failure is counted under in the summary.
REFUSED = "refused by Moodle"
WARNED = "Moodle warned"
NOT_CREATED = "not created (its answer was lost and Moodle does not have it)"
UNKNOWN = "outcome unknown (no answer; rechecked next run)"
DEPENDS = "waits for a step that did not succeed"

# How a step that needs something says why it is not there, by the cause of its creation's failure.
MISSING_BECAUSE = {
    UNKNOWN: "may have been created, but its answer was lost; rechecked next run",
    NOT_CREATED: "was not created (its answer was lost and Moodle does not have it)",
}

# What each creating kind makes, for the steps that need it: (what, the action data key naming it).
CREATES = {"create category": "category", "create course": "course", "create user": "user", "create cohort": "cohort", "create group": "group"}


class Failure(NamedTuple):
    action: Action
    reason: str
    cause: str


class _Call(NamedTuple):
    function: str
    list_key: str
    common: dict | None
    on_success: Callable[[list[Action], Any], Any]
    read_back: Callable[[list[Action]], dict[str, Any]] | None


@dataclass
class ApplyResult:
    done: list[Action] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def causes(self) -> list[tuple[str, int]]:
        """Failures counted by cause, the most frequent first."""
        return Counter(failure.cause for failure in self.failed).most_common()


class Applier(PublishSteps):
    def __init__(
        self,
        client: MoodleClient,
        spec: SyncSpec,
        state: CurrentState,
        journal: Journal,
        *,
        progress: Callable[[int], None] = lambda n: None,
        passwords: PasswordsFile | None = None,
    ):
        self.client = client
        self.spec = spec
        self.journal = journal
        self.progress = progress
        self.passwords = passwords
        self.result = ApplyResult()
        # Ids known so far, filled from the state and from what apply creates.
        self.category_ids = dict(state.categories)
        self.course_id = state.course.id if state.course else None
        self.course_format = state.course.format if state.course else None
        self.section_ids = {number: section.id for number, section in state.sections.items()}
        self.user_ids = {name: user.id for name, user in state.users.items()}
        self.cohort_ids = dict(state.cohorts)
        self.group_ids = dict(state.groups)
        self.forums = dict(state.forums)
        # (what, name) -> why it is not there, for the steps that need it: "was not created (...)".
        self.missing: dict[tuple[str, str], str] = {}

    def apply(self, plan: Plan) -> ApplyResult:
        new_internal = [a for a in plan.by_kind("create user") if self.spec.users[a.target].internal_auth]
        if self.spec.passwords == "generate" and new_internal and self.passwords is None:
            need = "1 new user needs one" if len(new_internal) == 1 else f"{len(new_internal)} new users need one"
            raise UserError(
                f"{self.spec.path}: users.passwords is `generate` and {need}: "
                "pass --passwords-file FILE to receive them (created readable by you only)"
            )
        self.journal.write("start", sync_file=str(self.spec.path), counts=plan.counts(), notes=plan.notes)
        self.client.on_retry = lambda function, reason, attempt: self.journal.write("retry", function=function, attempt=attempt, reason=reason)
        for kind in KINDS:
            actions = plan.by_kind(kind)
            if actions:
                getattr(self, "_" + kind.replace(" ", "_"))(actions)
        failed = [{"kind": f.action.kind, "target": f.action.target, "cause": f.cause, "reason": f.reason} for f in self.result.failed]
        causes = dict(self.result.causes())
        self.journal.write("end", done=len(self.result.done), causes=causes, failed=failed)
        return self.result

    # --- the batch engine ---------------------------------------------------------------------

    def _run(
        self,
        actions: Sequence[Action],
        function: str,
        list_key: str,
        to_item: Callable[[Action], dict | None],
        *,
        common: dict | None = None,
        on_success: Callable[[list[Action], Any], None] = lambda actions, answer: None,
        read_back: Callable[[list[Action]], dict[str, Any]] | None = None,
    ) -> None:
        """Send `actions` in batches. `read_back` (for calls that create) finds, after a lost answer,
        the answer rows of those Moodle did create, by target; on_success then takes them as if answered."""
        ready: list[tuple[Action, dict]] = []
        for action in actions:
            item = to_item(action)
            if item is None:
                self._fail([action], self._missing_dependency(action), DEPENDS)
            else:
                ready.append((action, item))
        by_item = {id(item): action for action, item in ready}
        chunks = self.client.batches(list_key, [item for _, item in ready], common)
        call = _Call(function, list_key, common, on_success, read_back)
        for index, chunk in enumerate(chunks):
            stop = self._send(call, [by_item[id(item)] for item in chunk], chunk)
            if stop:
                rest = [by_item[id(item)] for later in chunks[index + 1 :] for item in later]
                self._fail(rest, stop, REFUSED)
                return

    def _send(self, call: _Call, actions: list[Action], items: list[dict]) -> str | None:
        """Send one batch, splitting it on an item's error; a reason to stop the kind, or None."""
        self.journal.write("send", function=call.function, targets=[a.target for a in actions])
        try:
            answer = self.client.call(call.function, {**(call.common or {}), call.list_key: items})
        except NOT_ABOUT_ITEMS as error:
            self._fail(actions, str(error), REFUSED)
            return str(error)
        except ServerError as error:
            if len(items) == 1:
                self._fail(actions, str(error), REFUSED)
                return None
            half = len(items) // 2
            return self._send(call, actions[:half], items[:half]) or self._send(call, actions[half:], items[half:])
        except MoodleError as error:  # no usable answer, after the retries that were safe
            if call.read_back is None:
                self._fail(actions, f"{error}; run apply again: it reads Moodle and does what is left", UNKNOWN)
            else:
                self._recover(call, actions, error)
            return None
        self._succeeded(call, actions, answer)
        return None

    def _succeeded(self, call: _Call, actions: list[Action], answer) -> None:
        failures = call.on_success(actions, answer) or {}
        self._fail([a for a in actions if a.target in failures], None, WARNED, failures)
        self._done([a for a in actions if a.target not in failures])

    def _recover(self, call: _Call, actions: list[Action], lost: MoodleError) -> None:
        """After a creating call's answer was lost: read back what Moodle made, and say what is known."""
        try:
            found = call.read_back(actions)
        except MoodleError as error:
            why = f"{lost}; reading Moodle back failed too ({error}); run apply again: it reads Moodle and does what is left"
            self._fail(actions, why, UNKNOWN)
            return
        created = [a for a in actions if a.target in found]
        if created:
            self.journal.write("read back", function=call.function, targets=[a.target for a in created], outcome="created")
            self._succeeded(call, created, [found[a.target] for a in created])
        why = f"{lost}; Moodle does not have it: run apply again to create it"
        self._fail([a for a in actions if a.target not in found], why, NOT_CREATED)

    def _done(self, actions: list[Action]) -> None:
        self.result.done.extend(actions)
        if actions:
            self.journal.write("result", outcome="done", targets=[a.target for a in actions])
            self.progress(len(actions))

    def _fail(self, actions: list[Action], reason: str | None, cause: str, reasons: dict[str, str] | None = None) -> None:
        for action in actions:
            why = (reasons or {}).get(action.target, reason) or "failed"
            self.result.failed.append(Failure(action, why, cause))
            self.journal.write("result", outcome="failed", targets=[action.target], cause=cause, reason=why)
            if action.kind in CREATES:  # the steps that need it say why it is not there
                self.missing[(CREATES[action.kind], action.target)] = MISSING_BECAUSE.get(cause, f"was not created ({cause})")
        self.progress(len(actions))

    def _missing_dependency(self, action: Action) -> str:
        data = action.data
        needs = [("course", self.spec.course.shortname)] if self.course_id is None and action.kind not in COURSE_FREE else []
        if action.kind == "create course" or (action.kind == "update course" and "category" in data):
            needs.append(("category", " / ".join(data["category"])))
        for key, what in (("username", "user"), ("cohort", "cohort"), ("group", "group")):
            if data.get(key) is not None:
                needs.append((what, data[key]))
        for what, name in needs:
            if (what, name) in self.missing:
                return f"{what} {name!r} {self.missing[(what, name)]}"
        return "a step it depends on did not succeed"

    # --- each kind ----------------------------------------------------------------------------

    def _create_category(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            path = tuple(action.data["path"])
            parent = self.category_ids.get(path[:-1]) if len(path) > 1 else 0
            return None if parent is None else {"name": path[-1], "parent": parent}

        def created(done: list[Action], answer) -> None:
            self.category_ids[tuple(done[0].data["path"])] = answer[0]["id"]

        def read_back(lost: list[Action]) -> dict[str, dict]:
            path = tuple(lost[0].data["path"])
            found = category_paths(self.client, path)[0].get(path)
            return {lost[0].target: {"id": found}} if found else {}

        for action in actions:  # one level at a time: a child needs its parent's id
            self._run([action], "core_course_create_categories", "categories", item, on_success=created, read_back=read_back)

    def _create_course(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            category = self.category_ids.get(tuple(action.data["category"]))
            if category is None:
                return None
            fields = {k: v for k, v in action.data.items() if k in {"fullname", "summary", "startdate", "enddate"}}
            if "numsections" in action.data:
                fields["courseformatoptions"] = [{"name": "numsections", "value": action.data["numsections"]}]
            return {"shortname": action.target, "categoryid": category, "summaryformat": 1, **fields}

        def created(done, answer):
            self.course_id = answer[0]["id"]

        def read_back(lost: list[Action]) -> dict[str, dict]:
            course = find_course(self.client, self.spec.course.shortname)
            return {lost[0].target: {"id": course.id}} if course else {}

        self._run(actions, "core_course_create_courses", "courses", item, on_success=created, read_back=read_back)

    def _update_course(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            fields = {k: v for k, v in action.data.items() if k != "category"}
            if "category" in action.data:
                category = self.category_ids.get(tuple(action.data["category"]))
                if category is None:
                    return None
                fields["categoryid"] = category
            return {"id": self.course_id, **fields}

        self._run(actions, "core_course_update_courses", "courses", item, on_success=self._warnings_about(lambda a: self.course_id))

    def _rename_section(self, actions: list[Action]) -> None:
        if self.course_id is None:
            self._fail(actions, self._missing_dependency(actions[0]), DEPENDS)
            return
        if self.course_format is None:  # created by this run: its format and section ids are not known yet
            unreadable = self._read_new_course_sections()
            if unreadable:
                self._fail(actions, unreadable, UNKNOWN)
                return
        for index, action in enumerate(actions):  # Moodle renames one section per call
            stop = self._rename(action)
            if stop:
                self._fail(actions[index + 1 :], stop, REFUSED)
                return

    def _read_new_course_sections(self) -> str | None:
        """Learn the new course's format and section ids; the reason when Moodle cannot tell."""
        shortname = self.spec.course.shortname
        try:
            course = find_course(self.client, shortname)
            contents = self.client.call("core_course_get_contents", {"courseid": self.course_id})
        except MoodleError as error:
            return f"{error}; run apply again to converge"
        if course is None:
            return f"course {shortname} was created but is not found by its short name; run apply again to converge"
        self.course_format = course.format
        self.section_ids = {number: section.id for number, section in sections_of(contents).items()}
        return None

    def _rename(self, action: Action) -> str | None:
        """Rename one section; a reason to stop renaming the others, or None."""
        number, shortname = action.data["section"], self.spec.course.shortname
        section_id = self.section_ids.get(number)
        if section_id is None:
            self._fail([action], f"course {shortname} has no section {number}; add sections in Moodle, then run apply again", REFUSED)
            return None
        params = {"component": f"format_{self.course_format}", "itemtype": "sectionname", "itemid": section_id, "value": action.data["name"]}
        self.journal.write("send", function=RENAME_SECTION, targets=[action.target])
        try:
            self.client.call(RENAME_SECTION, params)
        except MoodleError as error:
            reason, for_all = self._rename_refusal(error, number, section_id)
            self._fail([action], reason, REFUSED if isinstance(error, ServerError) else UNKNOWN)
            return reason if for_all else None
        self._done([action])
        return None

    def _rename_refusal(self, error: MoodleError, number: int, section_id: int) -> tuple[str, bool]:
        """Why a rename failed, and whether every other rename would fail the same way."""
        if isinstance(error, UnknownFunctionError):  # invalidrecordunknown: the function exists since Moodle 3.1, the section does not
            return f"section {number} (id {section_id}) is no longer in course {self.spec.course.shortname}; run plan again", False
        if isinstance(error, NOT_ABOUT_ITEMS):
            return str(error), True
        if isinstance(error, ServerError) and error.errorcode == "inplaceeditableerror":  # the format has no such callback
            return (
                f"course format {self.course_format!r} does not let web services rename its sections (inplaceeditableerror): "
                "name them in Moodle, or set course.name_sections: false"
            ), True
        if isinstance(error, ServerError):
            return str(error), False
        return f"{error}; the outcome is unknown, run apply again to converge", False

    def _create_user(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict:
            data = action.data
            user = {k: data[k] for k in ("firstname", "lastname", "email", "auth")}
            user.update(username=action.target, idnumber=data["idnumber"])
            if self.spec.users[action.target].internal_auth:
                if self.spec.passwords == "generate":
                    user["password"] = generate_password()
                    self.passwords.write(action.target, user["password"])  # kept even if the answer never comes
                    user["preferences"] = [{"type": "auth_forcepasswordchange", "value": 1}]
                else:
                    user["createpassword"] = 1
            return user

        def created(done, answer):
            for row in answer:
                self.user_ids[row["username"]] = row["id"]

        def read_back(lost: list[Action]) -> dict[str, dict]:
            usernames = [action.target for action in lost]
            rows = self.client.call("core_user_get_users_by_field", {"field": "username", "values": usernames})
            return {row["username"]: {"id": row["id"], "username": row["username"]} for row in rows if row["username"] in usernames}

        self._run(actions, "core_user_create_users", "users", item, on_success=created, read_back=read_back)

    def _update_user(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict:
            return {"id": self.user_ids[action.target], **action.data}

        self._run(actions, "core_user_update_users", "users", item, on_success=self._warnings_about(lambda a: self.user_ids[a.target]))

    def _create_cohort(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict:
            return {
                "categorytype": {"type": "system", "value": ""},
                "name": action.data["name"],
                "idnumber": action.target,
                "description": action.data["description"],
            }

        def created(done, answer):
            for row in answer:
                self.cohort_ids[row["idnumber"]] = row["id"]

        def read_back(lost: list[Action]) -> dict[str, dict]:
            wanted = {action.target for action in lost}
            rows = self.client.call("core_cohort_get_cohorts", {"cohortids": []})
            return {row["idnumber"]: row for row in rows if row["idnumber"] in wanted}

        self._run(actions, "core_cohort_create_cohorts", "cohorts", item, on_success=created, read_back=read_back)

    def _add_cohort_member(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            cohort, user = self.cohort_ids.get(action.data["cohort"]), self.user_ids.get(action.data["username"])
            if cohort is None or user is None:
                return None
            return {"cohorttype": {"type": "id", "value": cohort}, "usertype": {"type": "id", "value": user}}

        def check(done: list[Action], answer) -> dict[str, str]:
            # Warning 3 ("record already exists") means the member is there: that is success.
            failures = {}
            for warning in answer.get("warnings", []):
                if str(warning.get("warningcode")) == "3":
                    continue
                for action in done:
                    ids = (f"id={self.cohort_ids[action.data['cohort']]}", f"id={self.user_ids[action.data['username']]}")
                    if any(re.search(rf"\b{re.escape(i)}\b", warning.get("message", "")) for i in ids):
                        failures[action.target] = f"Moodle warned: {warning.get('message')}"
            return failures

        self._run(actions, "core_cohort_add_cohort_members", "members", item, on_success=check)

    def _enrol(self, actions: list[Action]) -> None:
        by_role: dict[int, list[Action]] = {}
        for action in actions:  # one role per batch: a role the token may not assign fails alone
            by_role.setdefault(action.data["roleid"], []).append(action)

        def item(action: Action) -> dict | None:
            user = self.user_ids.get(action.data["username"])
            if user is None or self.course_id is None:
                return None
            enrolment = {"roleid": action.data["roleid"], "userid": user, "courseid": self.course_id}
            for key in ("timestart", "timeend"):
                if action.data.get(key) is not None:
                    enrolment[key] = action.data[key]
            return enrolment

        for group in by_role.values():
            self._run(group, "enrol_manual_enrol_users", "enrolments", item)

    def _create_group(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            if self.course_id is None:
                return None
            return {"courseid": self.course_id, "name": action.target, "description": ""}

        def created(done, answer):
            for row in answer:
                self.group_ids[row["name"]] = row["id"]

        def read_back(lost: list[Action]) -> dict[str, dict]:
            wanted = [action.target for action in lost]
            rows = self.client.call("core_group_get_course_groups", {"courseid": self.course_id})
            found = {named_as(row["name"], wanted): row["id"] for row in rows}
            return {name: {"id": found[name], "name": name} for name in wanted if name in found}

        self._run(actions, "core_group_create_groups", "groups", item, on_success=created, read_back=read_back)

    def _add_group_member(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            group, user = self.group_ids.get(action.data["group"]), self.user_ids.get(action.data["username"])
            return None if group is None or user is None else {"groupid": group, "userid": user}

        self._run(actions, "core_group_add_group_members", "members", item)

    def _post_discussion(self, actions: list[Action]) -> None:
        for action in actions:  # Moodle posts one discussion per call
            forum = self.forums.get(action.data["forum"])
            if forum is None:  # publishing the content was to create it
                self._fail([action], f"forum {action.data['forum']!r} was not created", DEPENDS)
                continue
            params = {"forumid": forum.id, "subject": action.data["subject"], "message": action.data["message"]}
            group = action.data.get("group")
            if group is not None:
                if group not in self.group_ids:
                    self._fail([action], self._missing_dependency(action), DEPENDS)
                    continue
                params["groupid"] = self.group_ids[group]
            self.journal.write("send", function="mod_forum_add_discussion", targets=[action.target])
            try:
                self.client.call("mod_forum_add_discussion", params)
            except ServerError as error:
                self._fail([action], str(error), REFUSED)
            except MoodleError as error:
                self._recover(_Call("mod_forum_add_discussion", "", None, lambda done, answer: None, self._posted), [action], error)
            else:
                self._done([action])

    def _posted(self, lost: list[Action]) -> dict[str, dict]:
        """The discussion among those lost that the forum has, by subject and group."""
        action = lost[0]
        forum = self.forums[action.data["forum"]]
        group = action.data.get("group")
        answer = self.client.call("mod_forum_get_forum_discussions", {"forumid": forum.id})
        subject = format_string(action.data["subject"])
        # Moodle posts to "all participants" (-1) in a forum without group mode.
        groupids = {-1} if group is None else {self.group_ids[group]}
        posted = any(d["subject"] == subject and d["groupid"] in groupids for d in answer["discussions"])
        return {action.target: {}} if posted else {}

    def _remove_group_member(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            group = self.group_ids.get(action.data["group"])
            return None if group is None else {"groupid": group, "userid": action.data["userid"]}

        self._run(actions, "core_group_delete_group_members", "members", item)

    def _remove_cohort_member(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict | None:
            cohort = self.cohort_ids.get(action.data["cohort"])
            return None if cohort is None else {"cohortid": cohort, "userid": action.data["userid"]}

        self._run(actions, "core_cohort_delete_cohort_members", "members", item)

    def _unenrol(self, actions: list[Action]) -> None:
        def item(action: Action) -> dict:
            return {"userid": action.data["userid"], "courseid": self.course_id}

        self._run(actions, "enrol_manual_unenrol_users", "enrolments", item)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    def _warnings_about(id_of: Callable[[Action], int]):
        """update_* functions answer with a warning per item they skipped, naming its id."""

        def check(done: list[Action], answer) -> dict[str, str]:
            target_of = {id_of(action): action.target for action in done}
            return {
                target_of[warning["itemid"]]: f"Moodle warned: {warning.get('message')}"
                for warning in answer.get("warnings", [])
                if warning.get("itemid") in target_of
            }

        return check


def generate_password() -> str:
    """A password meeting Moodle's default policy (8+ chars, digit, lower, upper, symbol)."""
    return "Cb1!" + secrets.token_urlsafe(12)
