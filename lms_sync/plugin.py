"""The Moodle plugin local_coursebridge shipped with coursebridge: its files, version and functions.

The PHP sources under moodle_plugin/coursebridge/ are the single truth: the version and the function
names are read from version.php and db/services.php, so Python never disagrees with what Moodle installs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from builder.packaging import write_zip

PLUGIN_FOLDER = Path(__file__).parent / "moodle_plugin" / "coursebridge"
ZIP_NAME = "local_coursebridge.zip"
COMPONENT = "local_coursebridge"
SERVICE = "local_coursebridge"
INSTALL_HINT = (
    f"install the plugin: `coursebridge moodle plugin -o DIR` writes {ZIP_NAME}; add it at Site administration > "
    "Plugins > Install plugins (or unzip it into local/ and run admin/cli/upgrade.php), then create a token for "
    "the service local_coursebridge"
)


def plugin_files() -> dict[str, bytes]:
    """Archive path -> content, under the one top folder `coursebridge/` Moodle's installer expects."""
    return {
        f"coursebridge/{path.relative_to(PLUGIN_FOLDER).as_posix()}": path.read_bytes()
        for path in sorted(PLUGIN_FOLDER.rglob("*"))
        if path.is_file()
    }


def write_plugin_zip(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / ZIP_NAME
    write_zip(target, plugin_files())
    return target


@cache
def plugin_version() -> int:
    """$plugin->version from version.php: what a site needs at least for this coursebridge."""
    text = (PLUGIN_FOLDER / "version.php").read_text(encoding="utf-8")
    return int(re.search(r"\$plugin->version\s*=\s*(\d+)", text)[1])


@cache
def plugin_functions() -> tuple[str, ...]:
    """The functions db/services.php defines, in its order."""
    text = (PLUGIN_FOLDER / "db" / "services.php").read_text(encoding="utf-8")
    return tuple(re.findall(r"^    '(local_coursebridge_\w+)' => \[", text, re.MULTILINE))
