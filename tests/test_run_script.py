"""tests/run.sh names what is missing in one line instead of failing on the first absent command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

# What the script itself runs before installing anything, besides the tools it checks.
BASICS = ["bash", "dirname", "dpkg", "dpkg-query"]


def run_script_with(tmp_path: Path, tools: list[str]) -> subprocess.CompletedProcess:
    """tests/run.sh with only `tools` on PATH, as a user who is not root."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in BASICS + tools:
        os.symlink(shutil.which(tool), bin_dir / tool)
    os.symlink(os.path.realpath(sys.executable), bin_dir / "python3")
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n", encoding="utf-8")  # not root: hint only
    (bin_dir / "id").chmod(0o755)
    return subprocess.run(["bash", str(ROOT / "tests" / "run.sh")], env={"PATH": str(bin_dir)},
                          capture_output=True, text=True, timeout=60)


def test_without_node_and_npm_it_says_how_to_install_them(tmp_path: Path):
    result = run_script_with(tmp_path, ["chromium", "zip", "php", "pdftoppm"])
    assert result.returncode == 1
    assert result.stderr == ("tests/run.sh: missing nodejs npm; install them with: "
                             "sudo apt-get install nodejs npm\n")


def test_everything_missing_is_named_at_once(tmp_path: Path):
    result = run_script_with(tmp_path, [])
    assert result.returncode == 1
    assert result.stderr.startswith("tests/run.sh: missing chromium zip nodejs npm php-cli poppler-utils")
    assert len(result.stderr.splitlines()) == 1
