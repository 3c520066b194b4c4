"""The trainer's guide and the participant workbook: PDF text checked against the course, no
answer and no trainer material in the workbook, nothing outside the page, same bytes twice."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree, html
from pypdf import PdfReader

from builder import model
from builder.exporters import get_exporter
from builder.exporters.guide import materials_to_prepare
from builder.i18n import Interface
from builder.loader import load_course
from builder.markdown import RenderContext, render
from builder.pdf import html_to_pdf
from conftest import COURSES, FLAGSHIP
from trainer_course import trainer_course

PRINTED = ["guide", "workbook"]
MM = 72 / 25.4  # PDF points per millimetre
SIDE_MARGIN = 18 * MM  # print.css: @page margin
BLOCKS = {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
NESTED = BLOCKS | {"ul", "ol", "table", "div", "figure"}


def fingerprint(text: str) -> str:
    """Letters and digits only, lower case: immune to line breaks, hyphenation, spacing."""
    return re.sub(r"[^0-9a-zà-öø-ÿœ]", "", text.lower())


def pdf_fingerprint(path: Path) -> str:
    """The PDF's text as poppler extracts it (pdftotext: pypdf is ten times slower)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          check=True).stdout.decode()
    return fingerprint(text)


def _plain(text: model.Markdown | None) -> str:
    context = RenderContext(lambda path: path, lambda key: None, lambda diagram: "")
    return render(text, context)


def block_texts(text: model.Markdown | str | None) -> list[str]:
    """Each paragraph, list item or cell of rendered Markdown, without what is nested in it:
    the PDF prints list numbers and page furniture between blocks, never inside one."""
    if isinstance(text, str):
        text = model.Markdown(text)
    markup = _plain(text)
    if not markup.strip():
        return []
    tree = html.fromstring(f"<div>{markup}</div>")
    texts = []
    for element in tree.iter(*BLOCKS):
        own = [element.text or ""]
        for child in element:
            if child.tag not in NESTED:
                own.append("".join(child.itertext()))
            own.append(child.tail or "")
        texts.append(re.sub(r"\[@[\w-]+\]", "", "".join(own)))
    return [t for t in texts if fingerprint(t)]


def missing(texts: list[str], document: str) -> list[str]:
    return [text for text in texts if fingerprint(text) not in document]


@pytest.fixture(scope="module", params=COURSES, ids=lambda folder: folder.name)
def built(request, tmp_path_factory):
    course = load_course(request.param)
    dist = tmp_path_factory.mktemp("print")
    results = {name: get_exporter(name).build(course, dist) for name in PRINTED}
    return course, results


@pytest.fixture(scope="module")
def texts(built) -> dict[str, str]:
    """Each document's PDF text as a fingerprint, extracted once."""
    _, results = built
    return {name: pdf_fingerprint(_pdf(result)) for name, result in results.items()}


def _pdf(result) -> Path:
    [pdf] = result.output.glob("*.pdf")
    return pdf


def test_both_build_without_warning_into_a_pdf_and_its_html(built):
    course, results = built
    for name, result in results.items():
        assert result.warnings == []
        assert sorted(p.name for p in result.output.iterdir()) == [
            f"{course.id}-{name}.html", f"{course.id}-{name}.pdf", "print.css"]


def test_guide_has_every_sequence_activity_instruction_and_trainer_text(built, texts):
    course, _ = built
    guide = texts["guide"]
    expected = [day.title for day in course.days]
    for day in course.days:
        for sequence in day.sequences:
            expected += [sequence.title, *_trainer_texts(sequence.trainer)]
    for _, _, activity in course.activities():
        expected += [activity.title, *_trainer_texts(activity.trainer)]
        if isinstance(activity, model.Exercise):
            expected += block_texts(activity.instructions)
        if isinstance(activity, model.Discussion):
            expected += block_texts(activity.prompt)
    assert missing(expected, guide) == []


