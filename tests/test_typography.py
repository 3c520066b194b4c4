"""How rendered Markdown reads: task-list boxes, table cells labelled for phones, French
non-breaking spaces."""

from __future__ import annotations

import dataclasses
import re

import pytest

from builder import markdown
from builder.loader import load_course
from builder.markdown import french_spacing
from builder.model import Markdown
from builder.render import SiteRenderer
from conftest import FLAGSHIP

CONTEXT = markdown.RenderContext(lambda path: path, lambda key: None, lambda diagram: "")


NARROW, NBSP = "\u202f", "\u00a0"


def render(source: str, french: bool = False) -> str:
    context = dataclasses.replace(CONTEXT, french=french)
    return markdown.render(Markdown(source, ""), context).replace("&nbsp;", NBSP)


def test_task_list_items_show_boxes():
    html = render("- [ ] à faire [x] ici\n- [x] fait\n- [X] fait aussi\n- [] pas une tâche\n")
    assert '<li class="task">☐\u00a0à faire [x] ici</li>' in html.replace("&nbsp;", "\u00a0")
    assert html.count("☑") == 2
    assert "<li>[] pas une tâche</li>" in html


def test_only_a_leading_box_of_a_list_item_is_a_task():
    assert "☐" not in render("[ ] pas dans une liste\n\n- texte [ ] au milieu\n")
    assert "☐" not in render("- `[ ] du code`\n")


def test_author_classes_stay_out():
    assert 'class="evil"' not in render('<ul><li class="evil">x</li></ul>\n')
    assert 'class=' not in render('<p class="task">x</p>\n')


def test_table_cells_carry_their_column_header():
    html = render("| **Outil** `x` | <b>Durée</b> \"min\" | |\n|---|---|---|\n| a | b | c |\n")
    assert '<td data-label="Outil x">a</td>' in html
    assert '<td data-label="Durée &quot;min&quot;">b</td>' in html
    assert "<td>c</td>" in html  # an empty header gives no label
    assert '<table tabindex="0" class="stack">' in html
    assert "evil" not in render('<table class="evil"><tr><td>x</td></tr></table>\n')


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>Quoi ? Oui ! Non ; ici : fin</p>",
     f"<p>Quoi{NARROW}? Oui{NARROW}! Non{NARROW}; ici{NBSP}: fin</p>"),
    ("<p>« Bonjour »</p>", f"<p>«{NBSP}Bonjour{NBSP}»</p>"),
    ("<p>Quoi\n?</p>", f"<p>Quoi{NARROW}?</p>"),  # a line break in the source is a space
    # Nothing to do: no space before the sign, or the space is already non-breaking.
    ("<p>À 9:30, voir https://exemple.fr/?q=1;x=2 Quoi?</p>",
     "<p>À 9:30, voir https://exemple.fr/?q=1;x=2 Quoi?</p>"),
    (f"<p>Déjà{NBSP}: bien{NARROW}?</p>", f"<p>Déjà{NBSP}: bien{NARROW}?</p>"),
    ("<p>&amp; ; &lt;b&gt; ?</p>", f"<p>&amp;{NARROW}; &lt;b&gt;{NARROW}?</p>"),
    # Code and attributes stay as written, text after them does not.
    ("<p><code>a ? b : c</code> ou <kbd>Ctrl :</kbd> ?</p>",
     f"<p><code>a ? b : c</code> ou <kbd>Ctrl :</kbd>{NARROW}?</p>"),
    ("<pre><code>x = a ? b : c\n</code></pre><p>Et ?</p>",
     f"<pre><code>x = a ? b : c\n</code></pre><p>Et{NARROW}?</p>"),
    ('<abbr title="plus > moins ? oui : non">PM ?</abbr>',
     f'<abbr title="plus > moins ? oui : non">PM{NARROW}?</abbr>'),
])
def test_french_spacing(html, expected):
    assert french_spacing(html) == expected
    assert french_spacing(expected) == expected


def test_texts_without_a_french_sign_are_left_as_they_are(monkeypatch):
    """french_text skips texts without FRENCH_SIGNS: it must change them no more than a pass
    of every FRENCH_SPACES pattern would, whatever the characters beside the spaces."""
    texts = [f"a{space}{chr(code)}{space}b" for code in range(0x21, 0x2100) for space in " \t\n"]
    texts += [f"« a{space}» ;{space}!" for space in " \t\n"]
    skipping = [markdown.french_text(text) for text in texts]
    monkeypatch.setattr(markdown, "FRENCH_SIGNS", re.compile(""))  # found in every text
    assert skipping == [markdown.french_text(text) for text in texts]
    assert sum(a != b for a, b in zip(skipping, texts)) > 10


