"""MoodleClient: flattening, batching by max_input_vars, safe retries, typed errors; settings checks."""

from __future__ import annotations

import math
import os
import socket

import pytest
import requests
from urllib3.exceptions import MaxRetryError, NewConnectionError

from lms_sync.client import MoodleClient, field_count, flatten
from lms_sync.config import load_settings
from lms_sync.errors import (
    ConfigError,
    FunctionNotAllowedError,
    InvalidParameterError,
    InvalidTokenError,
    MalformedResponseError,
    TransportError,
    UnknownFunctionError,
)
from moodle_double import MoodleDouble


class Answer:
    def __init__(self, status: int, text: str):
        self.status_code, self.text, self.content = status, text, text.encode()


class ScriptedSession:
    """Answers posts from a script of Answers or exceptions, and records what was sent."""

    def __init__(self, *script):
        self.script = list(script)
        self.sent = []

    def post(self, url, data, timeout, allow_redirects):
        self.sent.append((url, data))
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def client(session, **options) -> MoodleClient:
    return MoodleClient("https://moodle.example.org", "tok-123", session=session, sleep=lambda s: None, **options)


def refused() -> requests.ConnectionError:
    return requests.ConnectionError(MaxRetryError(None, "/", NewConnectionError(None, "refused")))


def test_flatten_matches_php_form_names():
    params = {"users": [{"username": "a", "customfields": [{"type": "t", "value": 1}], "suspended": False, "city": None}]}
    assert flatten(params) == [
        ("users[0][username]", "a"),
        ("users[0][customfields][0][type]", "t"),
        ("users[0][customfields][0][value]", "1"),
        ("users[0][suspended]", "0"),
    ]
    assert field_count({"a": 1, "b": [1, 2]}) == 3


def test_token_goes_in_the_body_never_the_url():
    session = ScriptedSession(Answer(200, '{"sitename": "x"}'))
    client(session).call("core_webservice_get_site_info")
    url, data = session.sent[0]
    assert url == "https://moodle.example.org/webservice/rest/server.php"
    assert data[:3] == [("wstoken", "tok-123"), ("wsfunction", "core_webservice_get_site_info"), ("moodlewsrestformat", "json")]
    assert "tok-123" not in repr(client(session))


def test_batches_stay_within_max_input_vars_and_the_double_drops_nothing():
    with MoodleDouble(max_input_vars=50) as moodle:
        moodle_client = MoodleClient(moodle.url, moodle.ADMIN_TOKEN, max_input_vars=50)
        users = [{"username": f"u{i}", "firstname": "F", "lastname": "L", "email": f"u{i}@example.org", "createpassword": 1} for i in range(300)]
        batches = moodle_client.batches("users", users)
        created = [row for batch in batches for row in moodle_client.call("core_user_create_users", {"users": batch})]
        assert len(created) == 300
        assert moodle.dropped_fields == 0
        assert moodle.calls["core_user_create_users"] == math.ceil(300 / ((50 - 3) // 5))


def test_reads_are_retried_on_gateway_errors_and_resets():
    session = ScriptedSession(Answer(503, "busy"), requests.ConnectionError("reset"), Answer(502, ""), Answer(200, "[]"))
    assert client(session).call("core_course_get_categories") == []
    assert len(session.sent) == 4


def test_creates_are_not_resent_when_moodle_may_have_done_them():
    for failure in (Answer(504, ""), requests.ReadTimeout("slow"), Answer(200, '[{"id": 1')):
        session = ScriptedSession(failure, Answer(200, "[]"))
        with pytest.raises(TransportError):
            client(session).call("core_user_create_users", {"users": [{"username": "a"}]})
        assert len(session.sent) == 1


def test_creates_are_resent_when_the_connection_was_never_made():
    session = ScriptedSession(refused(), Answer(200, '[{"id": 7, "username": "a"}]'))
    assert client(session).call("core_user_create_users", {"users": [{"username": "a"}]}) == [{"id": 7, "username": "a"}]


def test_idempotent_writes_are_retried():
    session = ScriptedSession(Answer(503, ""), Answer(200, "null"))
    assert client(session).call("enrol_manual_enrol_users", {"enrolments": []}) is None


def test_retries_give_up_after_the_limit():
    session = ScriptedSession(*[Answer(503, "")] * 3)
    with pytest.raises(TransportError, match="HTTP 503"):
        client(session, retries=2).call("core_course_get_categories")


def test_null_where_data_was_expected_is_malformed():
    session = ScriptedSession(Answer(200, "null"), Answer(200, "null"))
    with pytest.raises(MalformedResponseError, match="expected list but Moodle answered null"):
        client(session, retries=1).call("core_course_get_categories")


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        ('{"exception":"x","errorcode":"invalidtoken","message":"Invalid token - token not found"}', InvalidTokenError, "Manage tokens"),
        ('{"exception":"x","errorcode":"accessexception","message":"Access control exception"}', FunctionNotAllowedError, "does not include core_course_get_categories"),
        ('{"exception":"x","errorcode":"invalidrecordunknown","message":"?"}', UnknownFunctionError, "no web service function"),
        ('{"exception":"x","errorcode":"invalidparameter","message":"Invalid parameter value detected"}', InvalidParameterError, "turn on debugging"),
    ],
)
def test_error_json_with_http_200_becomes_a_typed_error_saying_how_to_fix(body, error, words):
    with pytest.raises(error, match=words):
        client(ScriptedSession(Answer(200, body))).call("core_course_get_categories")


