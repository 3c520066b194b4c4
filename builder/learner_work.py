"""What a learner wrote and ticked, decoded from the CMI data an LMS keeps for our SCO.

The SCORM runtime (`_static/scorm.js`) stores reflections and checklists through SCORM so
that they follow the learner from one device to another and a trainer can read them in the
LMS (docs/scorm.md, "Learner work"):

- **Reflections, SCORM 2004**: one `cmi.comments_from_learner.n` per answered question, its
  `location` the question's key (`<activity-id>.<question number>`, from 1), its `comment`
  `{lang=<course language>}` and the escaped text. When several comments share a location,
  the last one holds the current text.
- **Reflections, SCORM 1.2**: `cmi.comments`, one record per line, `[<key>] <escaped text>`.
  Moodle appends whatever the SCO writes there (`datamodels/scorm_12.js`): there the runtime
  adds a record per changed answer, elsewhere it rewrites them all; either way the last
  record of a key holds its current text.
- **Checklists**, both versions: the levels in `cmi.suspend_data` (its fourth part), read
  only when the state was saved by this course's layout. A readable copy for trainers goes
  with the reflections, keyed by the checklist's id: each item's level, `; `-separated
  (`—` for none, `✓` for a ticked box); the decoder reads suspend_data, which is exact.

Escaping keeps one answer on one line and valid as a SCORM 2004 localized string: `\\` is
written `\\\\`, a line break `\\n`, and an opening brace `\\{`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from builder import model
from builder.exporters.scorm_map import course_map
from builder.exporters.scorm_progress import decode_checklist_levels
from builder.i18n import Interface
from builder.site import build_site

COMMENTS_12 = "cmi.comments"
COMMENTS_12_LIMIT = 4096  # a CMIString4096; Moodle appends to it, other LMSs replace it
COMMENT_2004_LIMIT = 4000  # characters of one comment_from_learner, after its {lang=..}
SUSPEND_DATA = "cmi.suspend_data"
# Moodle's tracks name 2004 collections with dots (`comments_from_learner.0.comment`);
# the run-time API's own notation (`.N0.`) and 1.2-style underscores are accepted too.
_COMMENT_2004 = re.compile(r"^cmi\.comments_from_learner[._]N?(\d+)\.(comment|location)$")
_RECORD_12 = re.compile(r"^\[([\w-]+(?:\.\d+)?)\] (.*)$")
_LANG_PREFIX = re.compile(r"^\{lang=[^}]*\}")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
TICKED, LEVEL_SEPARATOR = "✓", "; "  # in the readable copy of a checklist's levels


@dataclass
class ReflectionWork:
    activity: model.Reflection
    answers: list[str | None]  # one per question; None when nothing is stored for it

    @property
    def pairs(self) -> list[tuple[str, str | None]]:
        return list(zip(self.activity.questions, self.answers))


@dataclass
class ChecklistWork:
    activity: model.Checklist
    levels: list[int | None]  # one per item: the scale's index (1 = ticked box), None = not rated

    @property
    def pairs(self) -> list[tuple[str, str | None]]:
        """Each item's text with the level chosen (a tick box ticked: "✓"), None when none."""
        items = self.activity.items
        return [(item.text, self._label(level)) for item, level in zip(items, self.levels)]

    def _label(self, level: int | None) -> str | None:
        scale = self.activity.scale
        if scale:
            return scale[level] if level is not None and level < len(scale) else None
        return TICKED if level == 1 else None


def question_key(activity_id: str, question_index: int) -> str:
    """The location a reflection answer is stored under (question_index from 0)."""
    return f"{activity_id}.{question_index + 1}"


def scorm12_text_space(course: model.Course) -> tuple[int, int]:
    """(characters left for the answers in cmi.comments once every checklist's readable
    levels, at their longest, and every answer's label are written, number of reflection
    questions) in an LMS that replaces cmi.comments; records are separated by a line break."""
    labels = [
        len(f"[{question_key(reflection.id, i)}] ") + 1
        for reflection in course.activities_of(model.Reflection)
        for i in range(len(reflection.questions))
    ]
    checklists = [
        len(f"[{checklist.id}] ") + 1 + len(checklist.items) * (longest + len(LEVEL_SEPARATOR))
        - len(LEVEL_SEPARATOR)
        for checklist in course.activities_of(model.Checklist)
        for longest in [max(map(len, checklist.scale or [TICKED]))]
    ]
    return COMMENTS_12_LIMIT + 1 - sum(labels) - sum(checklists), len(labels)


def escape_text(text: str) -> str:
    text = text.replace("\\", "\\\\").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\\n").replace("{", "\\{")


def unescape_text(text: str) -> str:
    return _ESCAPED.sub(lambda match: "\n" if match[1] == "n" else match[1], text)


def learner_work(
    version: str, course: model.Course, tracks: Mapping[str, object], data: dict | None = None
) -> list[ReflectionWork | ChecklistWork]:
    """Every reflection and checklist of `course`, in course order, with what `tracks` holds.

    `version` is "scorm12" or "scorm2004"; `tracks` maps CMI elements to values, as Moodle's
    `mod_scorm_get_scorm_sco_tracks` lists them (`{element: value}` for the SCO's attempt);
    other elements are ignored. Nothing stored gives None answers and levels. `data` is the
    course map (`scorm_map.course_map`): a caller reading many learners builds it once and
    passes it; it is built here otherwise."""
    if version not in ("scorm12", "scorm2004"):
        raise ValueError(f"unknown SCORM version {version!r}; expected scorm12 or scorm2004")
    texts = _texts_2004(tracks) if version == "scorm2004" else _texts_12(tracks)
    if data is None:
        data = course_map(course, build_site(course, Interface(course.language).strings))
    levels = decode_checklist_levels(str(tracks.get(SUSPEND_DATA) or ""), data)
    work: list[ReflectionWork | ChecklistWork] = []
    for _, _, activity in course.activities():
        if isinstance(activity, model.Reflection):
            keys = [question_key(activity.id, i) for i in range(len(activity.questions))]
            work.append(ReflectionWork(activity, [texts.get(key) for key in keys]))
        elif isinstance(activity, model.Checklist):
            stored = levels.get(activity.id, [])
            work.append(ChecklistWork(activity, [
                stored[i] if i < len(stored) else None for i in range(len(activity.items))
            ]))
    return work


def _texts_12(tracks: Mapping[str, object]) -> dict[str, str]:
    texts = {}
    for line in str(tracks.get(COMMENTS_12) or "").split("\n"):
        record = _RECORD_12.match(line)
        if record:  # the last record of a key wins; lines of other tools are skipped
            texts[record[1]] = unescape_text(record[2])
    return texts


def _texts_2004(tracks: Mapping[str, object]) -> dict[str, str]:
    comments: dict[int, dict[str, str]] = {}
    for element, value in tracks.items():
        match = _COMMENT_2004.match(str(element))
        if match:
            comments.setdefault(int(match[1]), {})[match[2]] = str(value)
    texts = {}
    for index in sorted(comments):
        comment = comments[index]
        if "location" in comment:
            body = _LANG_PREFIX.sub("", comment.get("comment", ""), count=1)
            texts[comment["location"]] = unescape_text(body)
    return texts