def test_french_spacing_only_for_french_texts():
    source = "Pourquoi ? Voir `a ? b` et [le « site »](https://exemple.fr/?a=b \"Titre ?\").\n"
    french = render(source, french=True)
    assert f"Pourquoi{NARROW}?" in french and f"«{NBSP}site{NBSP}»" in french
    assert "<code>a ? b</code>" in french and 'title="Titre ?"' in french
    assert NARROW not in render(source) and NBSP not in render(source)


def test_french_spacing_in_table_labels():
    html = render("| Qui ? | « Quoi » |\n|---|---|\n| a | b |\n", french=True)
    assert f'<td data-label="Qui{NARROW}?">a</td>' in html
    assert f'<td data-label="«{NBSP}Quoi{NBSP}»">b</td>' in html
    assert 'data-label="Qui ?"' in render("| Qui ? |\n|---|\n| a |\n")


def test_french_courses_get_french_spacing():
    renderer = SiteRenderer(load_course(FLAGSHIP))
    assert renderer.course.language == "fr"
    html = str(renderer.markdown(Markdown("Une question ?", "")))
    assert html == f"<p>Une question{NARROW}?</p>\n"


def test_titles_from_the_yaml_get_french_spacing_in_every_output(course_dir, tmp_path):
    """Titles are plain texts, not Markdown: they get the same spacing wherever they are shown,
    except a discussion's title in the cartridge, which names the forum Moodle sync finds."""
    import html
    import zipfile

    from builder.exporters import get_exporter

    course_yaml = course_dir / "course.yaml"
    course_yaml.write_text(re.sub(r"(?m)^title: .*$", 'title: "Animer : une communauté"',
                                  course_yaml.read_text(encoding="utf-8")), encoding="utf-8")
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "title: Vos premières expériences", 'title: "« Vos » expériences ?"').replace(
        "title: Jour 1", 'title: "Jour 1 : découvrir"'), encoding="utf-8")
    course = load_course(course_dir)
    dist = tmp_path / "dist"
    for name in ("web", "scorm12", "scorm2004", "imscc", "moodlexml", "gift"):
        get_exporter(name).build(course, dist)
    course_title = f"Animer{NBSP}: une communauté"
    activity = f"Qu'est-ce qu'une communauté de pratique{NARROW}?"

    page = html.unescape((dist / "web" / "definition.html").read_text(encoding="utf-8"))
    assert f"<h1>{activity}</h1>" in page and f"<title>{activity} · {course_title}</title>" in page
    assert f"Jour 1{NBSP}: découvrir" in (dist / "web" / "index.html").read_text(encoding="utf-8")
    for package in dist.glob("*-scorm*.zip"):
        manifest = zipfile.ZipFile(package).read("imsmanifest.xml").decode()
        assert f"<title>{course_title}</title>" in manifest and "Animer :" not in manifest
    cartridge = zipfile.ZipFile(next(dist.glob("*.imscc")))
    manifest = cartridge.read("imsmanifest.xml").decode()
    assert f"<title>{activity}</title>" in manifest
    assert f"<title>Jour 1{NBSP}: découvrir</title>" in manifest
    assert "<title>« Vos » expériences ?</title>" in manifest  # the forum's name, as written
    assert f"<title>{activity}</title>" in html.unescape(cartridge.read("definition.html").decode())
    category = f"$course$/top/{course_title}/Jour 1{NBSP}: découvrir"
    assert category in next(dist.glob("*-questions.xml")).read_text(encoding="utf-8")
    assert category in next(dist.glob("*.gift.txt")).read_text(encoding="utf-8")


def test_several_prerequisites_are_a_list_not_a_semicolon_run(course_dir):
    """'a; B' reads wrong in French (no space before ';', a capital after it): one item each."""
    course_yaml = course_dir / "course.yaml"
    text = course_yaml.read_text(encoding="utf-8")
    course_yaml.write_text(re.sub(r"(?m)^prerequisites:\n", "prerequisites:\n  - Animer un groupe\n",
                                  text), encoding="utf-8")
    renderer = SiteRenderer(load_course(course_dir))
    home = renderer.render_page(renderer.site.pages[0])
    prerequisites = re.search(r"<dt>Prérequis</dt><dd>(.*?)</dd>", home)[1]
    assert prerequisites == "<ul><li>Animer un groupe</li><li>Aucun</li></ul>"