def test_guide_has_every_quiz_answer_and_feedback(built, texts):
    course, _ = built
    guide = texts["guide"]
    ui = Interface(course.language)
    expected = [text for question in _questions(course) for text in _answers(question, ui)]
    expected += _quiz_texts(course)
    assert expected and missing(expected, guide) == []


def test_workbook_has_the_programme_the_work_and_the_tools(built, texts):
    course, _ = built
    workbook = texts["workbook"]
    expected = [o.text for o in course.objectives]
    expected += [s.title for d in course.days for s in d.sequences]
    for _, _, activity in course.activities():
        if isinstance(activity, model.Exercise):
            expected += [activity.title, *block_texts(activity.instructions)]
        elif isinstance(activity, model.Reflection):
            expected += activity.questions
        elif isinstance(activity, model.Checklist):
            expected += [item.text for item in activity.items]
        elif isinstance(activity, model.Discussion):
            expected += block_texts(activity.prompt)
        elif isinstance(activity, model.Resource) and activity.file:
            expected += block_texts((course.root / activity.file).read_text(encoding="utf-8"))
    expected += [entry.term for entry in course.glossary]
    expected += [work.title for work in course.bibliography]
    assert missing(expected, workbook) == []


def test_workbook_has_no_answer_and_no_trainer_text(built, texts):
    course, _ = built
    workbook = texts["workbook"]
    secret = _quiz_texts(course)
    owners = [course, *(s for d in course.days for s in d.sequences)]
    owners += [activity for _, _, activity in course.activities()]
    for owner in owners:
        secret += _trainer_texts(owner.trainer)
    distinctive = [text for text in secret if len(fingerprint(text)) >= 40]
    assert distinctive
    assert [text for text in distinctive if fingerprint(text) in workbook] == []


def test_no_text_runs_outside_the_page_margins(built):
    _, results = built
    for name, result in results.items():
        assert _words_outside_margins(_pdf(result)) == [], name


def test_the_print_html_is_the_document_the_pdf_was_made_from(built):
    course, results = built
    for name, result in results.items():
        [page] = result.output.glob("*.html")
        tree = html.fromstring(page.read_bytes())
        assert tree.get("lang") == course.language
        [stylesheet] = [link.get("href") for link in tree.iter("link")]
        assert "@page" in (result.output / stylesheet).read_text(encoding="utf-8")
        assert _links_to_nothing(tree) == [], name


def test_the_timetable_links_only_to_the_sequences_the_document_prints(course_dir, tmp_path):
    course = load_course(course_dir)  # its first sequence: a theory page and a quiz
    output = get_exporter("workbook").build(course, tmp_path).output
    tree = html.fromstring((output / f"{course.id}-workbook.html").read_bytes())
    assert _links_to_nothing(tree) == []
    assert course.days[0].sequences[0].title in tree.find_class("timetable")[0].text_content()


def _links_to_nothing(tree) -> list[str]:
    anchors = {element.get("id") for element in tree.iter() if element.get("id")}
    links = {a.get("href")[1:] for a in tree.iter("a") if a.get("href", "").startswith("#")}
    return sorted(links - anchors)


def test_trainer_material_is_all_in_the_guide(tmp_path):
    markers = trainer_course(tmp_path / "cours")
    guide = get_exporter("guide").build(load_course(tmp_path / "cours"), tmp_path / "dist")
    assert missing(markers, pdf_fingerprint(_pdf(guide))) == []  # the workbook: see
    # test_trainer_material.py, which checks every learner output


