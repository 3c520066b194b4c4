"""A course whose every text field carries an injection payload, and checks that HTML is inert."""

from __future__ import annotations

from pathlib import Path

import yaml
from lxml import html

from builder.scaffold import create_course

PAYLOADS = [
    '<script>window.__pwned=1;alert(1)</script>',
    '<img src=x onerror="window.__pwned=2;alert(2)">',
    '<svg onload="window.__pwned=3;alert(3)"></svg>',
    '[clic](javascript:window.__pwned=4)',
    '<a href="javascript:window.__pwned=5">lien</a>',
    '" onmouseover="window.__pwned=6" x="',
    "' onfocus='window.__pwned=7' autofocus='",
    '<iframe srcdoc="<script>parent.__pwned=8</script>"></iframe>',
    '<details open ontoggle="window.__pwned=9">x</details>',
    '<style>body{display:none}</style><form action="javascript:alert(10)"><button>go</button></form>',
]


class Payloads:
    """Hands out `VISIBLE-n payload` strings, one per field, cycling through PAYLOADS."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> str:
        self.count += 1
        return f"VISIBLE-{self.count} {PAYLOADS[self.count % len(PAYLOADS)]}"


def hostile_course(folder: Path) -> Path:
    """The scaffold course with a payload in every text field it has."""
    create_course(folder)
    payload = Payloads()
    course_file = folder / "course.yaml"
    course = yaml.safe_load(course_file.read_text(encoding="utf-8"))
    for key in ("title", "organisation", "audience", "description", "methods", "evaluation"):
        course[key] = payload()
    course["subtitle"] = payload()
    course["prerequisites"] = [payload()]
    course["authors"] = [{"name": payload(), "role": payload()}]
    for objective in course["objectives"]:
        objective["text"] = payload()
    course["glossary"] = [{"term": payload(), "definition": payload()}]
    course["bibliography"][0].update(title=payload(), note=payload(), authors=[payload()])
    course_file.write_text(yaml.safe_dump(course, allow_unicode=True), encoding="utf-8")

    day_file = folder / "days" / "jour-1.yaml"
    day = yaml.safe_load(day_file.read_text(encoding="utf-8"))
    day["title"], day["summary"] = payload(), payload()
    day["breaks"][0]["title"] = payload()
    for sequence in day["sequences"]:
        sequence["title"], sequence["summary"] = payload(), payload()
        for activity in sequence["activities"]:
            _poison_activity(activity, payload)
    day_file.write_text(yaml.safe_dump(day, allow_unicode=True), encoding="utf-8")
    (folder / "pages" / "definition.md").write_text(
        "\n\n".join(payload() for _ in range(len(PAYLOADS))) + "\n", encoding="utf-8")
    return folder


def _poison_activity(activity: dict, payload: Payloads) -> None:
    activity["title"] = payload()
    for key in ("instructions", "deliverable", "prompt", "forum", "subject", "intro",
                "description", "debrief"):
        if key in activity or activity["type"] in ("workshop", "quiz", "discussion"):
            activity.setdefault(key, None)
            activity[key] = payload()
    if activity["type"] == "workshop":
        activity["materials"] = [payload()]
    for item in activity.get("items", []):
        item["text"] = payload()
    if "scale" in activity:
        activity["scale"] = [payload(), payload()]
    if activity["type"] == "quiz":
        activity["graded"] = False  # practice quizzes show every explanation at once
    for question in activity.get("questions", []):
        question["text"] = payload()
        question["feedback"] = {"correct": payload(), "incorrect": payload()}
        for choice in question.get("choices", []):
            choice["text"], choice["feedback"] = payload(), payload()
    _drop_keys_the_type_lacks(activity)


def _drop_keys_the_type_lacks(activity: dict) -> None:
    allowed = {
        "workshop": {"instructions", "deliverable", "debrief", "materials"},
        "quiz": {"intro"},
        "discussion": {"prompt", "forum", "subject"},
        "checklist": {"intro"},
        "resource": {"description"},
    }.get(activity["type"], set())
    for key in ("instructions", "deliverable", "prompt", "forum", "subject", "intro",
                "description", "debrief", "materials"):
        if key not in allowed:
            activity.pop(key, None)


def active_content(markup: str) -> list[str]:
    """Everything in an HTML document that could run a payload: each as a short description."""
    found = []
    document = html.fromstring(markup)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"<{element.tag} {name}=...>")
            if "javascript:" in value.replace(" ", "").lower():
                found.append(f"<{element.tag} {name}={value[:40]}>")
        if element.tag in ("iframe", "object", "embed", "style", "base", "meta") and \
                not (element.tag == "meta" and element.get("charset") or element.get("name")):
            found.append(f"<{element.tag}>")
        if element.tag == "form" and element.get("action") is not None:
            found.append("<form action=...>")
        if element.tag == "script" and "__pwned" in (element.text or "") and \
                element.get("type") != "application/json":
            found.append("<script> with a payload")
    return found
