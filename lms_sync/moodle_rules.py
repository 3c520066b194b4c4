"""What Moodle refuses, checked on the sync file and rosters before any call.

Lengths are the columns of Moodle's lib/db/install.xml, in characters (a longer value ends in
`dmlwriteexception: Error writing to database`). Parameters typed PARAM_TEXT or PARAM_NOTAGS
(names of users, courses, categories, groups; discussion subjects) are refused with the generic
"Invalid parameter value detected" when PHP's strip_tags() would change them (validate_param in
lib/moodlelib.php). PARAM_USERNAME lowercases: the roster does so too, and says it.
"""

from __future__ import annotations

from lms_sync.moodle_text import strip_tags

# (what, characters): lib/db/install.xml, tables user, course, course_categories, groups, cohort, forum_discussions.
LIMITS = {
    "username": ("user.username", 100),
    "firstname": ("user.firstname", 100),
    "lastname": ("user.lastname", 100),
    "email": ("user.email", 100),
    "idnumber": ("user.idnumber", 255),
    "course shortname": ("course.shortname", 255),
    "course fullname": ("course.fullname", 1333),
    "category name": ("course_categories.name", 255),
    "group name": ("groups.name", 254),
    "cohort name": ("cohort.name", 254),
    "cohort idnumber": ("cohort.idnumber", 100),
    "discussion subject": ("forum_discussions.name", 255),
}
# The values Moodle validates as PARAM_TEXT or PARAM_NOTAGS (core_user, core_course, core_group, mod_forum externals).
NO_TAGS = {"firstname", "lastname", "course shortname", "course fullname", "category name", "group name", "discussion subject"}


def refusal(what: str, value: str) -> str | None:
    """Why Moodle would refuse `value` as `what`, saying how to fix it; None when it takes it as is."""
    column, limit = LIMITS[what]
    if len(value) > limit:
        return f"{len(value)} characters, more than the {limit} Moodle keeps ({column}); shorten it"
    if what in NO_TAGS and strip_tags(value) != value:
        kept = strip_tags(value)
        return (
            f"{value!r} holds markup Moodle refuses in a {what} (it would keep {kept!r}); "
            "remove the <...> part (a `<` followed by a space is fine)"
        )
    return None
