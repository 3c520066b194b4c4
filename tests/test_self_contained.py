"""The test suite carries its own data: no test reads the reference folder beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import OUTSIDE_REFERENCES, ROOT, ReadsOutsideReference


@pytest.mark.parametrize("read", [
    lambda folder: open(folder / "README.md", encoding="utf-8"),
    lambda folder: (folder / "README.md").read_text(encoding="utf-8"),
    os.listdir,
    lambda folder: list(folder.glob("*.json")),
])
@pytest.mark.parametrize("reference", OUTSIDE_REFERENCES[:2])
def test_reading_the_shared_folder_fails_the_test(read, reference):
    with pytest.raises(ReadsOutsideReference, match="copy the data into tests/"):
        read(Path(reference) / "moodle-golden")


def test_the_recordings_replayed_are_in_the_repository():
    golden = ROOT / "tests" / "moodle_golden"
    assert (golden / "README.md").is_file()
    for folder in (golden, golden / "wsmanager", golden / "extra", golden / "imscc"):
        requests = sorted(folder.glob("*.request.txt"))
        assert requests, folder
        for request in requests:
            assert request.with_name(request.name.replace(".request.txt", ".json")).is_file()