def test_the_token_is_redacted_from_error_messages():
    body = '{"exception":"x","errorcode":"weird","message":"token tok-123 rejected"}'
    with pytest.raises(Exception) as caught:
        client(ScriptedSession(Answer(200, body))).call("core_course_get_categories")
    assert "tok-123" not in str(caught.value)


def test_plain_http_is_refused_except_on_loopback_or_when_asked():
    env = {"MOODLE_TOKEN": "t"}
    with pytest.raises(ConfigError, match="plain http"):
        load_settings(url="http://moodle.example.org", environ=env)
    assert load_settings(url="http://moodle.example.org", allow_http=True, environ=env).url == "http://moodle.example.org"
    for url in ("http://127.0.0.1:8080", "http://localhost", "http://[::1]:80"):
        assert load_settings(url=url, environ=env).url == url


def test_config_file_must_be_readable_by_its_owner_only(tmp_path):
    config = tmp_path / "moodle.yaml"
    config.write_text("url: https://moodle.example.org\ntoken: from-file\n")
    os.chmod(config, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings(config_path=config, environ={})
    os.chmod(config, 0o600)
    settings = load_settings(config_path=config, environ={})
    assert settings.token == "from-file" and "from-file" not in repr(settings)
    assert load_settings(config_path=config, environ={"MOODLE_TOKEN": "env"}).token == "env"


def test_missing_token_says_where_to_put_it(tmp_path):
    with pytest.raises(ConfigError, match="set MOODLE_TOKEN"):
        load_settings(url="https://m.example.org", environ={"XDG_CONFIG_HOME": str(tmp_path)})


@pytest.mark.parametrize("url", ["https://127.0.0.1:99999", "https://moodle.example.org:0", "https://moodle.example.org:80a", "http://[::1", "https://a..b"])
def test_an_invalid_port_or_host_is_a_config_error_saying_where_the_url_comes_from(url):
    with pytest.raises(ConfigError) as caught:
        load_settings(url=url, environ={"MOODLE_TOKEN": "t"})
    assert str(caught.value) == (
        f"{url!r} is not a valid URL (check its host, and its port: a number from 1 to 65535); "
        "fix --url, MOODLE_URL or `url:` in the config file, e.g. https://moodle.example.org"
    )


def test_a_refused_connection_says_to_check_the_url_and_that_the_site_is_up():
    with socket.socket() as probe:  # a port nothing listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as caught:
        MoodleClient(f"http://127.0.0.1:{port}", "tok-123", retries=0).call("core_webservice_get_site_info")
    assert str(caught.value) == (
        f"core_webservice_get_site_info: could not connect to http://127.0.0.1:{port} (Connection refused); "
        "check the site URL (--url, MOODLE_URL or `url:` in the config file) and that the site is up"
    )
    assert not caught.value.sent


def test_a_host_the_http_library_cannot_parse_is_a_config_error_at_once():
    unparsable = MoodleClient("https://ex☃ample.org", "tok-123", retries=3, sleep=lambda s: pytest.fail("retried"))
    with pytest.raises(ConfigError, match=r"^https://ex☃ample.org is not a valid site URL; fix --url, MOODLE_URL or `url:` in the config file$"):
        unparsable.call("core_webservice_get_site_info")
