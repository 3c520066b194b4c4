"""Where the Moodle URL and token come from, and the checks that keep the token private.

The token comes from MOODLE_TOKEN or from a YAML config file that only its owner can read
(`url`, `token`, `max_input_vars`, `timeout`, `retries`, `backoff`, `concurrency`, `allow_http`). Plain http is refused unless the
host is on loopback or the user asks for it, since the token would cross the network in clear.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from builder.loader.sources import SourceProblem, compose
from lms_sync.client import DEFAULT_CONCURRENCY, MoodleClient
from lms_sync.errors import ConfigError
from lms_sync.located import did_you_mean

CONFIG_KEYS = {"url", "token", "max_input_vars", "timeout", "retries", "backoff", "concurrency", "allow_http"}


@dataclass(frozen=True)
class MoodleSettings:
    url: str
    token: str
    max_input_vars: int = 1000
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    concurrency: int = DEFAULT_CONCURRENCY  # independent reads under way at once

    def __repr__(self) -> str:  # keeps the token out of logs and tracebacks
        return f"MoodleSettings(url={self.url!r}, max_input_vars={self.max_input_vars}, timeout={self.timeout})"

    def client(self) -> MoodleClient:
        return MoodleClient(
            self.url,
            self.token,
            max_input_vars=self.max_input_vars,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            concurrency=self.concurrency,
        )


def default_config_path(env=os.environ) -> Path:
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "coursebridge" / "moodle.yaml"


def load_settings(
    *,
    url: str | None = None,
    config_path: Path | None = None,
    allow_http: bool = False,
    max_input_vars: int | None = None,
    environ: dict[str, str] | None = None,
) -> MoodleSettings:
    """Settings from (in order of precedence) arguments, environment, then the config file."""
    env = os.environ if environ is None else environ
    explicit = config_path is not None or bool(env.get("COURSEBRIDGE_MOODLE_CONFIG"))
    path = config_path or Path(env.get("COURSEBRIDGE_MOODLE_CONFIG") or default_config_path(env))
    file_settings = read_config_file(path) if (explicit or path.exists()) else {}

    url = url or env.get("MOODLE_URL") or file_settings.get("url")
    token = env.get("MOODLE_TOKEN") or file_settings.get("token")
    if not url:
        raise ConfigError(f"no Moodle URL: pass --url, set MOODLE_URL, or put `url:` in {path}")
    if not token:
        raise ConfigError(
            f"no Moodle token: set MOODLE_TOKEN or put `token:` in {path} (chmod 600); "
            "create one at Site administration > Server > Web services > Manage tokens"
        )
    check_url(str(url), allow_http=allow_http or bool(file_settings.get("allow_http")))
    return MoodleSettings(
        url=str(url).rstrip("/"),
        token=str(token).strip(),
        max_input_vars=int(max_input_vars or file_settings.get("max_input_vars") or 1000),
        timeout=float(file_settings.get("timeout", 30.0)),
        retries=int(file_settings.get("retries", 4)),
        backoff=float(file_settings.get("backoff", 0.5)),
        concurrency=_whole_number(file_settings.get("concurrency", DEFAULT_CONCURRENCY), "concurrency", path),
    )


def _whole_number(value, key: str, path: Path) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 32:
        raise ConfigError(f"{path}: `{key}: {value}` is not a whole number from 1 to 32; e.g. `{key}: 4`")
    return value


def read_config_file(path: Path) -> dict:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: others can read this file that holds the token; run `chmod 600 {path}`")
    try:
        text = path.read_text(encoding="utf-8")
        root = compose(text, str(path))  # nodes know their line; nesting is bounded before safe_load
        data = yaml.safe_load(text) or {}
    except SourceProblem as problem:
        raise ConfigError(f"{problem.location}: {problem.message}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8; save it with UTF-8 encoding") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read it ({error.strerror}); check its permissions") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: not valid YAML; expected `key: value` lines") from None
    expected = ", ".join(sorted(CONFIG_KEYS))
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of {expected}")
    for key_node, _ in root.value if root else []:
        key = str(key_node.value)
        if key not in CONFIG_KEYS:
            where = f"{path}:{key_node.start_mark.line + 1}:{key_node.start_mark.column + 1}"
            raise ConfigError(f"{where}: unknown key {key!r}{did_you_mean(key, sorted(CONFIG_KEYS))}; expected one of {expected}")
    return data


URL_SOURCES = "--url, MOODLE_URL or `url:` in the config file"


def check_url(url: str, *, allow_http: bool) -> None:
    try:
        parts = urlsplit(url)
        labels = (parts.hostname or "x").rstrip(".").split(".")
        parsed = parts.port != 0 and all(0 < len(label) <= 63 for label in labels)  # DNS labels; .port raises beyond 65535
    except ValueError:  # ... and urlsplit for an unclosed [IPv6] host
        parsed = False
    if not parsed:
        raise ConfigError(
            f"{url!r} is not a valid URL (check its host, and its port: a number from 1 to 65535); "
            f"fix {URL_SOURCES}, e.g. https://moodle.example.org"
        )
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(f"{url!r} is not a Moodle site URL; expected e.g. https://moodle.example.org")
    if parts.query or parts.fragment:
        raise ConfigError(f"{url!r}: give the site's base URL without ? or #")
    if parts.scheme == "http" and not allow_http and not is_loopback(parts.hostname):
        raise ConfigError(
            f"{url!r} uses plain http: the token would cross the network unencrypted; use https, "
            "or pass --allow-http if you really mean it"
        )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
