"""The preview server: serves the build, rebuilds on change, keeps serving through errors."""

from __future__ import annotations

import errno
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from builder.errors import UserError
from builder.preview import STATUS_PATH, PreviewBuilder, PreviewServer


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def fetch_or_nothing(url: str) -> str:
    """The page, or "" while it is not there."""
    try:
        return fetch(url)
    except urllib.error.HTTPError:
        return ""


def wait_for(predicate, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def started(course_dir: Path, poll: bool = False) -> PreviewServer:
    messages: list[str] = []
    preview = PreviewServer(course_dir, port=0, report=messages.append, poll=poll)
    preview.start()
    preview.messages = messages
    return preview


@pytest.fixture
def server(course_dir: Path):
    preview = started(course_dir)
    yield preview
    preview.stop()


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


SCHEMA = '<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{0}"></svg>'


def with_image(course_dir: Path, width: int = 10) -> Path:
    """The course with an image on its page 'definition'; the image's path."""
    image = course_dir / "images" / "schema.svg"
    image.parent.mkdir(exist_ok=True)
    image.write_text(SCHEMA.format(width), encoding="utf-8")
    append(course_dir / "pages" / "definition.md", "\n![Le schéma](../images/schema.svg)\n")
    return image


def status(server) -> dict:
    return json.loads(fetch(server.url.rstrip("/") + STATUS_PATH))


def test_serves_pages_with_the_reload_script(server):
    page = fetch(server.url)
    assert "Cours d&#39;essai" in page
    assert STATUS_PATH in page
    assert status(server) == {"generation": 1, "assets": 1, "problems": []}


@pytest.mark.parametrize("poll", [False, True], ids=["notified", "polling"])
def test_rebuilds_when_a_source_changes(poll: bool, course_dir: Path):
    server = started(course_dir, poll)
    try:
        append(course_dir / "pages" / "definition.md", "\nUne phrase ajoutée.\n")
        wait_for(lambda: status(server)["generation"] == 2)
        assert "Une phrase ajoutée." in fetch(server.url + "definition.html")
    finally:
        server.stop()


@pytest.fixture
def patient_watcher(monkeypatch):
    """The watcher waits 0.5 s of quiet rather than 20 ms: a busy machine may pause a test
    between two writes for longer than 20 ms, never for that long."""
    from builder import watch

    monkeypatch.setattr(watch, "SETTLE_SECONDS", 0.5)
    monkeypatch.setattr(watch, "SETTLE_LIMIT", 5)


def test_quick_edits_are_one_rebuild(patient_watcher, server, course_dir: Path):
    page = course_dir / "pages" / "definition.md"
    original = page.read_text(encoding="utf-8")
    for number in range(10):
        page.write_text(original + f"\nVersion {number}.\n", encoding="utf-8")
    wait_for(lambda: "Version 9." in fetch(server.url + "definition.html"))
    time.sleep(0.7)
    assert status(server)["generation"] == 2  # the first build, then one


def test_a_save_through_a_backup_copy_is_seen_whole(patient_watcher, server, course_dir: Path):
    page = course_dir / "pages" / "definition.md"
    backup = page.with_name("definition.md~")
    text = page.read_text(encoding="utf-8")
    page.rename(backup)  # as vim saves: the file moved aside, written anew, the copy removed
    page.write_text(text + "\nUne phrase ajoutée.\n", encoding="utf-8")
    backup.unlink()
    wait_for(lambda: "Une phrase ajoutée." in fetch(server.url + "definition.html"))
    time.sleep(0.7)
    assert not [line for line in server.messages if "problem" in line]  # never seen missing
    assert status(server)["generation"] == 2


def test_an_edited_image_is_served_anew_and_reloads_the_pages(course_dir: Path):
    image = with_image(course_dir)
    server = started(course_dir)
    try:
        url = server.url + "assets/images/schema.svg"
        assert 'width="10"' in fetch(url)
        image.write_text(SCHEMA.format(20), encoding="utf-8")
        wait_for(lambda: status(server)["generation"] == 2)
        assert 'width="20"' in fetch(url)
        assert status(server)["assets"] == 2  # pages older than this reload whole
    finally:
        server.stop()


def test_an_unchanged_file_costs_the_browser_no_download(server):
    url = server.url + "_static/course.css"
    with urllib.request.urlopen(url, timeout=5) as response:
        tag = response.headers["ETag"]
        assert response.headers["Cache-Control"] == "no-cache"  # checked at each use
    request = urllib.request.Request(url, headers={"If-None-Match": tag})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=5)
    assert answer.value.code == 304


