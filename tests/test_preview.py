"""The preview server: serves the build, rebuilds on change, keeps serving through errors."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from builder.errors import UserError
from builder.preview import STATUS_PATH, PreviewServer


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(predicate, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@pytest.fixture
def server(course_dir: Path):
    messages: list[str] = []
    preview = PreviewServer(course_dir, port=0, report=messages.append, poll_seconds=0.1)
    preview.start()
    preview.messages = messages
    yield preview
    preview.stop()


def status(server) -> dict:
    return json.loads(fetch(server.url.rstrip("/") + STATUS_PATH))


def test_serves_pages_with_the_reload_script(server):
    page = fetch(server.url)
    assert "Cours d&#39;essai" in page
    assert STATUS_PATH in page
    assert status(server) == {"generation": 1, "problems": []}


def test_rebuilds_when_a_source_changes(server, course_dir: Path):
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    wait_for(lambda: status(server)["generation"] == 2)
    assert "Une phrase ajoutée." in fetch(server.url + "definition.html")


def test_errors_show_without_stopping_the_server(server, course_dir: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace("type: quiz", "type: quizz"), encoding="utf-8")
    wait_for(lambda: status(server)["problems"])
    assert "unknown activity type 'quizz'" in status(server)["problems"][0]
    assert any("unknown activity type 'quizz'" in m for m in server.messages)
    assert "Vérifier ses connaissances" in fetch(server.url + "quiz-definition.html")
    day.write_text(day.read_text(encoding="utf-8").replace("type: quizz", "type: quiz"), encoding="utf-8")
    wait_for(lambda: status(server) == {"generation": 2, "problems": []})


def test_busy_port_is_a_clear_error(server, course_dir: Path):
    port = server.httpd.server_address[1]
    with pytest.raises(UserError, match=f"cannot listen on 127.0.0.1:{port}"):
        PreviewServer(course_dir, port=port)


def test_a_null_byte_in_the_path_is_a_bad_request(server):
    import urllib.error

    with pytest.raises(urllib.error.HTTPError) as refused:
        fetch(server.url + "%00")
    assert refused.value.code == 400


def test_the_server_survives_files_vanishing_while_it_looks(server, course_dir: Path):
    for index in range(50):  # an editor's temporary files, created and deleted at once
        temporary = course_dir / "pages" / f".~edit{index}.md"
        temporary.write_text("x", encoding="utf-8")
        temporary.unlink()
    (course_dir / "pages" / "nouveau.md").write_text("texte", encoding="utf-8")
    wait_for(lambda: status(server)["generation"] == 2)
