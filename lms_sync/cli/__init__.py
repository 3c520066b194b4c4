"""The `sync` and `moodle` command groups: thin over the lms_sync library."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from lms_sync.client import MoodleClient
from lms_sync.config import load_settings


def connection_options(command):
    """--url, --config, --allow-http, --max-input-vars, --debug: how to reach Moodle."""
    options = [
        click.option("--url", help="Moodle site URL (default: MOODLE_URL or the config file)."),
        click.option("--config", "config_path", type=click.Path(path_type=Path), help="Config file (default: ~/.config/coursebridge/moodle.yaml)."),
        click.option("--allow-http", is_flag=True, help="Allow plain http to a host that is not on loopback (the token travels in clear)."),
        click.option("--max-input-vars", type=click.IntRange(min=10), help="The site's PHP max_input_vars (default 1000)."),
        click.option("--debug", is_flag=True, help="Log each call (function, size, time) to stderr; never the token."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def connect(url, config_path, allow_http, max_input_vars, debug) -> MoodleClient:
    if debug:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        logger = logging.getLogger("lms_sync")
        logger.handlers = [handler]  # once, even when commands run several times in one process
        logger.setLevel(logging.DEBUG)
    settings = load_settings(url=url, config_path=config_path, allow_http=allow_http, max_input_vars=max_input_vars)
    return settings.client()
