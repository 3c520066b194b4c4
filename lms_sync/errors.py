"""Moodle's answers turned into typed errors, each saying how to fix the cause.

Moodle reports every failure with HTTP 200 and `{"exception", "errorcode", "message"}`; the
`errorcode` picks the class here. Messages never contain the token (the client redacts it).
"""

from __future__ import annotations

from builder.errors import UserError

SERVICES_PAGE = "Site administration > Server > Web services > External services"
TOKENS_PAGE = "Site administration > Server > Web services > Manage tokens"
DEBUGGING_PAGE = "Site administration > Development > Debugging"


class MoodleError(UserError):
    """Something Moodle or the way to it refused; subclasses name the cause."""

    exit_code = 3


class ConfigError(MoodleError):
    """The connection settings (URL, token, config file) are unusable."""

    exit_code = 2


class TransportError(MoodleError):
    """The request did not get a usable answer: connection, timeout, HTTP status, bad body."""

    def __init__(self, message: str, *, sent: bool):
        # `sent` is False when the request surely never reached Moodle (safe to resend any call).
        self.sent = sent
        super().__init__(message)


class MalformedResponseError(TransportError):
    """Moodle answered 200 with a body that is not the JSON the function returns."""


class AmbiguousCategoryError(MoodleError):
    """Several Moodle categories have the category path the sync file names."""

    def __init__(self, path: tuple[str, ...], ids: list[int]):
        super().__init__(
            f"course.category: Moodle has {len(ids)} categories {' / '.join(path)!r} (ids {', '.join(map(str, ids))}), "
            "so the sync cannot tell which one is meant: rename all but one at Site administration > Courses > "
            "Manage courses and categories, then run the plan again"
        )


class ServerError(MoodleError):
    """An error JSON from Moodle's web service layer."""

    def __init__(self, function: str, errorcode: str, message: str, debuginfo: str = ""):
        self.function = function
        self.errorcode = errorcode
        self.moodle_message = message
        self.debuginfo = debuginfo
        super().__init__(self.explain())

    def explain(self) -> str:
        return f"{self.function}: Moodle said {self.errorcode!r}: {self.moodle_message}"


class InvalidTokenError(ServerError):
    def explain(self) -> str:
        return (
            "Moodle does not know this token (invalidtoken): create a token for the sync user at "
            f"{TOKENS_PAGE} and put it in MOODLE_TOKEN or the config file"
        )


class FunctionNotAllowedError(ServerError):
    def explain(self) -> str:
        return (
            f"the token's external service does not include {self.function} (accessexception): add it at "
            f"{SERVICES_PAGE} > (the token's service) > Functions > Add functions; "
            "`coursebridge moodle doctor` lists every missing one"
        )


class UnknownFunctionError(ServerError):
    def explain(self) -> str:
        return (
            f"this Moodle has no web service function {self.function} (invalidrecordunknown): "
            "the site is older than Moodle 4.1 or the plugin providing it is missing; upgrade the site"
        )


class InvalidParameterError(ServerError):
    def explain(self) -> str:
        detail = self.debuginfo or self.moodle_message
        hint = "" if self.debuginfo else f"; turn on debugging at {DEBUGGING_PAGE} to see which value"
        return f"{self.function}: Moodle rejected a value (invalidparameter): {detail}{hint}"


class MissingCapabilityError(ServerError):
    def explain(self) -> str:
        return (
            f"{self.function}: the token's user lacks a capability (nopermissions): {self.moodle_message}; "
            "allow it in that user's role at Site administration > Users > Permissions > Define roles"
        )


class RoleNotAssignableError(ServerError):
    def explain(self) -> str:
        return (
            f"{self.function}: {self.moodle_message} (wsusercannotassign): allow the token user's role to assign "
            "it at Site administration > Users > Permissions > Define roles > (role) > Allow role assignments"
        )


class NoManualEnrolmentError(ServerError):
    def explain(self) -> str:
        return (
            f"{self.function}: the course has no enabled manual enrolment method (wsnoinstance): add one in the "
            "course at Participants > Enrolment methods > Add method > Manual enrolments"
        )


_BY_ERRORCODE: dict[str, type[ServerError]] = {
    "invalidtoken": InvalidTokenError,
    "accessexception": FunctionNotAllowedError,
    "invalidrecordunknown": UnknownFunctionError,
    "invalidparameter": InvalidParameterError,
    "nopermissions": MissingCapabilityError,
    "wsusercannotassign": RoleNotAssignableError,
    "wsnoinstance": NoManualEnrolmentError,
}


class UploadsNotAllowedError(ServerError):
    def explain(self) -> str:
        return (
            f"{self.function}: the token's external service does not allow file uploads: tick \"Can upload files\" at "
            f"{SERVICES_PAGE} > (the token's service) > Edit, or use the service local_coursebridge"
        )


def upload_error(body: dict) -> ServerError:
    """What webservice/upload.php's error JSON (an AJAX script's: `error`, `errorcode`) means."""
    errorcode, message = str(body.get("errorcode")), str(body.get("error", ""))
    if "upload must be enabled" in message:
        return UploadsNotAllowedError("webservice/upload.php", errorcode, message)
    return server_error("webservice/upload.php", {"errorcode": errorcode, "message": message})


def server_error(function: str, body: dict) -> ServerError:
    """The typed error for one error JSON body."""
    errorcode = str(body.get("errorcode") or body.get("exception") or "unknown")
    cls = _BY_ERRORCODE.get(errorcode, ServerError)
    return cls(function, errorcode, str(body.get("message", "")), str(body.get("debuginfo", "") or ""))
