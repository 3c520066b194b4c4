"""A synthetic course N times the flagship's size: its days repeated with fresh ids and texts.

Each copy's texts differ from the original's (a line added to each), as a real course's do:
identical texts would be parsed and rendered once for all copies, and the benchmark would
measure a big course's Markdown at the price of a small one's."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ID_KEYS = ("id",)


def scaled_course(flagship: Path, target: Path, scale: int) -> Path:
    """Copy `flagship` to `target` with its days repeated `scale` times (ids suffixed)."""
    shutil.copytree(flagship, target)
    course_file = target / "course.yaml"
    course = yaml.safe_load(course_file.read_text(encoding="utf-8"))
    includes = [entry["include"] for entry in course["days"]]
    course["days"] = []
    for copy in range(scale):
        for include in includes:
            day = yaml.safe_load((target / include).read_text(encoding="utf-8"))
            if copy:
                day = _inline_yaml(day, (target / include).parent)
                _suffix_ids(day, f"-x{copy}")
                day = _distinct_texts(day, (target / include).parent, copy)
                day.pop("date", None)  # copies fall outside the session's dates
            name = include if not copy else include.replace(".yaml", f"-x{copy}.yaml")
            (target / name).write_text(yaml.safe_dump(day, allow_unicode=True), encoding="utf-8")
            course["days"].append({"include": name})
    course_file.write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")
    return target


def _inline_yaml(node, folder: Path):
    """The day with its included YAML files copied in (so their ids can be suffixed too)."""
    if isinstance(node, dict):
        if set(node) == {"include"} and node["include"].endswith((".yaml", ".yml")):
            path = folder / node["include"]
            return _inline_yaml(yaml.safe_load(path.read_text(encoding="utf-8")), path.parent)
        return {key: _inline_yaml(value, folder) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_yaml(item, folder) for item in node]
    return node


def _suffix_ids(node, suffix: str) -> None:
    """Suffix every `id` in a day (day, sequences, activities, questions), in place."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ID_KEYS and isinstance(value, str):
                node[key] = value + suffix
            else:
                _suffix_ids(value, suffix)
    elif isinstance(node, list):
        for item in node:
            _suffix_ids(item, suffix)


def _distinct_texts(node, folder: Path, copy: int):
    """The day with a line added to its texts of several lines and to its Markdown files
    (copied beside them), naming the copy."""
    mark = f"\nCopie {copy}.\n"
    if isinstance(node, dict):
        if set(node) == {"include"} and node["include"].endswith(".md"):
            original = Path(node["include"])
            copied = original.with_name(f"{original.stem}-x{copy}.md")
            text = (folder / original).read_text(encoding="utf-8")
            (folder / copied).write_text(text + mark, encoding="utf-8")
            return {"include": copied.as_posix()}
        return {key: _distinct_texts(value, folder, copy) for key, value in node.items()}
    if isinstance(node, list):
        return [_distinct_texts(item, folder, copy) for item in node]
    if isinstance(node, str) and "\n" in node.strip():
        return node + mark
    return node
