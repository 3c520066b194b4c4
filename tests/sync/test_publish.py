"""Publishing the flagship's content through local_coursebridge, against the double: both routes, reruns,
changes, and a site without the plugin or with an old one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests

from lms_sync.client import PUBLISH_TIMEOUT, MoodleClient
from lms_sync.errors import ServerError
from lms_sync.content import ContentSpec, cartridge_items
from lms_sync.plugin import plugin_version
from moodle_double.plugin import install_plugin

from .conftest import Cli, targets

FLAGSHIP = Path(__file__).resolve().parents[2] / "course_src" / "animer-communaute-apprenante"


@pytest.fixture
def flagship(moodle, tmp_path) -> Cli:
    course = tmp_path / "animer-communaute-apprenante"
    shutil.copytree(FLAGSHIP, course)
    install_plugin(moodle.site)
    return Cli(moodle, course / "moodle")


def use_route(cli: Cli, content: str) -> None:
    sync = cli.workdir / "sync.yaml"
    text = sync.read_text(encoding="utf-8")
    start, end = text.index("content:\n"), text.index("users:\n")
    sync.write_text(text[:start] + content + text[end:], encoding="utf-8")


def the_course(cli: Cli):
    return next(c for c in cli.moodle.site.courses.values() if c.shortname == "UNA-CDP-2026")


def modules(cli: Cli, modname: str):
    return [m for m in cli.moodle.site.plugin.modules.values() if m.modname == modname]


def the_cartridge(cli: Cli) -> bytes:
    """The package the double received."""
    (draft,) = [d for d in cli.moodle.site.drafts.values() if d.filename.endswith(".imscc")]
    return draft.content


def change_page(cli: Cli) -> None:
    """A new paragraph in one theory page of day 1 (j1-cooperation-collaboration)."""
    page = cli.workdir.parent / "pages" / "jour-1" / "cooperation-collaboration.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nCoopérer, c'est aussi savoir dire non.\n", encoding="utf-8")


def test_flagship_publishes_everything_in_one_apply_then_a_rerun_writes_nothing(flagship: Cli):
    plan = flagship.plan()
    assert plan["counts"]["upload scorm"] == 1 and plan["counts"]["create forum"] == 1
    assert plan["counts"]["post discussion"] == 3 and plan["notes"] == []
    result = flagship.apply()
    assert result.exit_code == 0, result.output

    site, course = flagship.moodle.site, the_course(flagship)
    (scorm,) = modules(flagship, "scorm")
    assert scorm.course == course.id and scorm.section == 0 and scorm.manifest
    settings = scorm.settings
    assert (settings["grademethod"], settings["maxgrade"], settings["whatgrade"]) == (1, 100, 0)  # Highest grade, 100
    assert (settings["popup"], settings["displaycoursestructure"], settings["hidetoc"], settings["nav"], settings["skipview"]) == (0, 0, 3, 0, 2)
    assert (settings["completionstatusrequired"], settings["completionscorerequired"]) == (2, 70)  # passed, 70
    assert settings["package"] == "animer-communaute-apprenante-scorm12.zip"
    (forum,) = [f for f in site.forums.values() if f.course == course.id and f.type == "general"]
    assert forum.name == "Forum des participantes"
    assert {d.subject for d in site.discussions.values() if d.forum == forum.id} == {
        "Mes expériences d'animation : ce qui marche, ce qui coince", "Notre projet de charte", "Notre feuille de route"}
    assert len(course.enrolments) == 13 and sum(1 for g in site.groups.values() if g.courseid == course.id) == 6

    flagship.moodle.reset_counts()
    assert flagship.plan()["actions"] == []
    again = flagship.apply()
    assert "Nothing to do: Moodle matches the sync file." in again.stdout
    assert flagship.moodle.write_calls == 0


def test_a_changed_page_uploads_the_package_once_and_learners_keep_their_attempts(flagship: Cli):
    assert flagship.apply().exit_code == 0
    (scorm,) = modules(flagship, "scorm")
    learner = flagship.moodle.site.user_by("username", "amartin")
    scorm.attempts = [learner.id, learner.id]
    change_page(flagship)

    plan = flagship.plan()
    assert [(a["kind"], a["target"]) for a in plan["actions"]] == [
        ("upload scorm", "Animer dans la durée une communauté apprenante (new package or settings; learners keep their attempts)")]
    flagship.moodle.reset_counts()
    assert flagship.apply().exit_code == 0
    assert dict(flagship.moodle.writes) == {"webservice/upload.php": 1, "local_coursebridge_save_scorm": 1}
    assert modules(flagship, "scorm") == [scorm] and scorm.attempts == [learner.id, learner.id]
    assert flagship.plan()["actions"] == []


CARTRIDGE = "content:\n  route: cartridge\n"


def test_the_cartridge_route_restores_the_course_and_posts_in_the_forums_it_made(flagship: Cli):
    use_route(flagship, CARTRIDGE)
    plan = flagship.plan()
    (restore,) = [a for a in plan["actions"] if a["kind"] == "restore cartridge"]
    assert restore["target"].startswith("animer-communaute-apprenante.imscc (") and "3 forums" in restore["target"]
    assert plan["counts"]["post discussion"] == 3 and plan["notes"] == []
    result = flagship.apply()
    assert result.exit_code == 0, result.output

    course = the_course(flagship)
    assert [s.summary for s in sorted(course.sections, key=lambda s: s.number)][:3] == [
        "Animer dans la durée une communauté apprenante", "Jour 1", "Jour 2"]
    assert len(modules(flagship, "forum")) == 3 and len(modules(flagship, "quiz")) == 3
    pages = [item.name for item in cartridge_items(the_cartridge(flagship)) if item.modname == "page"]
    assert len(pages) > 40 and [m.name for m in modules(flagship, "page")] == pages
    site = flagship.moodle.site
    posted = {(site.forums[d.forum].name, d.subject) for d in site.discussions.values()}
    assert ("Notre projet de charte", "Notre projet de charte") in posted and len(posted) == 3

    flagship.moodle.reset_counts()
    assert flagship.plan()["actions"] == []
    assert flagship.apply().exit_code == 0 and flagship.moodle.write_calls == 0


def test_the_cartridge_route_updates_exactly_the_changed_page_and_leaves_quizzes_with_attempts(flagship: Cli):
    use_route(flagship, CARTRIDGE)
    assert flagship.apply().exit_code == 0
    for quiz in modules(flagship, "quiz"):
        quiz.attempts = [7]
    change_page(flagship)
    plan = flagship.plan()
    assert [(a["kind"], a["target"]) for a in plan["actions"]] == [("update page", "Coopération et collaboration")]
    flagship.moodle.reset_counts()
    assert flagship.apply().exit_code == 0
    assert dict(flagship.moodle.writes) == {"local_coursebridge_update_page": 1}
    page = next(m for m in modules(flagship, "page") if m.name == "Coopération et collaboration")
    assert "<p>Coopérer, c'est aussi savoir dire non.</p>" in page.content

    quiz = flagship.workdir.parent / "days" / "jour-1.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(text.replace('"Quiz du jour 1 : notions', '"Quiz du premier jour : notions', 1), encoding="utf-8")
    notes = flagship.plan()["notes"]
    assert any("has 1 attempts: it is left as it is" in note for note in notes), notes


def test_the_cartridge_is_not_restored_into_a_course_that_already_has_activities(flagship: Cli):
    use_route(flagship, CARTRIDGE)
    flagship.moodle.site.plugin = None
    assert flagship.apply().exit_code == 0  # the course, without content
    install_plugin(flagship.moodle.site)
    flagship.moodle.site.add_forum(the_course(flagship).id, "Partager ses expériences d'animation")  # restored by hand
    plan = flagship.plan()
    assert "restore cartridge" not in plan["counts"]
    assert any("already has 1 activity coursebridge did not publish (the cartridge restored by hand?)" in note for note in plan["notes"])


def test_without_the_plugin_the_plan_says_what_needs_it_and_how_to_install_it_and_does_the_rest(flagship: Cli):
    flagship.moodle.site.plugin = None
    plan = flagship.plan()
    (note, *others) = plan["notes"]
    assert note.startswith("publishing the course's content (upload the SCORM package and create its forums) needs the Moodle "
                           "plugin local_coursebridge, which is not installed, or its functions are not in the token's external service: "
                           "install the plugin: `coursebridge moodle plugin -o DIR` writes local_coursebridge.zip")
    assert "upload scorm" not in plan["counts"] and plan["counts"]["enrol"] == 13
    result = flagship.apply()
    assert result.exit_code == 0 and "note: publishing the course's content" in result.stderr
    assert len(the_course(flagship).enrolments) == 13


def test_a_plugin_too_old_is_named_with_the_version_needed(flagship: Cli):
    install_plugin(flagship.moodle.site, version=2025010100)
    (note, *_) = flagship.plan()["notes"]
    assert f"which is too old (version 2025010100; this coursebridge needs {plugin_version()} or later)" in note


def test_a_service_without_file_uploads_fails_the_publishing_step_with_how_to_fix_it(flagship: Cli):
    next(iter(flagship.moodle.site.tokens.values())).uploadfiles = False
    result = flagship.apply()
    assert result.exit_code == 4
    assert "does not allow file uploads: tick \"Can upload files\"" in result.stderr
    assert len(the_course(flagship).enrolments) == 13  # the rest was done


def test_content_section_mistakes_are_located(flagship: Cli):
    use_route(flagship, "content:\n  route: scrom\n  colour: blue\n")
    result = flagship("sync", "plan", str(flagship.workdir / "sync.yaml"))
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    sync = flagship.workdir / "sync.yaml"
    assert any(line.startswith(f"{sync}:") and "content.route: expected one of cartridge, scorm (did you mean 'scorm'?)" in line for line in lines), lines
    assert any("content.colour: unknown key" in line for line in lines), lines


def test_plan_shows_content_steps_as_additions(flagship: Cli):
    text = flagship("sync", "plan", str(flagship.workdir / "sync.yaml")).stdout
    assert "  upload scorm (1):\n    + Animer dans la durée une communauté apprenante (new activity)\n" in text
    assert "  create forum (1):\n    + Forum des participantes\n" in text


def test_plan_json_lists_content_steps(flagship: Cli):
    result = flagship("sync", "plan", str(flagship.workdir / "sync.yaml"), "--json")
    kinds = [a["kind"] for a in json.loads(result.stdout)["actions"]]
    assert kinds.index("upload scorm") < kinds.index("create forum") < kinds.index("post discussion")


def test_restore_maps_an_item_whose_name_the_converter_changed_by_order(flagship: Cli):
    moodle = flagship.moodle
    course = moodle.site.add_course("EMPTY", "Empty")
    publication = ContentSpec("cartridge", flagship.workdir.parent).publication
    client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN)
    pages = [item for item in publication.items if item.modname == "page"][:2]
    items = [{"itemkey": item.key, "modname": "page", "name": name, "contenthash": item.contenthash}
             for item, name in zip(pages, ("Written otherwise", pages[1].name))]
    draft = client.upload(publication.filename, publication.package)
    answer = client.call("local_coursebridge_restore_cartridge", {"courseid": course.id, "draftitemid": draft, "items": items})
    by_key = {module["itemkey"]: moodle.site.plugin.modules[module["cmid"]].name for module in answer["modules"]}
    # The second page is found by its name; the first takes the first page left, the presentation's.
    assert by_key == {pages[0].key: pages[0].name, pages[1].key: pages[1].name}


class TimeoutRecorder(requests.Session):
    def __init__(self):
        super().__init__()
        self.timeouts: list[float] = []

    def post(self, url, **kwargs):
        self.timeouts.append(kwargs["timeout"])
        return super().post(url, **kwargs)


def test_restores_and_packages_wait_longer_than_other_calls(flagship: Cli):
    session = TimeoutRecorder()
    client = MoodleClient(flagship.moodle.url, flagship.moodle.ADMIN_TOKEN, session=session, timeout=30)
    course = flagship.moodle.site.add_course("EMPTY", "Empty")
    client.call("local_coursebridge_get_items", {"courseid": course.id})
    with pytest.raises(ServerError, match="nodraftfile"):
        client.call("local_coursebridge_restore_cartridge", {"courseid": course.id, "draftitemid": 1})
    client.upload("x.zip", b"PK")
    assert session.timeouts == [30, PUBLISH_TIMEOUT, PUBLISH_TIMEOUT]


def test_forums_in_separate_groups_get_a_discussion_per_group(flagship: Cli):
    use_route(flagship, "content:\n  route: scorm\n  forum_groupmode: separate\n")
    plan = flagship.plan()
    assert plan["counts"]["post discussion"] == 3 * 6  # three prompts, six regional groups
    assert flagship.apply().exit_code == 0
    site = flagship.moodle.site
    (forum,) = [f for f in site.forums.values() if f.name == "Forum des participantes"]
    assert forum.groupmode == 1
    assert len({(d.subject, d.groupid) for d in site.discussions.values() if d.forum == forum.id}) == 18


def test_content_needs_the_course_source_and_scorm_keys_need_the_scorm_route(flagship: Cli):
    use_route(flagship, "content:\n  route: cartridge\n  attempts: 2\n")
    sync = flagship.workdir / "sync.yaml"
    sync.write_text(sync.read_text(encoding="utf-8").replace("  source: ..", "  fullname: Animer"), encoding="utf-8")
    result = flagship("sync", "plan", str(sync))
    assert result.exit_code == 2
    problems = [line.split(": ", 1)[1] for line in result.stderr.splitlines()[:-1]]
    assert any(p.startswith("content.attempts: only for `route: scorm`") for p in problems), problems
    assert any(p.startswith("content: the content comes from the course: add `source:` under course:") for p in problems), problems
