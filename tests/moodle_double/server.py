"""A faithful stand-in for Moodle's REST endpoint: a real HTTP server on loopback.

What it reproduces: POST form bodies read like PHP (`max_input_vars` drops fields silently),
tokens bound to a function list, Moodle's checks in Moodle's order (token, function exists,
function in the service, parameters), error JSON with HTTP 200, literal `null` bodies, and
rolled-back transactions. A fault mode fails a share of calls the ways networks and PHP do.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import report_reads  # noqa: F401  (registers the reads of what learners did)
from .files import UPLOAD_PATH, upload
from .functions import FUNCTIONS, MOODLE_FUNCTIONS_NOT_IMPLEMENTED
from .params import InvalidParameter, parse_form, validate
from .site import MoodleException, Site, invalid_parameter

REST_PATH = "/webservice/rest/server.php"
FAULT_KINDS = ("http500", "http503", "timeout", "reset", "malformed", "null")


@dataclass
class Faults:
    """Fail `rate` of calls with one of `kinds`; a fault may strike before or after the work is done."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    seed: int = 0
    hang_seconds: float = 2.0
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)

    def draw(self) -> tuple[str, bool] | None:
        """(kind, after_work) for a failing call, or None."""
        if self.rate <= 0 or self.rng.random() >= self.rate:
            return None
        return self.rng.choice(self.kinds), self.rng.random() < 0.5


@dataclass(frozen=True)
class Cost:
    """Seconds a real site spends on a call, and on each value of its answer (PHP builds records
    field by field, with queries for roles, groups, courses...). Zero by default; the benchmark sets
    it so that its seconds move as a real site's do when calls return fewer records or fields."""

    per_call: float = 0.0
    per_value: float = 0.0

    def seconds(self, text: str) -> float:
        if not (self.per_call or self.per_value):
            return 0.0
        return self.per_call + self.per_value * count_values(json.loads(text) if text else None)


def count_values(answer) -> int:
    """Scalar values in a JSON answer."""
    if isinstance(answer, dict):
        return sum(count_values(value) for value in answer.values())
    if isinstance(answer, list):
        return sum(count_values(value) for value in answer)
    return 1


class MoodleDouble:
    """Start with `with MoodleDouble() as moodle:`; `moodle.url`, `moodle.site`, `moodle.calls`."""

    ADMIN_TOKEN = "admin-token-0123456789abcdef0123"

    def __init__(self, *, max_input_vars: int = 1000, debug: bool = False, faults: Faults | None = None, cost: Cost | None = None):
        self.site = Site()
        self.cost = cost or Cost()
        self.max_input_vars = max_input_vars
        self.debug = debug
        self.faults = faults or Faults()
        self.calls: Counter = Counter()
        self.writes: Counter = Counter()
        self.dropped_fields = 0
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0  # calls being answered at once, at most: what a client's concurrency reached
        self.site.add_token(self.ADMIN_TOKEN, self.site.admin.id, FUNCTIONS)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.site.url = self.url
        self._thread: threading.Thread | None = None

    def __enter__(self) -> MoodleDouble:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def write_calls(self) -> int:
        return sum(self.writes.values())

    def reset_counts(self) -> None:
        self.calls.clear()
        self.writes.clear()

    def handle(self, body: str) -> tuple[str, str | None]:
        """Run one request: (JSON text, fault to apply to the HTTP answer or None)."""
        params, dropped = parse_form(body, self.max_input_vars)
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return self._answer(params, dropped)
        finally:
            with self.lock:
                self.in_flight -= 1

    def _answer(self, params: dict, dropped: int) -> tuple[str, str | None]:
        with self.lock:  # one call at a time, and faults drawn in a reproducible order
            fault = self.faults.draw()
            if fault and not fault[1]:
                return "", fault[0]
            self.dropped_fields += dropped
            text = self._dispatch(params)
        time.sleep(self.cost.seconds(text))  # outside the lock: a site's PHP workers answer calls side by side
        if fault:
            return text, fault[0]
        return text, None

    def _dispatch(self, params: dict) -> str:
        token_value = params.pop("wstoken", None)
        name = params.pop("wsfunction", None)
        params.pop("moodlewsrestformat", None)
        try:
            token = self.site.tokens.get(token_value) if isinstance(token_value, str) else None
            if token is None:
                raise MoodleException("core\\exception\\moodle_exception", "invalidtoken", "Invalid token - token not found")
            function = FUNCTIONS.get(name) if isinstance(name, str) and self.site.has_function(name) else None
            if function is None and name not in MOODLE_FUNCTIONS_NOT_IMPLEMENTED:
                raise MoodleException("dml_missing_record_exception", "invalidrecordunknown", "Can't find data record in database.")
            if name not in token.functions:
                raise MoodleException(
                    "webservice_access_exception",
                    "accessexception",
                    "Access control exception",
                    f"Access to the function {name}() is not allowed.",
                )
            if function is None:
                raise NotImplementedError(f"the double does not implement {name}")
            self.calls[name] += 1
            try:
                args = validate(function.params, params)
            except InvalidParameter as error:
                raise invalid_parameter(str(error)) from None
            saved = self.site.snapshot() if function.transactional else None
            try:
                result = function.run(self.site, token, args)
            except MoodleException:
                if saved is not None:
                    self.site.restore(saved)
                raise
            if function.writes:
                self.writes[name] += 1
            return encode(result)
        except MoodleException as error:
            return encode(self._error_body(error))

    def _error_body(self, error: MoodleException) -> dict:
        body = {"exception": error.exception, "errorcode": error.errorcode, "message": error.message}
        if self.debug and error.debuginfo:
            body["message"] = f"{error.message} ({error.debuginfo})"
            body["debuginfo"] = error.debuginfo
        return body

    def _handler_class(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def setup(self):
                super().setup()
                # Headers and body go out in two writes: without this, Nagle's algorithm and delayed
                # ACKs add 40 ms to every call on loopback.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                path = self.path.split("?")[0]
                if path == UPLOAD_PATH:
                    with double.lock:
                        self._reply(200, encode(upload(double, self.headers.get("Content-Type", ""), body)))
                    return
                if path != REST_PATH:
                    self._reply(404, "Not found")
                    return
                text, fault = double.handle(body.decode("utf-8"))
                if fault is None:
                    self._reply(200, text)
                else:
                    self._fail(fault, text)

            def _fail(self, fault: str, text: str) -> None:
                if fault == "http500":
                    self._reply(500, "<h1>500 Internal Server Error</h1>")
                elif fault == "http503":
                    self._reply(503, "<h1>503 Service Unavailable</h1>")
                elif fault == "timeout":
                    time.sleep(double.faults.hang_seconds)
                    self.close_connection = True
                elif fault == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.close_connection = True
                elif fault == "malformed":
                    self._reply(200, (text or '{"users":[')[: max(1, len(text) // 2)])
                else:  # null where data was expected
                    self._reply(200, "null")

            def _reply(self, status: int, text: str) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


def encode(value) -> str:
    """json_encode as PHP writes it: ASCII only, slashes escaped."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")