def test_an_included_file_in_a_new_folder_is_seen(server, course_dir: Path):
    sheet = course_dir / "annexes" / "fiches" / "fiche.md"
    sheet.parent.mkdir(parents=True)
    sheet.write_text("# Fiche\n\nPremière version.\n", encoding="utf-8")
    append(course_dir / "pages" / "definition.md", "\n[La fiche](../annexes/fiches/fiche.md)\n")
    url = server.url + "assets/annexes/fiches/fiche.html"
    wait_for(lambda: "Première version." in fetch_or_nothing(url))
    sheet.write_text("# Fiche\n\nDeuxième version.\n", encoding="utf-8")
    wait_for(lambda: "Deuxième version." in fetch(url))


def test_a_watch_lost_goes_on_by_polling(server, course_dir: Path, tmp_path_factory):
    moved = tmp_path_factory.mktemp("ailleurs") / "cours"
    course_dir.rename(moved)
    wait_for(lambda: any("looking at the files every 0.1 s" in m for m in server.messages))
    moved.rename(course_dir)
    append(course_dir / "pages" / "definition.md", "\nUne phrase ajoutée.\n")
    wait_for(lambda: "Une phrase ajoutée." in fetch(server.url + "definition.html"))


def test_a_waiting_status_request_answers_when_the_rebuild_is_done(server, course_dir: Path):
    waiting = server.url.rstrip("/") + STATUS_PATH + "?generation=1&problems=0"
    stale = server.url.rstrip("/") + STATUS_PATH + "?generation=0&problems=0"
    assert json.loads(fetch(stale))["generation"] == 1  # at once: the page is out of date
    answers: list[dict] = []
    request = threading.Thread(target=lambda: answers.append(json.loads(fetch(waiting))))
    request.start()
    time.sleep(0.3)
    assert not answers  # nothing changed yet
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    request.join(timeout=5)
    assert answers == [{"generation": 2, "assets": 1, "problems": []}]


def test_a_page_closed_while_it_waits_leaves_no_traceback(server, course_dir: Path, capfd):
    host, port = server.httpd.server_address
    request = f"GET {STATUS_PATH}?generation=1&problems=0 HTTP/1.1\r\nHost: {host}\r\n\r\n"
    with socket.create_connection((host, port)) as connection:
        connection.sendall(request.encode())
        time.sleep(0.3)
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    wait_for(lambda: status(server)["generation"] == 2)
    time.sleep(0.3)
    assert "Traceback" not in capfd.readouterr().err


def test_a_rebuild_renders_again_only_the_edited_page(tmp_path: Path, course_dir: Path,
                                                      rendered_pages):  # fmt: skip
    builder = PreviewBuilder(course_dir, tmp_path, report=lambda line: None)
    builder.rebuild()
    assert len(rendered_pages) > 3
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    rendered_pages.clear()
    builder.rebuild()
    assert rendered_pages == {"definition.html": 1}
    site = builder.state.site
    assert "Une phrase ajoutée." in (site / "definition.html").read_text(encoding="utf-8")
    assert len(list(site.glob("*.html"))) > 3


