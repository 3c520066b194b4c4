"""Hypothesis mutates the flagship course; the loader only ever fails with located problems.

2,000 examples in CI (four files x 500; fewer outside CI), each a copy of the course with one part
of one YAML file replaced by something wrong: another type, a missing or misspelt key,
deep nesting, odd Unicode, a huge string, a broken reference or a hostile path.

The course fuzzed is the flagship with its days cut to the sequences, activities and questions
that fill a model field no one kept before them fills (`CourseCut`): every kind of activity,
question, trainer material, include and Markdown text the flagship has, loaded through the same
code, in 16 of its 51 activities and 6 of its 40 questions. A test checks that it loads without
a problem and fills every (class, field) the flagship fills, so a key the flagship starts to use
reaches the fuzzer too.
Each example costs a third of what a whole flagship did (0.035 s of CPU against 0.11), and the
draws go to distinct shapes rather than to the flagship's repetitions of the same ones.

CI does not shrink a failing example (Hypothesis may spend 5 minutes per test on it, and the
budget is 10 minutes for the whole suite): it prints the example and a `@reproduce_failure`
blob to shrink it locally, where fewer examples are run, shrinking included.
"""

from __future__ import annotations

import copy
import dataclasses
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
from builder import model
from builder.model import Course
from conftest import FLAGSHIP

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
DAY_FILES = ["days/jour-1.yaml", "days/jour-2.yaml"]  # in the order course.yaml lists them
FILES = ["course.yaml", *DAY_FILES, "glossary.yaml"]

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


def shapes(value, found: set | None = None) -> set:
    """Every (class, field) a loaded value fills, at any depth, and each activity's type."""
    found = set() if found is None else found
    if dataclasses.is_dataclass(value):
        for spec in dataclasses.fields(value):
            child = getattr(value, spec.name)
            if child not in (None, "", [], {}):
                found.add((type(value).__name__, spec.name))
                shapes(child, found)
        if isinstance(value, model.Activity):
            found.add((type(value).__name__, "type", value.type))
    elif isinstance(value, (list, tuple)):
        for child in value:
            shapes(child, found)
    return found


class CourseCut:
    """The flagship's days cut to the sequences, activities and questions that fill something no
    one kept before them fills (each day keeps a sequence at least, each sequence an activity,
    each quiz a question).
    `files`: the YAML trees cut, by path in the course (the days, the question files they include)."""

    def __init__(self, trees: dict[str, object], course: model.Course):
        self.files: dict[str, object] = {}
        self.seen: set = set()
        self.questions_seen: set = set()
        for name, day in zip(DAY_FILES, course.days, strict=True):
            assert trees[name]["id"] == day.id, f"{name} is not day {day.id}"
            self.files[name] = self._day(trees[name], day, Path(name).parent)

    def _day(self, tree: dict, day: model.Day, folder: Path) -> dict:
        sequences = []
        for sequence_tree, sequence in zip(tree["sequences"], day.sequences, strict=True):
            activities = [
                self._questions(activity_tree, activity, folder) if isinstance(activity, model.Quiz) else activity_tree
                for activity_tree, activity in zip(sequence_tree["activities"], sequence.activities, strict=True)
                if self._new(activity, self.seen)
            ]
            if activities or self._new(dataclasses.replace(sequence, activities=[]), self.seen) or not sequences:
                sequences.append({**sequence_tree, "activities": activities or sequence_tree["activities"][:1]})
        return {**tree, "sequences": sequences}

    def _questions(self, tree: dict, quiz: model.Quiz, folder: Path) -> dict:
        questions = tree["questions"]
        included = questions.get("include") if isinstance(questions, dict) else None
        if included:
            relative = (folder / included).as_posix()
            questions = yaml.safe_load((FLAGSHIP / relative).read_text(encoding="utf-8"))
        kept = [item for item, question in zip(questions, quiz.questions, strict=True)
                if self._new(question, self.questions_seen)] or questions[:1]
        if included:
            self.files[relative] = kept
            return tree
        return {**tree, "questions": kept}

    @staticmethod
    def _new(value, seen: set) -> bool:
        """Whether `value` fills something `seen` lacks; `seen` then holds it too."""
        found = shapes(value)
        if found <= seen:
            return False
        seen.update(found)
        return True


@pytest.fixture(scope="module")
def cut():
    if not (FLAGSHIP / "course.yaml").is_file():
        pytest.skip("the flagship course is not in this checkout")
    trees = {name: yaml.safe_load((FLAGSHIP / name).read_text(encoding="utf-8")) for name in FILES}
    return CourseCut(trees, load_course(FLAGSHIP)), trees


@pytest.fixture(scope="module")
def originals(cut):
    """The YAML trees of FILES in the course fuzzed."""
    course_cut, trees = cut
    return {**trees, **{name: tree for name, tree in course_cut.files.items() if name in FILES}}


@pytest.fixture(scope="module")
def workspace(cut):
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "fuzzed"
        shutil.copytree(FLAGSHIP, target)
        for name, tree in cut[0].files.items():
            (target / name).write_text(_dump(tree), encoding="utf-8")
        yield target


def test_the_course_fuzzed_is_valid_and_fills_every_field_the_flagship_fills(workspace):
    assert shapes(load_course(workspace)) == shapes(load_course(FLAGSHIP))


def _dump(tree) -> str:
    return yaml.dump(tree, Dumper=DUMPER, allow_unicode=True, width=10**6)


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
        target.write_text(_dump(mutated), encoding="utf-8")
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