def test_same_sources_same_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768348800")
    trainer_course(tmp_path / "cours")
    course = load_course(tmp_path / "cours")
    for name in PRINTED:
        first = get_exporter(name).build(course, tmp_path / "one").output
        second = get_exporter(name).build(course, tmp_path / "two").output
        for path in sorted(first.iterdir()):
            assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_sequence_run_times_activities_around_the_pauses():
    day = model.Day(id="j", title="J", start=model.dt.time(9, 0), sequences=[
        model.Sequence(id="s", title="S", duration=model.Minutes(120), activities=[
            model.Theory(id="a", type="theory", title="A", body=model.Markdown("a"),
                         duration=model.Minutes(40)),
            model.Resource(id="r", type="resource", title="R", url=model.Url("https://x.org")),
            model.Theory(id="b", type="theory", title="B", body=model.Markdown("b"),
                         duration=model.Minutes(30)),
            model.Theory(id="c", type="theory", title="C", body=model.Markdown("c"),
                         duration=model.Minutes(35)),
        ])],
        breaks=[model.Break(title="Pause", start=model.dt.time(10, 0), duration=model.Minutes(15))])
    [slot] = model.day_schedule(day)
    rows = [(row.activity.id if row.activity else row.pause.title,
             row.start and f"{row.start:%H:%M}", row.end and f"{row.end:%H:%M}")
            for row in model.sequence_run(slot)]
    assert rows == [("a", "09:00", "09:40"), ("r", None, None),
                    ("b", "09:40", "10:25"),  # interrupted by the pause, so 15 minutes later
                    ("Pause", "10:00", "10:15"), ("c", "10:25", "11:00")]


def _trainer_texts(trainer: model.TrainerMaterial | None) -> list[str]:
    if not trainer:
        return []
    texts = [*trainer.materials, *trainer.debrief, trainer.room or "", trainer.groups or ""]
    for markdown in (trainer.notes, trainer.instructions, trainer.expected):
        texts += block_texts(markdown)
    for row in trainer.grid:
        texts.append(row.criterion)
        indicators = row.indicators if isinstance(row.indicators, list) else [row.indicators]
        texts += [text for indicator in indicators for text in block_texts(indicator)]
    return [text for text in texts if text]


def _questions(course: model.Course) -> list[model.Question]:
    return [question for quiz in course.activities_of(model.Quiz) for question in quiz.questions]


def _quiz_texts(course: model.Course) -> list[str]:
    """Every question's text and every feedback it gives (its choices' too)."""
    texts = []
    for question in _questions(course):
        texts += block_texts(question.text)
        texts += block_texts(question.feedback.correct) + block_texts(question.feedback.incorrect)
        texts += [text for choice in getattr(question, "choices", [])
                  for text in block_texts(choice.feedback)]
    return texts


def _answers(question: model.Question, ui: Interface) -> list[str]:
    """The choices (right and wrong: the guide marks each) or the right answers."""
    if isinstance(question, (model.SingleChoice, model.MultipleChoice)):
        return [choice.text for choice in question.choices]
    if isinstance(question, model.Matching):
        return [f"{pair.prompt} {pair.match}" for pair in question.pairs]
    if isinstance(question, model.ShortAnswer):
        return list(question.answers)
    return [ui("right_answer") + ui("answer_true" if question.answer else "answer_false")]


def _words_outside_margins(pdf: Path) -> list[tuple[int, str]]:
    """Words poppler finds left of the left margin or right of the right one (1 pt slack)."""
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           check=True).stdout
    tree = etree.fromstring(boxes, etree.XMLParser(recover=True))
    outside = []
    for number, page in enumerate(tree.iter("{*}page"), 1):
        width = float(page.get("width"))
        for word in page.iter("{*}word"):
            if (float(word.get("xMin")) < SIDE_MARGIN - 1
                    or float(word.get("xMax")) > width - SIDE_MARGIN + 1):
                outside.append((number, word.text))
    return outside


def test_materials_to_prepare_are_listed_once_with_every_use():
    course = load_course(FLAGSHIP)
    needs = materials_to_prepare(course, "toute la session")
    items = [need.item for need in needs]
    assert len(items) == len(set(items))
    named = {item for _, _, activity in course.activities()
             for item in getattr(activity, "materials", [])}
    assert named <= set(items)
    assert any(len(need.uses) >= 2 for need in needs)  # e.g. felt pens: one line, each use
    assert needs[0].uses == ["toute la session"]  # the course's own list comes first


