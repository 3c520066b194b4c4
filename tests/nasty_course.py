"""A second day for the scaffold course: every question type, every kind of resource, and
texts full of characters that GIFT, XML and HTML treat specially."""

from __future__ import annotations

from pathlib import Path

import yaml

NASTY = "Accolades {x}, égal = tilde ~ dièse # deux-points : barre \\ <script>alert(1)</script> & \"guillemets\" 'apostrophe' 🎉 àéîõüç"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)

QUESTIONS = [
    {
        "id": "q-single", "type": "single", "points": 2,
        "text": f"**Première ligne** {NASTY}\n\n// pas un commentaire\n\n- liste\n- ->\n",
        "choices": [
            {"text": f"Bonne {NASTY}", "correct": True, "feedback": "Oui {=~#:}"},
            {"text": "[html] mauvaise -> réponse", "feedback": "Non \\n ni \\\\"},
            {"text": "%50% pas un poids"},
        ],
        "feedback": {"correct": "Bravo & *merci*", "incorrect": "Relisez : la page {1}."},
    },
    {
        "id": "q-multiple", "type": "multiple", "points": 1.5,
        "text": "Cochez les bonnes réponses #1",
        "choices": [
            {"text": "A = vrai", "correct": True, "feedback": "A ~ oui"},
            {"text": "B : vrai", "correct": True},
            {"text": "C } faux", "feedback": "C # non"},
        ],
        "feedback": {"correct": "Tout juste", "incorrect": "Pas tout à fait : A et B"},
    },
    {
        "id": "q-vrai", "type": "truefalse", "answer": True,
        "text": "Le \\ reste un \\ ; et :: ne nomme rien",
        "feedback": {"correct": "Vrai {ok}", "incorrect": "C'est vrai = juste"},
    },
    {
        "id": "q-paires", "type": "matching",
        "text": "Associez les symboles",
        "pairs": [
            {"prompt": "accolade { -> flèche", "match": "ouvre = {"},
            {"prompt": "tilde ~", "match": "vague -> ~"},
            {"prompt": "dièse #", "match": "croisillon : #"},
        ],
        "feedback": {"correct": "Parfait", "incorrect": "Revoyez les symboles"},
    },
    {
        "id": "q-courte", "type": "short", "case_sensitive": True,
        "text": "Écrivez le symbole étoile ou C#",
        "answers": ["*", "C#", "a = b ~ c : d {e}", "[x] crochet"],
        "feedback": {"correct": "Exact 🎉", "incorrect": "Réponse : *"},
    },
]  # fmt: skip

DAY = {
    "id": "jour-2",
    "title": "Jour 2 / après-midi : symboles",
    "start": "09:00",
    "end": "17:00",
    "sequences": [{
        "id": "pieges",
        "title": "Pièges",
        "start": "09:00",
        "duration": "3h",
        "activities": [
            {"id": "theorie-image", "type": "theory", "title": "Une image",
             "body": "Voici ![Schéma {1}](../images/schema.png) & <b>gras</b>."},
            {"id": "debat", "type": "discussion", "title": f"Débat {NASTY}",
             "prompt": "Regardez ![schéma](../images/schema.png) puis répondez : {ok} ?"},
            {"id": "quiz-piege", "type": "quiz", "title": "Quiz piège", "attempts": 7,
             "passing_score": 90, "intro": "Lisez bien **tout**.", "questions": QUESTIONS},
            {"id": "fiche-decrite", "type": "resource", "title": "Fiche PDF",
             "description": "À imprimer.", "file": "../resources/fiche.pdf"},
            {"id": "fiche-nue", "type": "resource", "title": "Fiche brute", "file": "../resources/fiche.pdf"},
            {"id": "lien-decrit", "type": "resource", "title": "Site décrit",
             "description": "Un site utile.", "url": "https://example.org/a?b=1&c=2"},
            {"id": "lien-nu", "type": "resource", "title": "Site nu", "url": "https://example.org/"},
        ],
    }],
}  # fmt: skip


def add_nasty_day(course: Path) -> None:
    """Adds the day, its image and its PDF to a `coursebridge new` course."""
    (course / "images").mkdir()
    (course / "images" / "schema.png").write_bytes(PNG)
    (course / "resources" / "fiche.pdf").write_bytes(b"%PDF-1.4\n% fiche\n")
    (course / "days" / "jour-2.yaml").write_text(
        yaml.safe_dump(DAY, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    course_file = course / "course.yaml"
    text = course_file.read_text(encoding="utf-8")
    course_file.write_text(
        text.replace(
            "  - include: days/jour-1.yaml\n",
            "  - include: days/jour-1.yaml\n  - include: days/jour-2.yaml\n",
        ).replace("days: 1\n", "days: 2\n"),
        encoding="utf-8",
    )
