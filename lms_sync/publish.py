"""Publishing the course's content: its plan steps, and how apply runs them through local_coursebridge.

Kinds: `restore cartridge` (once, into a course with nothing published yet), `update page` (a page whose
source changed since), `upload scorm` (a new package or new settings: same activity, attempts kept) and
`create forum` (a forum per discussion prompt on the SCORM route). Learners' posts and attempts are never
touched: forums are only created, and quizzes that changed are left as they are, with a note.
"""

from __future__ import annotations

from lms_sync.content import SCORM_ITEM, ContentState, Item, Publication
from lms_sync.errors import MoodleError, ServerError
from lms_sync.plugin import INSTALL_HINT
from lms_sync.state import CurrentState, MoodleForum
from lms_sync.syncfile import SyncSpec

# In the order apply runs them, after the course exists and before its sections are named.
CONTENT_KINDS = ("restore cartridge", "update page", "upload scorm", "create forum")


def plan_content(spec: SyncSpec, state: CurrentState, notes: list[str], make_action) -> tuple[list, dict[str, MoodleForum]]:
    """(actions, the forums they create by name, so discussions are planned in them).

    `make_action(kind, target, data)` is plan.Action, passed in because plan imports this module.
    """
    content = spec.content
    if content is None:
        return [], {}
    published: ContentState = state.content or ContentState(None)
    steps = "restore the Common Cartridge" if content.route == "cartridge" else "upload the SCORM package and create its forums"
    if published.unusable:
        notes.append(
            f"publishing the course's content ({steps}) needs the Moodle plugin local_coursebridge, which "
            f"{published.unusable}: {INSTALL_HINT}; everything else is planned without it"
        )
        return [], {}
    publication = content.publication
    if content.route == "cartridge":
        return _cartridge(spec, publication, published, notes, make_action)
    return _scorm(spec, state, publication, published, make_action)


def _cartridge(spec: SyncSpec, publication: Publication, published: ContentState, notes: list[str], action):
    forums = {item.name: MoodleForum(0, item.name, 0, frozenset()) for item in publication.of_module("forum")}
    if not published.items and published.other_activities:
        notes.append(
            f"course {spec.course.shortname} already has {_activities(published.other_activities)} coursebridge did not publish "
            "(the cartridge restored by hand?): restoring it again would add a second copy; restore into an empty course, "
            "or remove `content:` from the sync file to keep the course as it is"
        )
        return [], {}
    if not published.items:
        counts = ", ".join(f"{len(publication.of_module(m))} {m}s" for m in ("page", "forum", "quiz"))
        return [action("restore cartridge", f"{publication.filename} ({counts})", {})], forums
    actions = []
    for item in publication.items:
        found = published.items.get(item.key)
        if found is None:
            notes.append(
                f"{item.modname} {item.name!r} ({item.key}) is new since the cartridge was restored into {spec.course.shortname}: "
                "add it in Moodle by hand, or restore the cartridge into a new course"
            )
        elif found.contenthash != item.contenthash:
            if item.modname == "page":
                data = {"itemkey": item.key, "contenthash": item.contenthash, "name": item.name, "content": item.content}
                actions.append(action("update page", item.name, data))
            else:
                notes.append(_changed_note(item, found.attempts))
    return actions, {}


def _activities(count: int) -> str:
    return f"{count} activit{'y' if count == 1 else 'ies'}"


def _changed_note(item: Item, attempts: int) -> str:
    if item.modname == "quiz" and attempts:
        return f"quiz {item.name!r} changed but has {attempts} attempts: it is left as it is; change it in Moodle if you must"
    return f"{item.modname} {item.name!r} changed: coursebridge updates only pages in place; change it in Moodle"


def _scorm(spec: SyncSpec, state: CurrentState, publication: Publication, published: ContentState, action):
    scorm, *forum_items = publication.items
    actions = []
    found = published.items.get(SCORM_ITEM)
    if found is None or found.contenthash != scorm.contenthash:
        how = "new activity" if found is None else "new package or settings; learners keep their attempts"
        actions.append(action("upload scorm", f"{scorm.name} ({how})", {}))
    forums = {}
    groupmode = spec.content.forum_groupmode
    if state.course is not None and state.course.groupmodeforce:
        groupmode = state.course.groupmode
    for item in forum_items:
        if item.key not in published.items and item.name not in state.forums:
            actions.append(action("create forum", item.name, {"itemkey": item.key}))
            forums[item.name] = MoodleForum(0, item.name, groupmode, frozenset())
    return actions, forums


class PublishSteps:
    """Apply's steps for CONTENT_KINDS; mixed into Applier, whose journal, ids and failure handling they use."""

    def _restore_cartridge(self, actions) -> None:
        publication = self.spec.content.publication
        items = [
            {"itemkey": item.key, "modname": item.modname, "name": item.name, "contenthash": item.contenthash}
            for item in publication.items
        ]
        answer = self._publish(actions[0], "local_coursebridge_restore_cartridge", {"items": items}, upload=publication)
        if answer is None:
            return
        names = {item.key: item.name for item in publication.items}
        for module in answer["modules"]:
            if module["modname"] == "forum":
                name = names[module["itemkey"]]
                self.forums[name] = MoodleForum(module["instance"], name, 0, frozenset())
        self.course_format = None  # the restore may add sections: renames read them again

    def _update_page(self, actions) -> None:
        for action in actions:
            self._publish(action, "local_coursebridge_update_page", {k: action.data[k] for k in ("itemkey", "contenthash", "name", "content")})

    def _upload_scorm(self, actions) -> None:
        content, publication = self.spec.content, self.spec.content.publication
        scorm = publication.items[0]
        params = {
            "section": content.section,
            "itemkey": scorm.key,
            "contenthash": scorm.contenthash,
            "name": scorm.name,
            "intro": scorm.content,
            "maxattempt": content.attempts,
            "completion": publication.completion,
            "completionscore": content.completion_score or 0,
        }
        self._publish(actions[0], "local_coursebridge_save_scorm", params, upload=publication)

    def _create_forum(self, actions) -> None:
        content = self.spec.content
        by_key = {item.key: item for item in content.publication.items}
        for action in actions:
            item = by_key[action.data["itemkey"]]
            params = {
                "section": content.section,
                "itemkey": item.key,
                "contenthash": item.contenthash,
                "name": item.name,
                "intro": item.content,
                "type": "general",
                "groupmode": content.forum_groupmode,
            }
            answer = self._publish(action, "local_coursebridge_create_forum", params)
            if answer is not None:
                self.forums[item.name] = MoodleForum(answer["instance"], item.name, content.forum_groupmode, frozenset())

    def _publish(self, action, function: str, params: dict, *, upload: Publication | None = None):
        """One plugin call for one action (after uploading the package, if any): its answer, or None when it failed.

        An answer lost is rechecked by the next run: the plugin's items say what was published.
        """
        from lms_sync.apply import DEPENDS, REFUSED, UNKNOWN  # apply imports this module

        if self.course_id is None:
            self._fail([action], self._missing_dependency(action), DEPENDS)
            return None
        self.journal.write("send", function=function, targets=[action.target])
        try:
            if upload is not None:
                params = {**params, "draftitemid": self.client.upload(upload.filename, upload.package)}
            answer = self.client.call(function, {"courseid": self.course_id, **params})
        except ServerError as error:
            self._fail([action], str(error), REFUSED)
            return None
        except MoodleError as error:
            self._fail([action], f"{error}; run apply again: it reads Moodle and does what is left", UNKNOWN)
            return None
        self._done([action])
        return answer
