"""The flagship's layout in Chromium at phone width: readable diagrams, quiz legends inside
their box, printable documents with room to write, tables that fit, graded choices that stay
visible, a compact progress notice."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from builder.exporters import get_exporter
from builder.i18n import Interface
from builder.loader import load_course
from builder.render import SiteRenderer
from conftest import FLAGSHIP

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 800}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return get_exporter("web").build(load_course(FLAGSHIP), tmp_path_factory.mktemp("web")).output


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def pages_with(site, marker: str) -> list[str]:
    found = sorted(p.name for p in site.glob("*.html") if marker in p.read_text(encoding="utf-8"))
    assert found, f"no page of the flagship has {marker}"
    return found


def sideways_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_diagram_text_stays_readable_on_a_phone(site, phone, serve_folder):
    base = serve_folder(site)
    axe = Axe()
    for name in pages_with(site, 'class="diagram"'):
        phone.goto(base + name)
        smallest = phone.evaluate("""() => Math.min(...[...document.querySelectorAll(
            'figure.diagram svg')].flatMap(svg => {
              const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
              return [...svg.querySelectorAll('[font-size]')].map(
                element => scale * parseFloat(element.getAttribute('font-size')));
            }))""")
        assert smallest >= 11, f"{name}: diagram text renders at {smallest:.1f}px"
        assert sideways_overflow(phone) <= 0, f"{name} scrolls sideways"
        result = axe.run(phone, options=WCAG)
        assert result.response["violations"] == [], f"{name}: {result.generate_report()}"


def test_question_legends_sit_inside_their_box_on_a_phone(site, phone, serve_folder):
    base = serve_folder(site)
    for name in pages_with(site, "<legend"):
        phone.goto(base + name)
        crossing = phone.evaluate("""() => [...document.querySelectorAll('fieldset')].filter(
            fieldset => {
              const legend = fieldset.querySelector(':scope > legend');
              const border = parseFloat(getComputedStyle(fieldset).borderTopWidth);
              return legend.getBoundingClientRect().top
                < fieldset.getBoundingClientRect().top + border;
            }).map(fieldset => fieldset.id || fieldset.className)""")
        assert crossing == [], f"{name}: legends across the top border of {crossing}"


def test_printed_documents_leave_room_to_write(site, page, serve_folder):
    base = serve_folder(site)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.goto(base + "assets/resources/modele-charte.html")
    back = page.locator(".document-back a")
    assert back.is_visible()
    back.click()
    assert page.url == base + "index.html"
    page.go_back()
    page.emulate_media(media="print")
    assert not back.is_visible()
    layout = page.evaluate("""() => ({
        narrowAnswers: [...document.querySelectorAll('table')].filter(table => {
          const cell = table.querySelector('tbody tr > :last-child:not(:first-child)');
          return cell && cell.offsetWidth < 0.4 * table.offsetWidth - 1;
        }).length,
        lowestEmptyCell: Math.min(...[...document.querySelectorAll('td:empty')].map(
          cell => cell.offsetHeight / parseFloat(getComputedStyle(cell).fontSize))),
        visibleEmptyHeaders: [...document.querySelectorAll('thead')].filter(
          head => head.textContent.trim() === '' && head.offsetHeight > 0).length,
        boxes: [...document.querySelectorAll('li.task')].map(item => item.textContent[0]),
      })""")
    assert layout["narrowAnswers"] == 0
    assert layout["lowestEmptyCell"] >= 2.5
    assert layout["visibleEmptyHeaders"] == 0
    assert layout["boxes"] and set(layout["boxes"]) <= {"☐", "☑"}
    assert page.pdf()[:4] == b"%PDF"


def test_tables_become_labelled_cards_on_a_phone(site, phone, serve_folder):
    base = serve_folder(site)
    documents = [str(path.relative_to(site)) for path in (site / "assets").rglob("*.html")]
    for name in pages_with(site, "<table") + documents:
        phone.goto(base + name)
        assert sideways_overflow(phone) <= 0, f"{name} scrolls sideways"
        tables = phone.evaluate("""() => [...document.querySelectorAll('main table')].map(
            table => ({scrolls: table.scrollWidth > table.clientWidth,
                       unlabelled: [...table.tBodies[0].querySelectorAll('td')].filter(cell => {
                         const header = table.tHead.rows[0].cells[cell.cellIndex];
                         const label = getComputedStyle(cell, '::before').content;
                         return header.textContent.trim()
                           && label !== JSON.stringify(header.textContent.trim());
                       }).length}))""")
        for table in tables:
            assert not table["scrolls"], f"{name}: a table scrolls sideways"
            assert table["unlabelled"] == 0, f"{name}: cells without their column's header"
        assert phone.evaluate("""() => [...document.querySelectorAll('main table')].every(
            table => getComputedStyle(table.querySelector('tbody tr')).display === 'block')"""), name
    roles = {node["role"]["value"] for node in phone.context.new_cdp_session(phone).send(
        "Accessibility.getFullAXTree")["nodes"] if "role" in node}
    assert {"table", "columnheader", "cell"} <= roles, "the cards lost their table semantics"


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two opaque computed colours ('rgb(r, g, b)')."""
    def luminance(colour: str) -> float:
        assert colour.startswith("rgb("), f"{colour} is not opaque"
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1 : -1].split(",")[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_graded_choices_stay_visible(site, phone, serve_folder):
    phone.goto(serve_folder(site) + "j2-quiz.html")
    for question in phone.locator("fieldset.question").all():  # every question answered
        for choice in question.locator("input[type=radio], input[type=checkbox]").all()[:1]:
            choice.check()
        for select in question.locator("select").all():
            select.select_option(index=1)
        for field in question.locator("input[type=text]").all():
            field.fill("réponse")
    phone.click("form.quiz button[type=submit]")
    phone.wait_for_selector("input:disabled")
    inputs = phone.evaluate("""() => [...document.querySelectorAll(
        'input[type=radio]:disabled, input[type=checkbox]:disabled')].map(input => {
          const style = getComputedStyle(input);
          return {checked: input.checked, background: style.backgroundColor,
                  border: style.borderTopColor, label: getComputedStyle(input.closest('label')).color,
                  weight: getComputedStyle(input.closest('label')).fontWeight};
        })""")
    assert {i["checked"] for i in inputs} == {True, False}
    white = "rgb(255, 255, 255)"
    for state in inputs:
        shown = state["background"] if state["checked"] else state["border"]
        assert contrast(shown, white) >= 3, state
        assert contrast(state["label"], white) >= 4.5, state
        assert (int(state["weight"]) >= 600) == state["checked"], state


def test_web_progress_notice_is_a_compact_information(site, phone, serve_folder):
    ui = Interface("fr")
    phone.goto(serve_folder(site) + "index.html")
    notice = phone.locator("#tracking-notice")
    notice.wait_for(state="visible")
    assert notice.inner_text() == ui("web_progress_notice")
    line = float(notice.evaluate("n => parseFloat(getComputedStyle(n).lineHeight)"))
    assert notice.bounding_box()["height"] <= 2 * line + 8  # two lines at most on a phone
    scorm = SiteRenderer(load_course(FLAGSHIP)).site_files("scorm12")
    assert ui("standalone_notice") in scorm["index.html"].decode()