def test_images_and_course_documents_resolve_inside_the_printed_output(course_dir, tmp_path):
    (course_dir / "pages" / "schema.png").write_bytes(_PNG)
    day_file = course_dir / "days" / "jour-1.yaml"
    day_file.write_text(day_file.read_text(encoding="utf-8").replace(
        "          2. Il en écrit les objectifs stratégiques et opérationnels.\n",
        "          2. Il en écrit les objectifs stratégiques et opérationnels.\n\n"
        "          ![Un schéma des objectifs](../pages/schema.png)\n\n"
        "          Aidez-vous de [la grille](../resources/grille.md).\n"), encoding="utf-8")
    output = get_exporter("workbook").build(load_course(course_dir), tmp_path).output
    [page] = output.glob("*.html")
    tree = html.fromstring(page.read_bytes())
    [image] = tree.iter("img")
    assert (output / image.get("src")).read_bytes() == _PNG
    [link] = [a for a in tree.iter("a") if a.text == "la grille"]
    assert tree.get_element_by_id(link.get("href")[1:]) is not None  # the grille, printed
    pages = subprocess.run(["pdfimages", "-list", str(page.with_suffix(".pdf"))],
                           capture_output=True, text=True, check=True).stdout
    assert len(pages.splitlines()) == 3  # a header, a rule, the image


def test_a_link_to_a_course_file_stays_relative_in_the_pdf(course_dir, tmp_path):
    (course_dir / "resources" / "fiche.txt").write_text("À imprimer.", encoding="utf-8")
    day_file = course_dir / "days" / "jour-1.yaml"
    day_file.write_text(day_file.read_text(encoding="utf-8").replace(
        "          2. Il en écrit les objectifs stratégiques et opérationnels.\n",
        "          2. Il en écrit les objectifs stratégiques et opérationnels.\n\n"
        "          Voir [la fiche](../resources/fiche.txt).\n"), encoding="utf-8")
    course = load_course(course_dir)
    one, two = (get_exporter("workbook").build(course, tmp_path / name).output / f"{course.id}-workbook.pdf"
                for name in ("one", "two"))  # fmt: skip
    assert one.read_bytes() == two.read_bytes()  # the scratch folder it was made in is not in it
    uris = [annotation.get_object()["/A"]["/URI"] for page in PdfReader(one).pages
            for annotation in page.get("/Annots", []) if "/A" in annotation.get_object()]  # fmt: skip
    assert uris == ["assets/resources/fiche.txt"]
    assert (one.parent / uris[0]).read_text(encoding="utf-8") == "À imprimer."


def test_a_cached_pdf_is_a_clean_builds_and_what_the_document_prints_lays_it_out_again(
        course_dir, tmp_path, monkeypatch):  # fmt: skip
    import builder.printed
    from builder.cli.build import build

    layouts = []
    monkeypatch.setattr(builder.printed, "html_to_pdf", lambda html, base_url: layouts.append(
        html) or html_to_pdf(html, base_url))  # fmt: skip

    def layouts_of_a_cached_build() -> int:
        layouts.clear()
        build(course_dir, tmp_path / "dist", ["guide"], cached=True)
        return len(layouts)

    def edit(path: str, old: str, new: str) -> None:
        source = course_dir / path
        source.write_text(source.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    assert layouts_of_a_cached_build() == 1
    edit("pages/definition.md", "communauté", "communauté apprenante")  # a page the guide omits
    assert layouts_of_a_cached_build() == 0
    [clean] = build(course_dir, tmp_path / "clean", ["guide"], cached=False)[1]
    for path in sorted(clean.iterdir()):
        assert path.read_bytes() == (tmp_path / "dist" / "guide" / path.name).read_bytes(), path.name
    (course_dir / "pages" / "schema.png").write_bytes(_PNG)
    edit("days/jour-1.yaml", "          2. Il en écrit les objectifs stratégiques et opérationnels.\n",
         "          2. Il en écrit les objectifs stratégiques et opérationnels.\n\n"
         "          ![Un schéma](../pages/schema.png)\n")  # fmt: skip
    assert layouts_of_a_cached_build() == 1
    (course_dir / "pages" / "schema.png").write_bytes(_PNG.replace(b"IEND", b"IEND\0"))
    assert layouts_of_a_cached_build() == 1  # the image it shows changed
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1768348800")
    assert layouts_of_a_cached_build() == 1  # another creation date
    assert len(list((tmp_path / "dist" / ".coursebridge-cache").rglob("*.pdf"))) == 1  # the last
    [kept] = (tmp_path / "dist" / ".coursebridge-cache").rglob("*.pdf")
    kept.write_bytes(kept.read_bytes()[:-100])  # damaged: a disk full, a copy cut short
    assert layouts_of_a_cached_build() == 1
    [pdf] = (tmp_path / "dist" / "guide").glob("*.pdf")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")


# `coursebridge ARGUMENTS` in a fresh process (it forks only without other threads, and an
# earlier test may have left one in this one), WeasyPrint's calls going through `lay_out`.
BUILD_WITH = """
import os, sys, time
from pathlib import Path
import builder.printed
from builder.cli import main
from builder.errors import UserError
from builder.pdf import html_to_pdf
{lay_out}
builder.printed.html_to_pdf = lay_out
main(sys.argv[1:])
"""


def _build_with(lay_out: str, *arguments: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BUILD_WITH.format(lay_out=lay_out), *arguments],
                          capture_output=True, text=True, env={**os.environ, **environment})  # fmt: skip


