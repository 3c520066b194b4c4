"""Hypothesis mutates the flagship course; the loader only ever fails with located problems.

2,000 examples in CI (four files x 500; fewer outside CI), each a copy of the flagship course with one part
of one YAML file replaced by something wrong: another type, a missing or misspelt key,
deep nesting, odd Unicode, a huge string, a broken reference or a hostile path.

CI does not shrink a failing example (Hypothesis may spend 5 minutes per test on it, and the
budget is 10 minutes for the whole suite): it prints the example and a `@reproduce_failure`
blob to shrink it locally, where fewer examples are run, shrinking included.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from builder.errors import CourseError, one_line
from builder.loader import load_course
from builder.model import Course
from conftest import FLAGSHIP

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
FILES = ["course.yaml", "days/jour-1.yaml", "days/jour-2.yaml", "glossary.yaml"]

odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40
) | st.sampled_from([
    "", " ", "\u202e\u0000", "é" * 3, "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\ufeff", "x" * 150_000, "O9", "jour-1",
    "../../../etc/passwd", "/etc/passwd", "..\\secret", "quizz", "09:61", "1h99", "-5",
    "<script>alert(1)</script>", "[@inconnu]", "![](../../outside.png)",
])
scalars = st.none() | st.booleans() | st.integers(-10**20, 10**20) | st.floats() | odd_text
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(odd_text | st.sampled_from(["id", "type", "include", "title"]), children,
                      max_size=4),
    max_leaves=12,
)
deep = st.integers(50, 250).map(lambda depth: _nest(depth))  # the dumper recurses too


def _nest(depth: int):
    value: object = "fond"
    for _ in range(depth):
        value = [value]
    return value


def _paths(tree, prefix=()):
    """Every place in a YAML tree: (path, container) pairs."""
    yield prefix
    if isinstance(tree, dict):
        for key, child in tree.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(tree, list):
        for index, child in enumerate(tree):
            yield from _paths(child, (*prefix, index))


def _mutate(tree, path, action, value):
    if not path:
        return value
    parent = tree
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if action == "replace":
        parent[last] = value
    elif action == "delete":
        del parent[last]
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{last}x" if isinstance(last, str) else value] = parent.pop(last)
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(parent[last])
    else:
        parent[last] = value
    return tree


@pytest.fixture(scope="module")
def originals():
    if not (FLAGSHIP / "course.yaml").is_file():
        pytest.skip("the flagship course is not in this checkout")
    return {name: yaml.safe_load((FLAGSHIP / name).read_text(encoding="utf-8")) for name in FILES}


@pytest.fixture(scope="module")
def workspace():
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "flagship"
        shutil.copytree(FLAGSHIP, target)
        yield target


def _check(workspace: Path, name: str, original, data) -> None:
    tree = copy.deepcopy(original)
    places = list(_paths(tree))
    path = data.draw(st.sampled_from(places), label="path")
    action = data.draw(st.sampled_from(["replace", "delete", "rename", "duplicate"]), label="action")
    value = data.draw(values | deep, label="value")
    mutated = _mutate(tree, path, action, value)
    target = workspace / name
    backup = target.read_bytes()
    try:
        target.write_text(yaml.dump(mutated, Dumper=DUMPER, allow_unicode=True, width=10**6),
                          encoding="utf-8")
        try:
            assert isinstance(load_course(workspace), Course)
        except CourseError as error:
            assert error.problems
            for problem in error.problems:
                assert problem.location.file, str(problem)
                assert one_line(str(problem)) == str(problem), "not one line: " + repr(str(problem))
    finally:
        target.write_bytes(backup)


# CI runs the full 2,000 examples without shrinking; a developer's run samples fewer, and shrinks.
IN_CI = bool(os.environ.get("CI"))
EXAMPLES_PER_FILE = 500 if IN_CI else 60
PHASES = [Phase.explicit, Phase.generate] if IN_CI else list(Phase)
FUZZ = settings(max_examples=EXAMPLES_PER_FILE, deadline=None, database=None, phases=PHASES,
                print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("name", FILES)
@FUZZ
@given(data=st.data())
def test_mutated_flagship_fails_only_with_located_problems(originals, workspace, name, data):
    _check(workspace, name, originals[name], data)


@settings(max_examples=200, deadline=None, database=None, phases=PHASES, print_blob=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(garbage=st.binary(max_size=2000))
def test_random_bytes_as_a_day_file(originals, workspace, garbage):
    target = workspace / "days" / "jour-1.yaml"
    backup = target.read_bytes()
    try:
        target.write_bytes(garbage)
        try:
            load_course(workspace)
        except CourseError as error:
            assert all(problem.location.file for problem in error.problems)
    finally:
        target.write_bytes(backup)
