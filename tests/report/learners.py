"""What our SCORM package stores in Moodle for a learner, written as the runtime writes it.

`scorm_elements` gives the CMI elements of one attempt in the names Moodle keeps them under
(SCORM 1.2 `cmi.interactions_N.*`, 2004 `cmi.interactions.N.*`, as in tests/moodle_golden/report/).
Its suspend_data follows docs/scorm.md with answers left out (the runtime's "detail 0", which
it writes when space runs short); the decoder is checked against real runtime output elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from builder.exporters.scorm_map import _base36

B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Given:
    quiz: str
    question: str
    type: str  # choice, true-false, matching, fill-in
    response: str  # in SCORM 1.2 notation: "a,b", "t", "a.b,b.a", text
    correct: bool


def suspend_data(course_map: dict, visited: list[int], quizzes: dict[str, tuple[int, int]], checklists: dict[str, str] | None = None) -> str:
    """`quizzes`: quiz id -> (attempts, score %) for the quizzes submitted; `checklists`: id -> levels ("1-1")."""
    values = [0] * (max(visited) // 6 + 1 if visited else 0)
    for index in visited:
        values[index // 6] |= 1 << index % 6
    bits = "".join(B64[value] for value in values).rstrip("A")
    entries = []
    for quiz in course_map["quizzes"]:
        attempts, score = quizzes.get(quiz["id"], (0, 0))
        entries.append(f"{B36[attempts]}{_base36(score).rjust(2, '0')}" if attempts else "")
    levels = ";".join((checklists or {}).get(checklist["id"], "") for checklist in course_map["checklists"])
    return f"1{course_map['layout']}|{bits}|{';'.join(entries)}|{levels}"


def scorm_elements(version: str, state: str, status: str, score: float | None, total_time: str, answers: list[Given] = ()) -> dict[str, str]:
    """The elements of one attempt; `status` is 1.2's lesson_status, or for 2004 `completion/success`."""
    elements = {"cmi.suspend_data": state}
    v12 = version == "1.2"
    if v12:
        elements.update({"cmi.core.lesson_status": status, "cmi.core.total_time": total_time, "cmi.core.exit": "suspend"})
    else:
        completion, _, success = status.partition("/")
        elements.update({"cmi.completion_status": completion, "cmi.total_time": total_time, "cmi.exit": "suspend"})
        if success:
            elements["cmi.success_status"] = success
    if score is not None:
        prefix = "cmi.core.score." if v12 else "cmi.score."
        elements.update({prefix + "raw": f"{score:g}", prefix + "min": "0", prefix + "max": "100"})
        if not v12:
            elements["cmi.score.scaled"] = f"{score / 100:g}"
    for index, given in enumerate(answers):
        prefix = f"cmi.interactions_{index}." if v12 else f"cmi.interactions.{index}."
        response = given.response if v12 else _response_2004(given)
        elements.update({
            prefix + "id": f"{given.quiz}--{given.question}",
            prefix + "type": given.type,
            prefix + ("student_response" if v12 else "learner_response"): response,
            prefix + "result": "correct" if given.correct else "wrong" if v12 else "incorrect",
            prefix + "weighting": "1",
            prefix + "latency": "0000:00:30.00" if v12 else "PT30S",
        })
    return elements


def _response_2004(given: Given) -> str:
    if given.type == "true-false":
        return "true" if given.response == "t" else "false"
    if given.type in ("choice", "matching"):
        return given.response.replace(".", "[.]").replace(",", "[,]")
    return given.response
