"""The web output: pages, programme, escaping, sanitising, assets, languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html

from builder.exporters import get_exporter
from builder.i18n import catalogue
from builder.loader import load_course


def build_web(folder: Path, dist: Path) -> Path:
    return get_exporter("web").build(load_course(folder), dist).output


def page(site: Path, name: str):
    return html.fromstring((site / name).read_bytes())


@pytest.fixture
def site(course_dir: Path, tmp_path: Path) -> Path:
    return build_web(course_dir, tmp_path / "dist")


def test_the_web_build_carries_no_lms_runtime(site: Path):
    assert sorted(p.name for p in (site / "_static").iterdir()) == [
        "course-pages.js", "course.css", "course.js"]


def test_one_page_per_activity_plus_home_glossary_bibliography(site: Path):
    names = sorted(p.name for p in site.glob("*.html"))
    assert names == sorted([
        "index.html", "definition.html", "quiz-definition.html", "atelier-objectifs.html",
        "echanges.html", "auto-evaluation.html", "grille.html", "glossaire.html",
        "bibliographie.html",
    ])


def test_home_shows_programme_with_timings(site: Path):
    home = page(site, "index.html")
    assert home.get("lang") == "fr"
    assert home.findtext(".//h1") == "Cours d'essai"
    slots = [" ".join(li.text_content().split()) for li in home.cssselect(".timetable > li")]
    assert slots[0].startswith("9 h 00 – 12 h 30 Découvrir les communautés de pratique")
    assert slots[1] == "12 h 30 – 13 h 30 Déjeuner"
    assert slots[2].startswith("13 h 30 – 17 h 00 Préparer le lancement")
    assert [li.text for li in home.cssselect(".objectives li")] == [
        "Définir ce qu'est une communauté de pratique", "Préparer le lancement d'une communauté"]
    facts = " ".join(home.cssselect(".facts")[0].text_content().split())
    assert "1 jour (7 heures)" in facts and "2 mars 2026, Lyon" in facts


def test_pause_within_a_sequence_is_shown_in_it(course_dir: Path, tmp_path: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        '  - {title: Déjeuner, start: "12:30", duration: 60}',
        '  - {title: Déjeuner, start: "12:30", duration: 60}\n'
        '  - {title: Pause, start: "10:30", duration: 15}'), encoding="utf-8")
    home = page(build_web(course_dir, tmp_path / "dist"), "index.html")
    first = home.cssselect(".timetable > li")[0]
    assert first.cssselect(".slot-pause")[0].text == "Pause 10 h 30 – 10 h 45"
    assert len(home.cssselect(".timetable > li")) == 3


def test_heading_hierarchy_has_one_h1_and_no_skips(site: Path):
    for path in site.glob("*.html"):
        levels = [int(h.tag[1]) for h in page(site, path.name).iter("h1", "h2", "h3", "h4", "h5", "h6")]
        assert levels.count(1) == 1, path.name
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (path.name, levels)


def test_navigation_previous_next_and_current_page(site: Path):
    quiz = page(site, "quiz-definition.html")
    assert quiz.cssselect("a[rel=prev]")[0].get("href") == "definition.html"
    assert quiz.cssselect("a[rel=next]")[0].get("href") == "atelier-objectifs.html"
    assert quiz.cssselect('.toc a[aria-current="page"]')[0].get("href") == "quiz-definition.html"


def test_citations_link_to_the_bibliography_in_apa(site: Path):
    glossary = page(site, "glossaire.html")
    link = glossary.cssselect('a[href="bibliographie.html#wenger1998"]')[0]
    assert link.text == "Wenger, 1998"
    entry = page(site, "bibliographie.html").get_element_by_id("wenger1998")
    assert " ".join(entry.text_content().split()) == (
        "Wenger, E. (1998). Communities of practice: Learning, meaning, and identity. "
        "Cambridge University Press.")


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_images_are_packaged_with_their_text_alternative(course_dir: Path, tmp_path: Path):
    (course_dir / "pages" / "images").mkdir()
    (course_dir / "pages" / "images" / "cercle.png").write_bytes(PNG)
    text = course_dir / "pages" / "definition.md"
    text.write_text(text.read_text(encoding="utf-8") + "\n![Le cercle des membres](images/cercle.png)\n",
                    encoding="utf-8")
    site = build_web(course_dir, tmp_path / "dist")
    image = page(site, "definition.html").cssselect("main img")[0]
    assert (image.get("src"), image.get("alt")) == ("assets/pages/images/cercle.png",
                                                    "Le cercle des membres")
    assert (site / "assets" / "pages" / "images" / "cercle.png").read_bytes() == PNG


def test_markdown_resource_becomes_a_printable_page(site: Path):
    resource = page(site, "grille.html")
    assert resource.cssselect("a.button")[0].get("href") == "assets/resources/grille.html"
    document = page(site, "assets/resources/grille.html")
    assert document.findtext(".//h1") == "Grille de préparation"
    assert document.cssselect("link")[0].get("href") == "../../_static/course.css"
    assert document.cssselect("table th")[0].text == "Question"


def test_quiz_answer_key_is_json_safe_in_script(course_dir: Path, tmp_path: Path):
    day = course_dir / "days" / "jour-1.yaml"
    day.write_text(day.read_text(encoding="utf-8").replace(
        "correct: Oui, le domaine est ce qui réunit les membres.",
        "correct: \"</script><script>alert(1)</script>\""), encoding="utf-8")
    site = build_web(course_dir, tmp_path / "dist")
    text = (site / "quiz-definition.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text
    assert text.count("</script>") == text.count("<script")


def test_hostile_markdown_is_inert(course_dir: Path, tmp_path: Path):
    (course_dir / "pages" / "definition.md").write_text(
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2) alt=x>\n\n"
        "[lien](javascript:alert(3)) <a href=\"javascript:alert(4)\">a</a>\n\n"
        "<svg onload=alert(5)></svg> <iframe src=\"https://example.org\"></iframe>\n\n"
        "<p style=\"background:url(javascript:alert(6))\" onclick=\"alert(7)\">texte visible</p>\n",
        encoding="utf-8")
    site = build_web(course_dir, tmp_path / "dist")
    main = page(site, "definition.html").cssselect("main .prose")[0]
    markup = html.tostring(main, encoding="unicode")
    for needle in ("<script", "onerror", "<svg", "<iframe", "onclick", "style="):
        assert needle not in markup, needle
    for element in main.iter():
        assert not any("javascript:" in value for value in element.attrib.values())
    assert "texte visible" in main.text_content()


def test_english_interface(course_dir: Path, tmp_path: Path):
    course = course_dir / "course.yaml"
    course.write_text(course.read_text(encoding="utf-8").replace("language: fr", "language: en"),
                      encoding="utf-8")
    site = build_web(course_dir, tmp_path / "dist")
    home = page(site, "index.html")
    assert home.get("lang") == "en"
    assert home.cssselect(".skip-link")[0].text == "Skip to content"
    assert "March 2, 2026, Lyon" in home.cssselect(".facts")[0].text_content()
    assert "9:00 – 12:30" in home.cssselect(".timetable")[0].text_content()
    assert (site / "glossary.html").is_file() and (site / "bibliography.html").is_file()
    meta = " ".join(page(site, "definition.html").cssselect(".activity-meta")[0].text_content().split())
    assert meta == "Theory Expected time: 30 min"


def test_french_typography_keeps_colons_with_their_words(site: Path):
    meta = page(site, "definition.html").cssselect(".activity-meta")[0].text_content()
    assert "Durée indicative\u00a0: 30 min" in meta


def test_catalogues_have_the_same_keys():
    french, english = catalogue("fr"), catalogue("en")
    assert french.keys() == english.keys()
    for key, value in french.items():
        if isinstance(value, dict):
            assert value.keys() == english[key].keys(), key


def test_format_reference_is_in_step_with_the_model():
    from builder.reference import generated

    document = (Path(__file__).parent.parent / "docs" / "course-format.md").read_text(encoding="utf-8")
    assert generated() in document, "run: python -m builder.reference docs/course-format.md"


def test_french_dates_write_the_first_of_the_month_as_an_ordinal():
    import datetime as dt

    from builder.i18n import Interface

    assert Interface("fr").date(dt.date(2026, 3, 1)) == "1er mars 2026"
    assert Interface("fr").date_range(dt.date(2026, 3, 1), dt.date(2026, 3, 2)) == "1er et 2 mars 2026"
    assert Interface("en").date(dt.date(2026, 3, 1)) == "March 1, 2026"
