"""Bad inputs: each gives a located, one-line problem (file, line, message)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.errors import CourseError
from builder.loader import load_course

DAY = "days/jour-1.yaml"
COURSE = "course.yaml"


def edit(folder: Path, relative: str, old: str, new: str) -> None:
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(folder: Path) -> list[str]:
    with pytest.raises(CourseError) as caught:
        load_course(folder)
    return [str(problem) for problem in caught.value.problems]


# (file to edit, old text, new text, expected file:line, expected message fragment)
BAD_INPUTS = [
    (DAY, "type: quiz", "type: quizz", f"{DAY}:21:",
     "days[0].sequences[0].activities[1].type: unknown activity type 'quizz' (did you mean 'quiz'?); expected one of: theory, example"),
    (DAY, "    title: Préparer le lancement", "    tittle: Préparer le lancement", f"{DAY}:41:",
     "days[0].sequences[1].tittle: unknown key 'tittle' (did you mean 'title'?)"),
    (DAY, "    title: Préparer le lancement\n", "", f"{DAY}:40:",
     "days[0].sequences[1].title: missing required key 'title'"),
    (DAY, "objectives: [O2]", "objectives: [O7]", f"{DAY}:44:",
     "days[0].sequences[1].objectives[0]: unknown objective 'O7'; expected one of: O1, O2"),
    (DAY, "grouping: small-groups", "grouping: small-group", f"{DAY}:50:",
     "unknown value 'small-group' (did you mean 'small-groups'?)"),
    (DAY, "id: atelier-objectifs", "id: definition", f"{DAY}:46:",
     "duplicate id 'definition' (first used at days/jour-1.yaml:15:"),
    (DAY, "id: atelier-objectifs", "id: 1atelier", f"{DAY}:46:",
     "invalid identifier '1atelier'; expected a letter then"),
    (DAY, 'start: "13:30"', 'start: "25:30"', f"{DAY}:42:",
     "invalid time '25:30'; expected HH:MM"),
    (DAY, "duration: 3h30\n    objectives: [O2]", "duration: trois heures\n    objectives: [O2]", f"{DAY}:43:",
     "invalid duration 'trois heures'; expected minutes like 45"),
    (DAY, 'start: "13:30"', 'start: "12:00"', f"{DAY}:42:",
     "starts at 12:00, before 'Découvrir les communautés de pratique' ends at 12:30"),
    (DAY, "duration: 3h30\n    objectives: [O2]", "duration: 4h30\n    objectives: [O2]", f"{DAY}:40:",
     "ends at 18:00, after the day's end at 17:00"),
    (DAY, 'start: "13:30"\n    duration: 3h30', 'start: "22:00"\n    duration: 4h', f"{DAY}:40:",
     "ends after midnight; a day's items must end by 23:59"),
    (DAY, "date: 2026-03-02", "date: 2026-02-30", f"{DAY}:3:",
     "invalid date '2026-02-30'; expected YYYY-MM-DD"),
    (DAY, "date: 2026-03-02", "date: 2026-04-02", f"{DAY}:3:",
     "2026-04-02 is outside every session"),
    (DAY, "              - {text: Le domaine, correct: true}", "              - {text: Le domaine}", f"{DAY}:29:",
     "0 choices marked correct; a 'single' question needs exactly one"),
    (DAY, "answer: false", "answer: peut-être", f"{DAY}:38:",
     "expected true or false, found 'peut-être'"),
    (DAY, "file: ../resources/grille.md", "file: ../resources/absente.md", f"{DAY}:71:",
     "file 'resources/absente.md' not found"),
    (DAY, "file: ../resources/grille.md", "file: ../../../etc/passwd", f"{DAY}:71:",
     "leaves the course folder"),
    (DAY, "file: ../resources/grille.md", "file: /etc/passwd", f"{DAY}:71:",
     "absolute path '/etc/passwd' is not allowed"),
    (DAY, "file: ../resources/grille.md", "file: ..\\resources\\grille.md", f"{DAY}:71:",
     "contains a backslash"),
    (DAY, "        file: ../resources/grille.md", "        url: https://example.org/grille\n        file: ../resources/grille.md", f"{DAY}:68:",
     "a resource needs exactly one of 'file' and 'url'"),
    (DAY, "body: {include: ../pages/definition.md}", "body: {include: ../pages/absente.md}", f"{DAY}:19:",
     "file 'pages/absente.md' not found"),
    (DAY, "questions:\n", "questions: !!python/object:os.system\n", f"{DAY}:23:",
     "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"),
    (DAY, "title: Jour 1", "title: [Jour 1", f"{DAY}:",
     "invalid YAML:"),
    (DAY, "scale: [Pas encore, En partie, Oui]", "scale: Oui", f"{DAY}:63:",
     "expected a list, found 'Oui'"),
    (DAY, "            answer: false", "            answer: false\n            points: 0", f"{DAY}:",
     "points must be above 0"),
    (COURSE, "language: fr", "language: de", f"{COURSE}:4:",
     "language: unknown value 'de'; expected one of: fr, en"),
    (COURSE, "version: 1.0.0", "version: un", f"{COURSE}:5:",
     "invalid version 'un'; expected MAJOR.MINOR.PATCH"),
    (COURSE, "passing_score: 70", "passing_score: 170", f"{COURSE}:24:",
     "170 is not a percentage"),
    (COURSE, "  - include: days/jour-1.yaml", "  - include: days/jour-9.yaml", f"{COURSE}:33:",
     "days[0].include: file 'days/jour-9.yaml' not found"),
    (COURSE, "régulièrement [@wenger1998]", "régulièrement [@wenger1999]", f"{COURSE}:37:",
     "citation '[@wenger1999]' names no bibliography entry (did you mean 'wenger1998'?)"),
    (COURSE, "  - term: Communauté de pratique", "  - term: Communauté de pratique\n    see_also: [Pratique]", f"{COURSE}:37:",
     "'Pratique' is not a glossary term"),
    (COURSE, "id: wenger1998\n    type: book", "id: wenger1998\n    type: livre", f"{COURSE}:41:",
     "unknown value 'livre'; expected one of: book, article"),
    (COURSE, "  - include: days/jour-1.yaml", "  - include: days/jour-1.yaml\n    title: Jour 1",
     f"{COURSE}:33:", "'include' must be the only key of its mapping"),
    (DAY, "file: ../resources/grille.md", "file: notes:grille.md", f"{DAY}:71:",
     "contains ':', which is not allowed in a file path"),
    (DAY, "file: ../resources/grille.md", "file: C:/grille.md", f"{DAY}:71:",
     "absolute path 'C:/grille.md' is not allowed"),
    (DAY, "title: Jour 1", "title: Jour 1\n\tbad: tab", f"{DAY}:3:",
     "YAML indents with spaces, not tabs"),
    (COURSE, "title: ", "title: x\ntitle: ", f"{COURSE}:4:",
     "duplicate key 'title'; keep only one"),
]


@pytest.mark.parametrize(("relative", "old", "new", "where", "message"), BAD_INPUTS,
                         ids=[f"{case[0]}:{case[4][:40]}" for case in BAD_INPUTS])
def test_bad_input_is_located(course_dir, relative, old, new, where, message):
    edit(course_dir, relative, old, new)
    found = problems(course_dir)
    assert any(p.startswith(where) and message in p for p in found), "\n".join(found)


def test_at_least_25_distinct_bad_inputs():
    assert len({case[4] for case in BAD_INPUTS}) >= 25


def test_every_problem_is_reported_in_one_run(course_dir):
    edit(course_dir, DAY, "type: quiz", "type: quizz")
    edit(course_dir, DAY, "grouping: small-groups", "grouping: solo")
    edit(course_dir, COURSE, "language: fr", "language: de")
    assert len(problems(course_dir)) == 3


def test_markdown_image_without_alt_and_missing(course_dir):
    page = course_dir / "pages" / "definition.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n![](images/absente.png)\n", encoding="utf-8")
    found = problems(course_dir)
    assert any(p.startswith("pages/definition.md:") and "has no text alternative" in p for p in found)
    assert any("file 'pages/images/absente.png' not found" in p for p in found)


def test_mermaid_without_alt(course_dir):
    edit(course_dir, "pages/definition.md", '```mermaid alt="Les trois dimensions d\'une communauté de pratique"', "```mermaid")
    found = problems(course_dir)
    assert any(p.startswith("pages/definition.md:8:") and "no text alternative" in p for p in found), found


def test_non_utf8_file(course_dir):
    (course_dir / DAY).write_bytes("id: jour-1\ntitle: Journ\xe9e\n".encode("latin-1"))
    found = problems(course_dir)
    assert any(p.startswith(f"{DAY}:2:") and "not valid UTF-8" in p for p in found), found


def test_markdown_resource_must_be_utf8(course_dir):
    (course_dir / "resources" / "grille.md").write_bytes("Grille remplie \xe0 la main".encode("latin-1"))
    found = problems(course_dir)
    assert any(p.startswith("resources/grille.md:1:") and "not valid UTF-8" in p for p in found), found


def test_empty_file(course_dir):
    (course_dir / DAY).write_text("# nothing yet\n", encoding="utf-8")
    assert any(p.startswith(DAY) and "has no YAML content" in p or "file is empty" in p
               for p in problems(course_dir))


def test_huge_file_is_refused_before_parsing(course_dir):
    (course_dir / DAY).write_text("#" * (3 * 1024 * 1024), encoding="utf-8")
    assert any("over the 2048 KiB limit" in p for p in problems(course_dir))


def test_alias_bomb_is_refused_fast(course_dir):
    """Aliases nest 60 copies at each of four levels: 13 million values if expanded."""
    copies = lambda name: "[" + ", ".join([f"*{name}"] * 60) + "]"  # noqa: E731
    anchors = (
        "x-anchors:\n"
        "  - &question {id: q, type: truefalse, text: T, answer: true}\n"
        f"  - &activity {{id: a, type: quiz, title: Q, questions: {copies('question')}}}\n"
        f"  - &sequence {{id: s, title: S, duration: 10, activities: {copies('activity')}}}\n"
        f"  - &day {{id: d, title: D, sequences: {copies('sequence')}}}\n"
    )
    text = (course_dir / COURSE).read_text(encoding="utf-8")
    text = text.replace("days:\n  - include: days/jour-1.yaml", f"days: {copies('day')}")
    (course_dir / COURSE).write_text(anchors + text, encoding="utf-8")
    found = problems(course_dir)
    assert any(p.startswith(f"{COURSE}:1:1:") and "aliases expand this file to over 200000 values" in p
               for p in found), found[:3]


@pytest.mark.parametrize("cycle", ["x-loop: &a [*a]", "licence: &l {a: *l}"])
def test_alias_that_contains_itself_is_refused(course_dir, cycle):
    course = course_dir / COURSE
    course.write_text(course.read_text(encoding="utf-8") + cycle + "\n", encoding="utf-8")
    found = problems(course_dir)
    assert any(p.startswith(f"{COURSE}:46:") and "refers to the value that contains it" in p
               for p in found), found


def test_overlap_with_a_long_earlier_sequence_is_reported(course_dir):
    """B sits inside A; C starts after B ends but still overlaps A."""
    day = course_dir / DAY
    text = day.read_text(encoding="utf-8").replace("    duration: 3h30\n    objectives: [O1]",
                                                   "    duration: 3h\n    objectives: [O1]")
    inner = ('  - id: seq-b\n    title: B\n    start: "09:30"\n    duration: 30\n'
             '    activities: [{id: b1, type: theory, title: B1, body: texte}]\n'
             '  - id: seq-c\n    title: C\n    start: "10:00"\n    duration: 60\n'
             '    activities: [{id: c1, type: theory, title: C1, body: texte}]\n')
    day.write_text(text.replace("  - id: lancer\n", inner + "  - id: lancer\n"), encoding="utf-8")
    found = problems(course_dir)
    assert any("days[0].sequences[2].start: starts at 10:00, before 'Découvrir les communautés "
               "de pratique' ends at 12:00" in p for p in found), found


def test_include_cycle(course_dir):
    (course_dir / "days" / "boucle.yaml").write_text("include: boucle.yaml\n", encoding="utf-8")
    edit(course_dir, COURSE, "  - include: days/jour-1.yaml", "  - include: days/boucle.yaml")
    assert any("includes itself" in p for p in problems(course_dir))


def test_symlink_out_of_the_course_is_refused(course_dir, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("secret", encoding="utf-8")
    os.symlink(outside, course_dir / "resources" / "lien.md")
    edit(course_dir, DAY, "file: ../resources/grille.md", "file: ../resources/lien.md")
    assert any(p.startswith(f"{DAY}:71:") and "symbolic link out of the course folder" in p
               for p in problems(course_dir))


@pytest.mark.parametrize("depth", [150, 1500, 5000])
def test_deep_nesting_is_refused_where_it_crosses_the_loader_limit(course_dir, depth):
    """Our limit, located at the 100th level, whatever depth libyaml itself refuses."""
    (course_dir / DAY).write_text("id: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    assert problems(course_dir) == [
        f"{DAY}:1:104: days[0].include: YAML nested too deeply; keep it under 100 levels",
    ]


def test_deep_block_nesting_is_refused_where_it_crosses_the_loader_limit(course_dir):
    lines = [" " * level + f"k{level}:" for level in range(1200)]
    (course_dir / DAY).write_text("\n".join(lines) + " fond\n", encoding="utf-8")
    assert problems(course_dir) == [
        f"{DAY}:101:101: days[0].include: YAML nested too deeply; keep it under 100 levels",
    ]


def test_missing_course_file(tmp_path):
    from builder.errors import UserError

    with pytest.raises(UserError, match="no course.yaml here"):
        load_course(tmp_path)


@pytest.mark.parametrize("key, shown", [
    ('"ti\\ntle"', "ti\\ntle"),
    ('"a\\tb\\0c"', "a\\tb\\x00c"),
    ('"\\u202etxt.exe"', "\\u202etxt.exe"),
    ('"x\\u2028y"', "x\\u2028y"),
])
def test_user_text_quoted_in_a_message_keeps_it_on_one_line(course_dir, key, shown):
    """Newlines, tabs, NUL and bidi controls in a key are written as escapes."""
    edit(course_dir, DAY, "title: Jour 1\n", f"title: Jour 1\n{key}: x\n")
    found = [p for p in problems(course_dir) if "unknown key" in p]
    assert found == [found[0]] and f"unknown key '{shown}'" in found[0]
    assert found[0].isprintable()


# YAML mistakes of authors writing French prose: located where the author must act.
YAML_MISTAKES = [
    (COURSE, 'title: "Cours d\'essai"', 'title: "Cours d\'essai',
     f'{COURSE}:3:8: invalid YAML: the text quoted with " here is not closed on its line: YAML reads '
     'on up to the next " (line 42); end the text with " on this line'),
    (DAY, "    title: Découvrir les communautés de pratique", "    title: 'Découvrir les communautés",
     f"{DAY}:10:12: days[0].include: invalid YAML: the text quoted with ' here is not closed on its line: "
     "YAML reads on up to the next ' (line 17); end the text with ' on this line"),
    (DAY, "scale: [Pas encore, En partie, Oui]", 'scale: [Pas encore, En partie, Oui]\n        note: "Pas fini',
     f'{DAY}:64:15: days[0].include: invalid YAML: the text quoted with " here is never closed; end it with "'),
    (DAY, "title: Jour 1", "title: Jour 1 : découvrir",
     f"{DAY}:2:15: days[0].include: invalid YAML: ': ' inside a text makes YAML read a second key; "
     'put the whole text in double quotes: title: "Jour 1 : découvrir"'),
    (DAY, "title: Jour 1", "title: 'L'animation'",
     f"{DAY}:2:10: days[0].include: invalid YAML: this ' ends the quoted text too early; inside '...' "
     "write an apostrophe as two ('') or quote the text with \" instead"),
    (DAY, "title: Jour 1", 'title: "Le "bon" jour"',
     f'{DAY}:2:12: days[0].include: invalid YAML: this " ends the quoted text too early; inside "..." '
     'write a quotation mark as \\" or use « » instead'),
    (COURSE, "  - Aucun", "  - Jour 1 : découvrir",
     f"{COURSE}:13:5: prerequisites[0]: expected text, found a mapping; a ': ' inside a text makes YAML "
     'read a key: quote the whole text: "Jour 1 : découvrir"'),
]


@pytest.mark.parametrize(("relative", "old", "new", "expected"), YAML_MISTAKES,
                         ids=[case[2][:30] for case in YAML_MISTAKES])
def test_yaml_mistake_is_explained_where_to_act(course_dir, relative, old, new, expected):
    edit(course_dir, relative, old, new)
    assert problems(course_dir) == [expected]


def test_hash_in_plain_prose_warns_to_quote_it(course_dir):
    edit(course_dir, DAY, "deliverable: Une liste de trois à cinq objectifs.",
         "deliverable: Une liste #3 objectifs.")
    edit(course_dir, DAY, "title: Jour 1", "title: Jour 1 # premier")
    edit(course_dir, COURSE, "organisation: Mon organisme de formation",
         "organisation: 'Mon organisme # 1'")  # quoted: no warning
    course = load_course(course_dir)
    assert [str(w) for w in course.source_warnings] == [
        f"{DAY}:2:15: days[0].title: ' #' starts a YAML comment, so the text stops at 'Jour 1'; "
        'quote the whole text: "Jour 1 # premier"',
        f"{DAY}:54:32: days[0].sequences[1].activities[0].deliverable: ' #' starts a YAML comment, "
        "so the text stops at 'Une liste'; quote the whole text: \"Une liste #3 objectifs.\", "
        "or write \\# for each #",
    ]


def test_comments_on_their_own_line_or_after_numbers_do_not_warn(course_dir):
    edit(course_dir, DAY, "duration: 30\n", "duration: 30  # minutes\n  # un commentaire\n")
    assert load_course(course_dir).source_warnings == []
