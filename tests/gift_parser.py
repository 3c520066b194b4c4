"""A GIFT reader for the tests, ported from Moodle's importer (question/format/gift/format.php,
readquestions() and readquestion()) step by step, quirks included, so that what it reads
is what Moodle would import. Only the question types coursebridge writes are handled."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
FORMATS = ("moodle", "html", "plain", "markdown")
ESCAPED = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;", "\\}": "&&125;",
           "\\~": "&&126;", "\\n": "&&010"}  # fmt: skip
CHARACTERS = {":": "&&058;", "#": "&&035;", "=": "&&061;", "{": "&&123;", "}": "&&125;", "~": "&&126;",
              "\n": "&&010"}  # fmt: skip


@dataclass
class Text:
    text: str
    format: str


@dataclass
class Answer:
    text: Text
    fraction: float
    feedback: Text


@dataclass
class Question:
    category: str
    qtype: str
    name: str = ""
    idnumber: str = ""
    text: Text = field(default_factory=lambda: Text("", "moodle"))
    general_feedback: Text = field(default_factory=lambda: Text("", "moodle"))
    single: bool = True
    answers: list[Answer] = field(default_factory=list)
    true_answer: bool | None = None
    feedback_true: Text | None = None
    feedback_false: Text | None = None
    subquestions: list[tuple[Text, str]] = field(default_factory=list)


class GiftError(ValueError):
    pass


def parse(content: str) -> list[Question]:
    """Questions are blocks separated by blank lines; `$CATEGORY:` blocks switch category."""
    questions, category, block = [], "", []
    for line in [*content.split("\n"), ""]:
        line = line.strip()
        if line:
            block.append(line)
        elif block:
            question = read_question(block, category)
            if question and question.qtype == "category":
                category = question.category
            elif question:
                questions.append(question)
            block = []
    return questions


def escaped_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for sequence, placeholder in ESCAPED.items():
        text = text.replace(sequence, placeholder)
    return text.replace("&&092;", "\\")


def escaped_post(text: str) -> str:
    for character, placeholder in CHARACTERS.items():
        text = text.replace(placeholder, character)
    return text


def with_format(text: str, default: str = "moodle") -> Text:
    result = Text(text, default)
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in FORMATS:
            result = Text(text[end + 1 :], text[1:end])
    result.text = escaped_post(result.text).strip()
    return result


def comment(answer: str, default: str) -> tuple[Text, Text]:
    bits = answer.split("#", 1)
    feedback = with_format(bits[1].strip(), default) if len(bits) > 1 else Text("", default)
    return with_format(bits[0].strip(), default), feedback


def weight(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.index("%")
    return float(answer[:end]) / 100, answer[end + 1 :]


def read_question(lines: list[str], category: str) -> Question | None:
    comments = "\n".join(line for line in lines if line.startswith("//"))
    text = "\n".join(" " if line.startswith("//") else line for line in lines).strip()
    if not text:
        return None
    text = escaped_pre(text)
    if text.startswith("$CATEGORY:"):
        return Question(category=text[10:].strip(), qtype="category")
    question = Question(category=category, qtype="")
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end < 0:
            raise GiftError(f"unterminated name in {text!r}")
        question.name = escaped_post(text[:end]).strip()
        text = text[end + 2 :].strip()
    start, finish = text.find("{"), text.find("}")
    if start < 0 or finish < 0:
        raise GiftError(f"no answer braces in {text!r}")
    answertext = text[start + 1 : finish].strip()
    questiontext = (
        text[:start] + text[finish + 1 :]
        if text.endswith("}")
        else text[:start] + "_____" + text[finish + 1 :]
    )
    separator = answertext.rfind("####")
    general = ""
    if separator >= 0:
        general, answertext = answertext[separator + 4 :], answertext[:separator].strip()
    question.text = with_format(questiontext)
    question.general_feedback = with_format(general, question.text.format)
    match = re.search(r"\[id:((?:\\]|[^\]\x00-\x1f])+)]", comments)
    question.idnumber = match[1].replace("\\]", "]").strip() if match else ""
    default = question.text.format
    if "~" in answertext:
        read_multichoice(question, answertext, default)
    elif "=" in answertext and "->" in answertext:
        read_matching(question, answertext, default)
    elif true_false_check(answertext) in ("T", "TRUE", "F", "FALSE"):
        read_true_false(question, answertext, default)
    else:
        read_short_answer(question, answertext, default)
    return question


def true_false_check(answertext: str) -> str:
    position = answertext.find("#")
    return answertext[:position].strip() if position > 0 else answertext


def answers_of(answertext: str, separator: str) -> list[str]:
    answers = answertext.split(separator)
    if not answers[0].strip():
        answers = answers[1:]
    return answers


def read_multichoice(question: Question, answertext: str, default: str) -> None:
    question.qtype = "multichoice"
    question.single = "=" in answertext
    for answer in answers_of(answertext.replace("=", "~="), "~"):
        answer = answer.strip()
        if answer.startswith("="):
            fraction, answer = 1.0, answer[1:]
        elif WEIGHT.match(answer):
            fraction, answer = weight(answer)
        else:
            fraction = 0.0
        text, feedback = comment(answer, default)
        question.answers.append(Answer(text, fraction, feedback))


def read_matching(question: Question, answertext: str, default: str) -> None:
    question.qtype = "match"
    for answer in answers_of(answertext, "="):
        answer = answer.strip()
        marker = answer.index("->")
        question.subquestions.append(
            (with_format(answer[:marker], default), escaped_post(answer[marker + 2 :]).strip())
        )


def read_true_false(question: Question, answertext: str, default: str) -> None:
    question.qtype = "truefalse"
    bits = answertext.split("#", 2)
    wrong = with_format(bits[1].strip(), default) if len(bits) > 1 else Text("", default)
    right = with_format(bits[2].strip(), default) if len(bits) > 2 else Text("", default)
    question.true_answer = with_format(bits[0].strip(), default).text in ("T", "TRUE")
    question.feedback_true, question.feedback_false = (
        (right, wrong) if question.true_answer else (wrong, right)
    )


def read_short_answer(question: Question, answertext: str, default: str) -> None:
    question.qtype = "shortanswer"
    for answer in answers_of(answertext, "="):
        answer = answer.strip()
        fraction = 1.0
        if WEIGHT.match(answer):
            fraction, answer = weight(answer)
        text, feedback = comment(answer, default)
        question.answers.append(Answer(text, fraction, feedback))
