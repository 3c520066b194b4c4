"""MoodleClient: Moodle's REST protocol over requests, batched, retried only where safe, typed errors.

Every call is `POST /webservice/rest/server.php` with a form body (the token never goes in a URL).
Nested parameters are flattened the way PHP reads them back (`users[0][customfields][0][type]=...`).
PHP drops every field past `max_input_vars` without telling Moodle, so lists are split into calls
that each stay within that many fields.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ConnectTimeoutError, LocationValueError, NewConnectionError

from lms_sync.errors import ConfigError, MalformedResponseError, TransportError, server_error, upload_error

log = logging.getLogger("lms_sync.client")

REST_PATH = "/webservice/rest/server.php"
UPLOAD_PATH = "/webservice/upload.php"  # files go to the token user's draft area, for the plugin's functions
# wstoken, wsfunction and moodlewsrestformat: fields every call carries before its parameters.
PROTOCOL_FIELDS = 3
RETRYABLE_STATUSES = {502, 503, 504}
# Independent reads under way at once: enough to hide latency, few enough for a small site's PHP workers.
DEFAULT_CONCURRENCY = 4


class Kind(enum.Enum):
    READ = "read"
    # Writes that leave the same state when repeated: safe to resend after an ambiguous failure.
    IDEMPOTENT_WRITE = "idempotent write"
    # Writes that create something: resent only when the request surely never reached Moodle.
    CREATE = "create"


@dataclass(frozen=True)
class FunctionSpec:
    kind: Kind
    returns: type | None  # list or dict; None for functions whose success body is `null`
    slow: bool = False  # restores a course or unpacks a package: waits PUBLISH_TIMEOUT at least


# Restoring a cartridge or unpacking a SCORM package takes minutes on a big course: the usual timeout would
# report an outcome unknown while Moodle is still at work.
PUBLISH_TIMEOUT = 600.0


FUNCTIONS: dict[str, FunctionSpec] = {
    "core_webservice_get_site_info": FunctionSpec(Kind.READ, dict),
    "core_course_get_categories": FunctionSpec(Kind.READ, list),
    "core_course_create_categories": FunctionSpec(Kind.CREATE, list),
    "core_course_get_courses_by_field": FunctionSpec(Kind.READ, dict),
    "core_course_create_courses": FunctionSpec(Kind.CREATE, list),
    "core_course_update_courses": FunctionSpec(Kind.IDEMPOTENT_WRITE, dict),
    "core_course_get_contents": FunctionSpec(Kind.READ, list),
    "core_update_inplace_editable": FunctionSpec(Kind.IDEMPOTENT_WRITE, dict),
    "core_user_get_users_by_field": FunctionSpec(Kind.READ, list),
    "core_user_create_users": FunctionSpec(Kind.CREATE, list),
    "core_user_update_users": FunctionSpec(Kind.IDEMPOTENT_WRITE, dict),
    "core_enrol_get_enrolled_users": FunctionSpec(Kind.READ, list),
    "enrol_manual_enrol_users": FunctionSpec(Kind.IDEMPOTENT_WRITE, None),
    "enrol_manual_unenrol_users": FunctionSpec(Kind.IDEMPOTENT_WRITE, None),
    "core_cohort_get_cohorts": FunctionSpec(Kind.READ, list),
    "core_cohort_create_cohorts": FunctionSpec(Kind.CREATE, list),
    "core_cohort_get_cohort_members": FunctionSpec(Kind.READ, list),
    "core_cohort_add_cohort_members": FunctionSpec(Kind.IDEMPOTENT_WRITE, dict),
    "core_cohort_delete_cohort_members": FunctionSpec(Kind.IDEMPOTENT_WRITE, None),
    "core_group_get_course_groups": FunctionSpec(Kind.READ, list),
    "core_group_create_groups": FunctionSpec(Kind.CREATE, list),
    "core_group_get_group_members": FunctionSpec(Kind.READ, list),
    "core_group_add_group_members": FunctionSpec(Kind.IDEMPOTENT_WRITE, None),
    "core_group_delete_group_members": FunctionSpec(Kind.IDEMPOTENT_WRITE, None),
    "mod_forum_get_forums_by_courses": FunctionSpec(Kind.READ, list),
    "mod_forum_get_forum_discussions": FunctionSpec(Kind.READ, dict),
    "mod_forum_add_discussion": FunctionSpec(Kind.CREATE, dict),
    "mod_forum_get_discussion_posts": FunctionSpec(Kind.READ, dict),
    "mod_scorm_get_scorms_by_courses": FunctionSpec(Kind.READ, dict),
    "mod_scorm_get_scorm_sco_tracks": FunctionSpec(Kind.READ, dict),
    "local_coursebridge_get_status": FunctionSpec(Kind.READ, dict),
    "local_coursebridge_get_items": FunctionSpec(Kind.READ, dict),
    "local_coursebridge_restore_cartridge": FunctionSpec(Kind.CREATE, dict, slow=True),
    "local_coursebridge_save_scorm": FunctionSpec(Kind.CREATE, dict, slow=True),
    "local_coursebridge_create_forum": FunctionSpec(Kind.CREATE, dict),
    "local_coursebridge_update_page": FunctionSpec(Kind.IDEMPOTENT_WRITE, dict),
    "local_coursebridge_get_scorm_tracks": FunctionSpec(Kind.READ, dict),  # the plugin's bulk read
}


# A function not in the table: never resent once sent, any answer accepted.
UNKNOWN_FUNCTION = FunctionSpec(Kind.CREATE, object)


def flatten(params: Mapping[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """PHP form fields for nested parameters, in order: {"a": [{"b": 1}]} -> [("a[0][b]", "1")]."""
    fields: list[tuple[str, str]] = []
    for key, value in params.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, Mapping):
            fields.extend(flatten(value, name))
        elif isinstance(value, (list, tuple)):
            fields.extend(flatten({str(i): item for i, item in enumerate(value)}, name))
        elif isinstance(value, bool):
            fields.append((name, "1" if value else "0"))
        elif value is None:
            continue  # PHP has no way to send null; an absent key is Moodle's "not given".
        else:
            fields.append((name, str(value)))
    return fields


def field_count(item: Any) -> int:
    """How many form fields one value becomes."""
    return len(flatten({"x": item}))


@dataclass
class CallStats:
    """What a client sent and received: calls by function, to count reads and writes, and bytes read."""

    calls: Counter = field(default_factory=Counter)
    bytes_read: int = 0

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    @property
    def writes(self) -> int:
        return sum(n for name, n in self.calls.items() if name in FUNCTIONS and FUNCTIONS[name].kind is not Kind.READ)


class MoodleClient:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        max_input_vars: int = 1000,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        concurrency: int = DEFAULT_CONCURRENCY,
    ):
        if max_input_vars <= PROTOCOL_FIELDS + 1:
            raise ValueError("max_input_vars leaves no room for parameters")
        self.site_url = url.rstrip("/")
        self.endpoint = self.site_url + REST_PATH
        self._token = token
        self.max_input_vars = max_input_vars
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._given_session = session
        self._sessions = threading.local()  # requests.Session is not thread-safe: one per thread
        self._sleep = sleep
        self.concurrency = max(1, concurrency)
        self.stats = CallStats()
        self._stats_lock = threading.Lock()
        # Told of each resend (function, why, attempt number): apply journals them.
        self.on_retry: Callable[[str, str, int], None] = lambda function, reason, attempt: None

    def __repr__(self) -> str:  # never show the token, even in a debugger or a traceback
        return f"MoodleClient({self.endpoint!r})"

    def call(self, function: str, params: Mapping[str, Any] | None = None) -> Any:
        """One web service call; retried with backoff only when resending cannot do harm."""
        spec = FUNCTIONS.get(function, UNKNOWN_FUNCTION)
        fields = flatten(params or {})
        if PROTOCOL_FIELDS + len(fields) > self.max_input_vars:
            raise ValueError(f"{function}: {len(fields)} fields exceed max_input_vars; use batches()")
        attempt = 0
        while True:
            try:
                return self._send(function, spec, fields)
            except TransportError as error:
                if attempt == self.retries or not self._may_resend(spec, error):
                    raise
                delay = self.backoff * (2**attempt) * (0.5 + random.random() / 2)
                attempt += 1
                log.info("%s; retry %d/%d in %.1fs", error, attempt, self.retries, delay)  # the error names the function
                self.on_retry(function, str(error), attempt)
                self._sleep(delay)

    def call_many(self, function: str, params_list: Sequence[Mapping[str, Any]]) -> list[Any]:
        """Independent calls of one read function, at most `concurrency` at a time; answers in order.

        The first error is raised once every call under way has ended.
        """
        if FUNCTIONS.get(function, UNKNOWN_FUNCTION).kind is not Kind.READ:
            raise ValueError(f"{function}: only reads are sent concurrently")
        if self.concurrency == 1 or len(params_list) <= 1:
            return [self.call(function, params) for params in params_list]
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(params_list))) as pool:
            futures = [pool.submit(self.call, function, params) for params in params_list]
            wait(futures)
        return [future.result() for future in futures]

    def read_batched(self, function: str, list_key: str, items: Sequence[Any], common: Mapping[str, Any] | None = None) -> list[Any]:
        """The answers of a read whose `items` are split into batches (batches()), sent concurrently."""
        chunks = self.batches(list_key, items, common)
        return self.call_many(function, [{**(common or {}), list_key: chunk} for chunk in chunks])

    def batches(
        self, list_key: str, items: Sequence[Any], common: Mapping[str, Any] | None = None
    ) -> list[list[Any]]:
        """Split `items` into consecutive runs whose call fits in max_input_vars fields."""
        room = self.max_input_vars - PROTOCOL_FIELDS - len(flatten(common or {}))
        chunks: list[list[Any]] = []
        current: list[Any] = []
        used = 0
        for item in items:
            size = field_count(item)
            if size > room:
                raise ValueError(f"one {list_key} item needs {size} fields, more than max_input_vars allows")
            if current and used + size > room:
                chunks.append(current)
                current, used = [], 0
            current.append(item)
            used += size
        if current:
            chunks.append(current)
        return chunks

    def upload(self, filename: str, content: bytes) -> int:
        """Put one file in the token user's draft area (core's webservice/upload.php); its draft item id."""
        fields = {"token": self._token, "filepath": "/", "itemid": "0"}
        with self._stats_lock:
            self.stats.calls[UPLOAD_PATH] += 1
        try:
            response = self._session().post(
                self.site_url + UPLOAD_PATH, data=fields, files={"file_1": (filename, content, "application/zip")},
                timeout=max(self.timeout, PUBLISH_TIMEOUT), allow_redirects=False,
            )
        except requests.RequestException as error:
            raise TransportError(self._redact(f"{UPLOAD_PATH}: {describe_request_error(error, self.site_url)}"), sent=_was_sent(error)) from None
        if response.status_code != 200:
            raise TransportError(f"{UPLOAD_PATH}: HTTP {response.status_code} uploading {filename}", sent=True)
        try:
            body = json.loads(response.text)
        except ValueError:
            raise MalformedResponseError(f"{UPLOAD_PATH}: the answer is not JSON ({len(response.text)} bytes)", sent=True) from None
        if isinstance(body, dict) and "errorcode" in body:  # an AJAX script's exception: {"error", "errorcode", ...}
            raise upload_error(body)
        if not (isinstance(body, list) and body and isinstance(body[0], dict)):
            raise MalformedResponseError(f"{UPLOAD_PATH}: expected a list of files in the answer", sent=True)
        if "itemid" not in body[0]:
            raise MalformedResponseError(f"{UPLOAD_PATH}: {filename} refused: {body[0].get('error', 'no reason given')}", sent=True)
        return int(body[0]["itemid"])

    @staticmethod
    def _may_resend(spec: FunctionSpec, error: TransportError) -> bool:
        return not error.sent or spec.kind is not Kind.CREATE

    def _send(self, function: str, spec: FunctionSpec, fields: list[tuple[str, str]]) -> Any:
        body = [("wstoken", self._token), ("wsfunction", function), ("moodlewsrestformat", "json"), *fields]
        with self._stats_lock:
            self.stats.calls[function] += 1
        started = time.monotonic()
        try:
            timeout = max(self.timeout, PUBLISH_TIMEOUT) if spec.slow else self.timeout
            response = self._session().post(self.endpoint, data=body, timeout=timeout, allow_redirects=False)
        except (requests.exceptions.InvalidURL, LocationValueError):  # urllib3 raises the latter for a host it cannot parse
            raise ConfigError(f"{self.site_url} is not a valid site URL; fix --url, MOODLE_URL or `url:` in the config file") from None
        except requests.RequestException as error:
            message = describe_request_error(error, self.site_url)
            raise TransportError(self._redact(f"{function}: {message}"), sent=_was_sent(error)) from None
        with self._stats_lock:
            self.stats.bytes_read += len(response.content)
        log.debug("%s: %d fields, HTTP %d in %.2fs", function, len(fields), response.status_code, time.monotonic() - started)
        if response.status_code != 200:
            raise TransportError(f"{function}: HTTP {response.status_code} from {self.endpoint}", sent=True)
        return self._decode(function, spec, response.text)

    def _decode(self, function: str, spec: FunctionSpec, text: str) -> Any:
        try:
            body = json.loads(text)
        except ValueError:
            raise MalformedResponseError(f"{function}: the answer is not JSON ({len(text)} bytes)", sent=True) from None
        if isinstance(body, dict) and "exception" in body:
            error = server_error(function, body)
            error.args = (self._redact(str(error)),)
            raise error
        expected = spec.returns
        if (expected is None and body is not None) or (expected is not None and not isinstance(body, expected)):
            shape = "null" if body is None else type(body).__name__
            want = "null" if expected is None else expected.__name__
            raise MalformedResponseError(f"{function}: expected {want} but Moodle answered {shape}", sent=True)
        return body

    def _session(self) -> requests.Session:
        if self._given_session is not None:
            return self._given_session
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = self._sessions.session = requests.Session()
        return session

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "[token]") if self._token else text


def _was_sent(error: requests.RequestException) -> bool:
    """False only when the connection was never made, so Moodle cannot have seen the request."""
    if isinstance(error, requests.ConnectTimeout):
        return False
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return not isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def describe_request_error(error: requests.RequestException, site: str) -> str:
    if isinstance(error, requests.exceptions.SSLError):
        return "TLS certificate verification failed; fix the site's certificate or set REQUESTS_CA_BUNDLE"
    if isinstance(error, requests.Timeout):
        return "no answer before the timeout"
    if isinstance(error, requests.ConnectionError) and not _was_sent(error):
        return (
            f"could not connect to {site}{_system_reason(error)}; check the site URL "
            "(--url, MOODLE_URL or `url:` in the config file) and that the site is up"
        )
    if isinstance(error, requests.ConnectionError):
        return "the connection was closed or reset before Moodle answered"
    return type(error).__name__


def _system_reason(error: requests.RequestException) -> str:
    """` (Connection refused)`, ` (Name or service not known)`: what the system said, when urllib3 kept it."""
    found = re.search(r"\[Errno -?\d+\] ([^)\]\"']+)", str(error))
    return f" ({found[1].strip()})" if found else ""
