"""The README's install into a fresh virtual environment gives a working `coursebridge`;
the lock file and the minimum versions CI tests agree with pyproject.toml."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCES = shutil.ignore_patterns(
    ".git", "*.egg-info", "build", "dist", "node_modules", "__pycache__", ".pytest_cache",
    ".hypothesis", "test-artifacts", ".venv", ".venv-min",
)


def test_fresh_virtualenv_install(tmp_path: Path):
    checkout = tmp_path / "checkout"
    shutil.copytree(ROOT, checkout, ignore=NOT_SOURCES)
    environment = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    pip = environment / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(checkout / "requirements.lock"), str(checkout)], check=True, cwd=tmp_path)
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


def pinned(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(name): version for name, version in pins}


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def test_the_lock_pins_every_dependency_within_pyproject_ranges():
    lock = pinned(ROOT / "requirements.lock")
    for requirement in runtime_requirements():
        version = lock.get(canonicalize_name(requirement.name))
        assert version and requirement.specifier.contains(version), f"{requirement} in requirements.lock"


def test_min_versions_are_the_lower_bounds_of_pyproject():
    oldest = pinned(ROOT / "tests" / "min-versions.txt")
    for requirement in runtime_requirements():
        bounds = [Version(spec.version) for spec in requirement.specifier if spec.operator == ">="]
        version = oldest.get(canonicalize_name(requirement.name))
        assert version and Version(version) in bounds, f"{requirement} in tests/min-versions.txt"
