"""`pip install .` into a fresh virtual environment gives a working `coursebridge`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCES = shutil.ignore_patterns(
    ".git", "*.egg-info", "build", "dist", "node_modules", "__pycache__", ".pytest_cache",
    ".hypothesis", "test-artifacts", ".venv",
)


def test_fresh_virtualenv_install(tmp_path: Path):
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCES)
    environment = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    pip = environment / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", "--disable-pip-version-check", str(checkout)],
                   check=True, cwd=tmp_path)
    command = str(environment / "bin" / "coursebridge")
    run = lambda *args: subprocess.run([command, *args], cwd=tmp_path, capture_output=True,  # noqa: E731
                                       text=True)
    assert run("new", "essai").returncode == 0
    validated = run("validate", "essai")
    assert validated.returncode == 0, validated.stderr
    built = run("build", "essai", "-o", "dist")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "dist" / "web" / "index.html").is_file()
    plugin = run("moodle", "plugin", "-o", "plugin")  # the Moodle plugin's PHP and XML are package data
    assert plugin.returncode == 0, plugin.stderr
    with zipfile.ZipFile(tmp_path / "plugin" / "local_coursebridge.zip") as archive:
        assert {"coursebridge/version.php", "coursebridge/db/install.xml", "coursebridge/lang/fr/local_coursebridge.php"} <= set(archive.namelist())