def test_both_documents_are_laid_out_at_once_each_in_its_own_process_with_the_same_bytes(
        course_dir, tmp_path):  # fmt: skip
    from builder.cli.build import build

    started = tmp_path / "started"
    together = _build_with("""
def lay_out(html, base_url):
    started = Path(os.environ["STARTED"])
    with started.open("a") as pids:
        pids.write(f"{os.getpid()}\\n")
    deadline = time.monotonic() + 60  # one after the other, the first would wait in vain
    while len(started.read_text().split()) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    return html_to_pdf(html, base_url)
""", "build", str(course_dir), "-o", str(tmp_path / "together"), "-f", "workbook", "-f", "guide",
        "--no-cache", STARTED=str(started))  # fmt: skip
    assert together.returncode == 0, together.stderr
    assert len(set(started.read_text().split())) == 2
    assert together.stdout.splitlines() == [f"{name:10} {tmp_path / 'together' / name}"
                                            for name in ("workbook", "guide")]  # fmt: skip
    for name in ("guide", "workbook"):
        alone = build(course_dir, tmp_path / "alone", [name], cached=False)[1][0]
        for path in sorted(alone.iterdir()):
            assert path.read_bytes() == (tmp_path / "together" / name / path.name).read_bytes()


def test_a_document_that_fails_in_its_process_fails_the_build_and_stops_the_other(
        course_dir, tmp_path):  # fmt: skip
    waiting = tmp_path / "waiting"
    failed = _build_with("""
def lay_out(html, base_url):
    if "guide" in str(base_url):
        raise UserError("cannot write PDF files: no engine")
    Path(os.environ["WAITING"]).write_text(str(os.getpid()))
    time.sleep(600)  # the workbook's, until the build stops it
    Path(os.environ["WAITING"]).write_text("finished")
""", "build", str(course_dir), "-o", str(tmp_path / "dist"), "-f", "guide", "-f", "workbook",
        WAITING=str(waiting))  # fmt: skip
    assert (failed.returncode, failed.stderr) == (1, "error: cannot write PDF files: no engine\n")
    assert list((tmp_path / "dist").iterdir()) == []  # no output, and no scratch folder left
    if waiting.exists():  # the workbook had begun: it was stopped, not waited for nor left
        assert _gone(int(waiting.read_text()))


def _gone(pid: int) -> bool:
    """Whether a process has ended (or is a zombie no parent reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    except FileNotFoundError:
        return True


# A 2 x 2 red PNG.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73000000164944415478da"
    "633cc1c0c0c0c0c0c4c0c0c0c0c000000a5200cc52fbe90b0000000049454e44ae426082"
)