def test_a_rebuild_writes_only_the_files_whose_bytes_changed(tmp_path: Path, course_dir: Path):
    image = with_image(course_dir)
    builder = PreviewBuilder(course_dir, tmp_path, report=lambda line: None)
    builder.rebuild()
    site = builder.state.site

    def times() -> dict[str, int]:
        return {path.relative_to(site).as_posix(): path.stat().st_mtime_ns
                for path in site.rglob("*") if path.is_file()}  # fmt: skip

    before = times()
    append(course_dir / "pages" / "definition.md", "\nUne phrase ajoutée.\n")
    builder.rebuild()
    after = times()
    assert [name for name in after if after[name] != before[name]] == ["definition.html"]
    assert builder.state.assets == 1  # only a page changed: pages swap their text in
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8").replace("![Le schéma](../images/schema.svg)", ""),
                    encoding="utf-8")  # fmt: skip
    builder.rebuild()
    assert not (site / "assets" / "images").exists()  # the image, and its folder left empty
    assert image.exists() and builder.state.assets == 3


def test_a_rebuild_composes_again_only_the_edited_yaml(tmp_path: Path, course_dir: Path,
                                                        monkeypatch):  # fmt: skip
    from builder.loader.sources import CourseSources

    composed: list[str] = []
    compose = CourseSources._compose
    monkeypatch.setattr(CourseSources, "_compose",
                        lambda self, relative, text: composed.append(relative) or compose(self, relative, text))  # fmt: skip
    builder = PreviewBuilder(course_dir, tmp_path, report=lambda line: None)
    builder.rebuild()
    assert sorted(composed) == ["course.yaml", "days/jour-1.yaml"]
    composed.clear()
    append(course_dir / "days" / "jour-1.yaml", "# un commentaire\n")
    builder.rebuild()
    assert composed == ["days/jour-1.yaml"]
    assert builder.state.attempts == 2 and not builder.state.problems


def test_a_rebuild_that_changes_no_file_keeps_the_generation(tmp_path: Path, course_dir: Path):
    messages: list[str] = []
    builder = PreviewBuilder(course_dir, tmp_path, report=messages.append)
    builder.rebuild()
    append(course_dir / "pages" / "definition.md", "\n")  # the same page once rendered
    builder.rebuild()
    assert (builder.state.attempts, builder.state.generation) == (2, 1)  # pages stay as they are
    assert "(generation 1, 0 file(s) changed)" in messages[-1]


def test_errors_show_without_stopping_the_server(server, course_dir: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("type: quiz", "type: quizz"), encoding="utf-8")
    wait_for(lambda: status(server)["problems"])
    assert "unknown activity type 'quizz'" in status(server)["problems"][0]
    assert any("unknown activity type 'quizz'" in m for m in server.messages)
    assert "Vérifier ses connaissances" in fetch(server.url + "quiz-definition.html")
    day.write_text(day.read_text(encoding="utf-8").replace("type: quizz", "type: quiz"), encoding="utf-8")
    wait_for(lambda: status(server) == {"generation": 1, "assets": 1, "problems": []})


def test_busy_port_is_a_clear_error(server, course_dir: Path):
    port = server.httpd.server_address[1]
    with pytest.raises(UserError, match=f"cannot listen on 127.0.0.1:{port}"):
        PreviewServer(course_dir, port=port)


def test_a_null_byte_in_the_path_is_a_bad_request(server):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(server.url + "%00")
    assert refused.value.code == 400


def test_a_file_vanishing_while_it_is_looked_at_is_skipped(tmp_path: Path, monkeypatch):
    from builder import watch

    (tmp_path / "garde.md").write_text("x", encoding="utf-8")
    (tmp_path / "disparu.md").write_text("x", encoding="utf-8")
    original, calls = Path.stat, {"disparu.md": 0}

    def stat_then_vanish(path, *args, **kwargs):  # deleted between two looks at it
        if path.name in calls:
            calls[path.name] += 1
            if calls[path.name] > 1:
                raise FileNotFoundError(errno.ENOENT, "vanished", str(path))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat_then_vanish)
    names = [Path(p).name for p in watch.source_snapshot(tmp_path)]  # and no exception
    assert "garde.md" in names
