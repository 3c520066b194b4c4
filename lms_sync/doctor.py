"""`moodle doctor`: what the site is, what the token may call, and what is missing for each command.

With the plugin local_coursebridge, every capability is checked (its status function answers for the
token's user); without it, only what a harmless read shows.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from lms_sync.client import MoodleClient
from lms_sync.errors import SERVICES_PAGE, MissingCapabilityError
from lms_sync.plugin import INSTALL_HINT, plugin_functions, plugin_version

READS = (
    "core_webservice_get_site_info",
    "core_course_get_categories",
    "core_course_get_courses_by_field",
    "core_user_get_users_by_field",
    "core_cohort_get_cohorts",
    "core_cohort_get_cohort_members",
    "core_enrol_get_enrolled_users",
    "core_group_get_course_groups",
    "core_group_get_group_members",
    "mod_forum_get_forums_by_courses",
    "core_course_get_contents",
    "mod_forum_get_forum_discussions",
)
WRITES = (
    "core_course_create_categories",
    "core_course_create_courses",
    "core_course_update_courses",
    "core_update_inplace_editable",
    "core_user_create_users",
    "core_user_update_users",
    "core_cohort_create_cohorts",
    "core_cohort_add_cohort_members",
    "enrol_manual_enrol_users",
    "core_group_create_groups",
    "core_group_add_group_members",
    "mod_forum_add_discussion",
)
PRUNES = ("enrol_manual_unenrol_users", "core_cohort_delete_cohort_members", "core_group_delete_group_members")
# What `report` reads; local_coursebridge_get_scorm_tracks replaces the per-learner tracks when present.
REPORT_READS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_enrol_get_enrolled_users",
    "mod_scorm_get_scorms_by_courses",
    "mod_scorm_get_scorm_sco_tracks",
    "mod_forum_get_forums_by_courses",
    "mod_forum_get_forum_discussions",
    "mod_forum_get_discussion_posts",
)
COMMAND_FUNCTIONS = {
    "moodle doctor": ("core_webservice_get_site_info",),
    "sync plan": READS,
    "sync apply": READS + WRITES,
    "sync apply --prune": READS + WRITES + PRUNES,
    "report": REPORT_READS,
}
# Capabilities the token user's role needs (from Moodle's externallib code), by command.
COMMAND_CAPABILITIES = {
    "sync plan": ("moodle/cohort:view", "moodle/course:managegroups", "moodle/site:viewuseridentity", "moodle/course:viewparticipants"),
    "sync apply": (
        "moodle/category:manage",
        "moodle/course:create",
        "moodle/course:update",
        "moodle/user:create",
        "moodle/user:update",
        "moodle/cohort:manage",
        "moodle/cohort:assign",
        "enrol/manual:enrol",
        "moodle/course:managegroups",
        "mod/forum:startdiscussion",
    ),
    "sync apply --prune": ("enrol/manual:unenrol",),
    "report": ("moodle/course:viewparticipants", "mod/scorm:viewreport", "mod/forum:viewdiscussion"),
    "sync apply with content": ("local/coursebridge:publish", "moodle/restore:restorecourse", "moodle/course:manageactivities"),
}
STATUS = "local_coursebridge_get_status"


@dataclass
class DoctorReport:
    site_name: str
    release: str
    version: str
    username: str
    site_admin: bool
    missing_functions: dict[str, list[str]]  # command -> functions the token lacks
    missing_capabilities: list[str] = field(default_factory=list)  # found missing by a probe
    unchecked_capabilities: list[str] = field(default_factory=list)  # no read shows them
    plugin: str = ""  # local_coursebridge: its version, or why it cannot be used
    plugin_usable: bool = False
    plugin_installed: bool = False

    @property
    def ok(self) -> bool:
        """Ready for every command; the plugin counts once installed (it is needed only for content:)."""
        plugin_ok = self.plugin_usable or not self.plugin_installed
        return not any(self.missing_functions.values()) and not self.missing_capabilities and plugin_ok

    def to_json(self) -> dict:
        return {**dataclasses.asdict(self), "ok": self.ok}

    def lines(self) -> list[str]:
        admin = "a site administrator" if self.site_admin else "not a site administrator"
        out = [
            f"Site: {self.site_name}, Moodle {self.release} (version {self.version})",
            f"Token user: {self.username} ({admin})",
            "Functions:",
        ]
        for command, missing in self.missing_functions.items():
            out.append(f"  {command}: " + ("ok" if not missing else f"missing {', '.join(missing)}"))
        if any(self.missing_functions.values()):
            out.append(f"  Add missing functions at {SERVICES_PAGE} > (the token's service) > Functions > Add functions.")
        out.append(f"Plugin local_coursebridge: {self.plugin}")
        out.append("Capabilities:")
        if self.site_admin:
            out.append("  ok: a site administrator holds them all")
        for capability in self.missing_capabilities:
            out.append(f"  missing {capability}: allow it in the token user's role at Site administration > Users > Permissions > Define roles")
        if self.unchecked_capabilities:
            out.append("  not checkable without writing; make sure the role allows: " + ", ".join(self.unchecked_capabilities))
        return out


def diagnose(client: MoodleClient) -> DoctorReport:
    info = client.call("core_webservice_get_site_info")
    allowed = {function["name"] for function in info.get("functions", [])}
    commands = {**COMMAND_FUNCTIONS, "sync apply with content": READS + WRITES + plugin_functions()}
    missing = {command: [f for f in needed if f not in allowed] for command, needed in commands.items()}
    report = DoctorReport(
        site_name=info.get("sitename", ""),
        release=info.get("release", "?"),
        version=info.get("version", "?"),
        username=info.get("username", "?"),
        site_admin=bool(info.get("userissiteadmin")),
        missing_functions=missing,
    )
    if STATUS in allowed:
        _plugin_status(client, report)
    else:
        report.plugin = f"absent (needed only for the sync file's content:); {INSTALL_HINT}"
        del report.missing_functions["sync apply with content"]  # the plugin's line says what to do
    if not report.site_admin and not report.plugin_usable:
        _probe_capabilities(client, allowed, report)
    return report


def _plugin_status(client: MoodleClient, report: DoctorReport) -> None:
    """The plugin's version and, when it can be used, every capability the commands need, as held site-wide."""
    report.plugin_installed = True
    needed = list(dict.fromkeys(c for command in COMMAND_CAPABILITIES.values() for c in command))
    try:
        status = client.call(STATUS, {"capabilities": needed})
    except MissingCapabilityError:
        report.plugin = "installed, but the token's user lacks local/coursebridge:publish: allow it in that user's role"
        return
    if status["version"] < plugin_version():
        report.plugin = (
            f"version {status['version']} is too old: this coursebridge needs {plugin_version()} or later; "
            f"upload the new local_coursebridge.zip (`coursebridge moodle plugin -o DIR`) at Site administration > Plugins > Install plugins"
        )
        return
    report.plugin = f"version {status['version']} (release {status['release']}): ok"
    report.plugin_usable = True
    report.missing_capabilities = [row["name"] for row in status["capabilities"] if not row["allowed"]]


def _probe_capabilities(client: MoodleClient, allowed: set[str], report: DoctorReport) -> None:
    """Harmless reads that fail without a capability tell whether the role has it."""
    probed = set()
    if "core_cohort_get_cohorts" in allowed:
        probed.add("moodle/cohort:view")
        try:
            client.call("core_cohort_get_cohorts", {"cohortids": []})
        except MissingCapabilityError:
            report.missing_capabilities.append("moodle/cohort:view (or moodle/cohort:manage)")
    needed = [c for command in COMMAND_CAPABILITIES.values() for c in command]
    report.unchecked_capabilities = [c for c in dict.fromkeys(needed) if c not in probed]
