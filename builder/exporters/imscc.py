"""`imscc`: an IMS Common Cartridge 1.1 that Moodle restores as a whole course.

How Moodle's importer (backup/cc/cc112moodle.php) reads it decides the layout, see
docs/imscc.md: the top items of the organisation become sections 0, 1, 2... (the first is
"General"), so there is a presentation item, then one item per day, each holding its
activities. HTML webcontent becomes a Page (its body inlined, the files it names copied
along), other webcontent a File, imsdt topics forums, imswl links URLs, QTI assessments
quizzes. Moodle copies only non-HTML files, so pages never link to one another.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from functools import partial

from lxml import etree

from builder import markdown, model
from builder.build_cache import fingerprint
from builder.errors import UserError
from builder.exporters.base import Exporter, FormatNote
from builder.exporters.qti import AssessmentWriter
from builder.exporters.questions import QuestionRenderer, outside_citation
from builder.html_text import plain_text
from builder.packaging import write_zip
from builder.render import ASSETS_FOLDER, MARKDOWN_DOCUMENTS, STATIC_FOLDER, THEME, SiteRenderer

CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
DT = "http://www.imsglobal.org/xsd/imsccv1p1/imsdt_v1p1"
WL = "http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PROFILE = "http://www.imsglobal.org/profile/cc/ccv1p1"
SCHEMA_LOCATIONS = {
    CP: f"{CP} {PROFILE}/ccv1p1_imscp_v1p2_v1p0.xsd {LOM} {PROFILE}/LOM/ccv1p1_lommanifest_v1p0.xsd",
    DT: f"{DT} {PROFILE}/ccv1p1_imsdt_v1p1.xsd",
    WL: f"{WL} {PROFILE}/ccv1p1_imswl_v1p1.xsd",
}

WEBCONTENT = "webcontent"
DISCUSSION = "imsdt_xmlv1p1"
WEBLINK = "imswl_xmlv1p1"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
LEARNING_APPLICATIONS = (DISCUSSION, WEBLINK, ASSESSMENT)

# Activity ids start with a letter and have no dot, so these names never collide with theirs.
PRESENTATION_PAGE = "_presentation.html"
GLOSSARY_PAGE = "_glossary.html"
BIBLIOGRAPHY_PAGE = "_bibliography.html"
SHARED_ASSETS = "C.assets"
# Files named from a discussion or a quiz resolve against the cartridge's content folder.
FILEBASE = "$IMS-CC-FILEBASE$../"

PARTIALS = {
    model.Theory: "activities/theory.html.j2",
    model.Example: "activities/example.html.j2",
    model.Exercise: "activities/exercise.html.j2",
    model.Checklist: "cc_checklist.html.j2",
    model.Reflection: "cc_reflection.html.j2",
}


class ImsccExporter(Exporter):
    name = "imscc"
    description = "IMS Common Cartridge 1.1 (.imscc): restore it in Moodle as a whole course"

    def output_name(self, course: model.Course) -> str:
        return f"{course.id}.imscc"

    def write(self, course: model.Course, target, warnings: list[str]) -> None:
        write_zip(target, Cartridge(course, warnings).files())


def is_markdown(course_path: str) -> bool:
    return course_path.endswith(MARKDOWN_DOCUMENTS)


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def xml_root(namespace: str, tag: str, nsmap: dict | None = None) -> etree._Element:
    root = etree.Element(
        f"{{{namespace}}}{tag}", nsmap={None: namespace, "xsi": XSI, **(nsmap or {})}
    )
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATIONS[namespace])
    return root


def sub(
    parent: etree._Element, namespace: str, tag: str, text: str | None = None, **attributes
) -> etree._Element:
    node = etree.SubElement(
        parent, f"{{{namespace}}}{tag}", {k: v for k, v in attributes.items() if v}
    )
    if text is not None:
        node.text = text
    return node


class CartridgeRenderer(SiteRenderer):
    """The site's renderer, for pages without site chrome: it records the files each page
    names, and cites works by their own address (a page cannot link to another page)."""

    def __init__(self, course: model.Course):
        super().__init__(course)
        self.named: set[str] = set()

    def asset_url(self, course_path: str) -> str:
        self.named.add(course_path)
        return super().asset_url(course_path)

    def _context(self, prefix: str = "", heading_offset: int = 1):
        context = super()._context(prefix, heading_offset)
        context.citation = outside_citation(self.works)
        context.styles = (context.styles[0], ("outside", self.works_key), context.styles[2])
        return context

    def page(self, template: str, values: dict, key: str | None = None) -> tuple[bytes, set[str]]:
        """A page and the course files it names (`key`: its page_key, when known already)."""
        self.named = set()
        key = key or self.page_key(template, values)
        html = self.cached(key, partial(self.render, template, values))
        return self.fill(html, "web").encode(), self.named

    def render_ahead(self, pages: list[PlannedPage]) -> None:
        """Render the pages together, in worker processes on a big course (render_missing),
        so that page() finds them cached."""
        self.render_missing({page.key: partial(self.render, page.template, page.values)
                             for page in pages})  # fmt: skip

    def page_key(self, template: str, values: dict) -> str:
        return fingerprint(type(self).__name__, template, values, self.outline)

    def render(self, template: str, values: dict) -> str:
        return self.env.get_template(template).render(**values)

    def asset_files(self, course_paths: set[str]) -> dict[str, bytes]:
        """The files as the cartridge holds them, with those they name in turn."""
        files: dict[str, bytes] = {}
        pending, done = set(course_paths), set()
        while pending:
            path = pending.pop()
            done.add(path)
            self.named = set()
            files[f"{ASSETS_FOLDER}/{self.asset_target(path)}"] = self._asset_bytes(path)
            pending |= self.named - done
            if is_markdown(path):  # printable documents link the theme's stylesheet
                files[f"{STATIC_FOLDER}/course.css"] = (
                    THEME / "static" / "course.css"
                ).read_bytes()
        return files


@dataclass
class PlannedPage:
    """A page an activity becomes, known before any is rendered: its resource, its file, the
    template and the template's values (whose title is the page's item's), and its cache key
    (the renderer's page_key, computed once: it hashes the whole activity)."""

    identifier: str
    href: str
    template: str
    values: dict
    key: str


class Cartridge:
    """Builds every file of one course's cartridge."""

    def __init__(self, course: model.Course, warnings: list[str]):
        self.course = course
        self.warnings = warnings
        self.renderer = CartridgeRenderer(course)
        self.ui = self.renderer.ui
        self.laos = QuestionRenderer(self.renderer, self.learning_application_asset)
        self.assessments = AssessmentWriter(self.ui, warnings)
        self.contents: dict[str, bytes] = {}
        self.resources = etree.Element(f"{{{CP}}}resources")
        self.shared_assets: set[str] = set()
        self.named_by_lao: set[str] = set()

    def files(self) -> dict[str, bytes]:
        manifest = xml_root(CP, "manifest", {"lomimscc": LOM})
        manifest.set("identifier", f"M.{self.course.id}")
        self.metadata(manifest)
        organization = sub(sub(manifest, CP, "organizations"), CP, "organization",
                           identifier="O.1", structure="rooted-hierarchy")  # fmt: skip
        root = sub(organization, CP, "item", identifier="I.root")
        self.presentation(sub(root, CP, "item", identifier="S.presentation"))
        activities = [activity for _, _, activity in self.course.activities()]
        planned = {activity.id: self.pages_of(activity) for activity in activities}
        self.renderer.render_ahead([page for pages in planned.values() for page in pages])
        for day in self.course.days:
            section = sub(root, CP, "item", identifier=f"S.{day.id}")
            sub(section, CP, "title", self.typeset(day.title))
            for sequence in day.sequences:
                for activity in sequence.activities:
                    for identifier, title in self.activity(day, activity, planned[activity.id]):
                        self.item(section, identifier, title)
        self.share_assets()
        manifest.append(self.resources)
        self.course_warnings()
        return {"imsmanifest.xml": serialise(manifest), **self.contents}

    # -- manifest metadata --

    def metadata(self, manifest: etree._Element) -> None:
        """What Moodle reads to name and describe the course."""
        metadata = sub(manifest, CP, "metadata")
        sub(metadata, CP, "schema", "IMS Common Cartridge")
        sub(metadata, CP, "schemaversion", "1.1.0")
        lom = sub(metadata, LOM, "lom")
        general = sub(lom, LOM, "general")
        language = self.course.language
        title = self.typeset(self.course.title)
        sub(sub(general, LOM, "title"), LOM, "string", title, language=language)
        sub(general, LOM, "language", language)
        description = plain_text(self.renderer.markdown(self.course.description))
        sub(sub(general, LOM, "description"), LOM, "string", description, language=language)
        if self.course.licence:
            rights = sub(lom, LOM, "rights")
            sub(sub(rights, LOM, "copyrightAndOtherRestrictions"), LOM, "value", "yes")
            sub(sub(rights, LOM, "description"), LOM, "string", self.course.licence)

    # -- section 0: the presentation --

    def presentation(self, section: etree._Element) -> None:
        sub(section, CP, "title", self.typeset(self.course.title))
        pages = [("C.presentation", "course_presentation", PRESENTATION_PAGE, "cc_presentation")]
        if self.course.glossary:
            pages.append(("C.glossary", "glossary", GLOSSARY_PAGE, "cc_glossary"))
        if self.course.bibliography:
            pages.append(("C.bibliography", "bibliography", BIBLIOGRAPHY_PAGE, "cc_bibliography"))
        for identifier, title_key, href, template in pages:
            title = self.ui(title_key)
            self.page(identifier, href, *self.renderer.page(f"{template}.html.j2", {"title": title}))
            self.item(section, identifier, title)

    def item(self, section: etree._Element, resource: str, title: str) -> None:
        """The item showing resource `R.x` (or `C.x`) is `I.x`."""
        item = sub(section, CP, "item", identifier=f"I.{resource[2:]}", identifierref=resource)
        sub(item, CP, "title", title)

    # -- activities --

    def pages_of(self, activity: model.Activity) -> list[PlannedPage]:
        """The pages an activity becomes: a quiz's instructions, a Markdown tool, a described
        file or link, a theory, example, exercise, checklist or reflection."""
        identifier, href = f"R.{activity.id}", f"{activity.id}.html"
        if isinstance(activity, model.Quiz):
            if not activity.intro:
                return []
            # Moodle's importer drops the assessment's rubric: say it on a page first
            title = self.ui("quiz_instructions", title=self.typeset(activity.title))
            return [self.activity_page(f"{identifier}.intro", f"{activity.id}.intro.html",
                                       activity, "cc_quiz_intro.html.j2", title)]  # fmt: skip
        if isinstance(activity, model.Discussion):
            return []
        if isinstance(activity, model.Resource):
            if activity.file and is_markdown(activity.file):
                document = self.read_document(activity.file)
                return [self.activity_page(identifier, href, activity, "cc_document.html.j2",
                                           document=document)]  # fmt: skip
            if activity.description:
                return [self.activity_page(identifier, href, activity, "cc_resource.html.j2")]
            return []
        return [self.activity_page(identifier, href, activity, PARTIALS[type(activity)])]

    def activity(
        self, day: model.Day, activity: model.Activity, pages: list[PlannedPage]
    ) -> list[tuple[str, str]]:
        """The resources an activity becomes, its pages first, as (resource identifier,
        item title)."""
        identifier = f"R.{activity.id}"
        for page in pages:
            self.page(page.identifier, page.href,
                      *self.renderer.page(page.template, page.values, page.key))  # fmt: skip
        if isinstance(activity, model.Discussion):
            self.discussion(identifier, activity)
            return [(identifier, activity.title)]  # names the forum Moodle sync looks it up by
        if isinstance(activity, model.Quiz):
            entries = [(page.identifier, page.values["title"]) for page in pages]
            return entries + self.quiz(identifier, day, activity)
        if isinstance(activity, model.Resource) and not pages:
            self.file_or_link(identifier, activity)
        return [(identifier, self.typeset(activity.title))]

    def typeset(self, title: str) -> str:
        """Titles as the pages show them (French spacing in French)."""
        return markdown.typeset(title, self.course.language)

    def activity_page(self, identifier: str, href: str, activity: model.Activity, partial: str,
                      title: str | None = None, **values) -> PlannedPage:  # fmt: skip
        values = {"title": title or self.typeset(activity.title), "activity": activity,
                  "partial": partial, **values}  # fmt: skip
        template = "cc_activity.html.j2"
        return PlannedPage(identifier, href, template, values, self.renderer.page_key(template, values))

    def quiz(self, identifier: str, day: model.Day, quiz: model.Quiz) -> list[tuple[str, str]]:
        questions = [self.laos.render(question, quiz, day) for question in quiz.questions]
        assessment = self.assessments.assessment(quiz, questions, self.laos.html(quiz.intro))
        self.learning_application(identifier, ASSESSMENT, f"{quiz.id}/assessment.xml", assessment)
        return [(identifier, self.typeset(quiz.title))]

    def discussion(self, identifier: str, activity: model.Discussion) -> None:
        topic = xml_root(DT, "topic")
        sub(topic, DT, "title", activity.title)
        sub(topic, DT, "text", self.laos.html(activity.prompt), texttype="text/html")
        self.learning_application(identifier, DISCUSSION, f"{activity.id}/topic.xml", topic)

    def file_or_link(self, identifier: str, activity: model.Resource) -> None:
        """A resource without a page (pages_of: a Markdown tool is a page of its own, a
        described file or link a page with the description and the link, since CC 1.1 files
        and links have no description): a bare file stays a file, a bare link a web link."""
        if activity.file:
            files = self.renderer.asset_files({activity.file})
            href = f"{ASSETS_FOLDER}/{self.renderer.asset_target(activity.file)}"
            self.contents.update(files)
            self.webcontent(identifier, href, [href, *sorted(set(files) - {href})])
        else:
            link = xml_root(WL, "webLink")
            sub(link, WL, "title", activity.title)
            sub(link, WL, "url", href=activity.url, target="_blank")
            self.learning_application(identifier, WEBLINK, f"{activity.id}/weblink.xml", link)

    def read_document(self, course_path: str) -> model.Markdown:
        try:
            source = (self.course.root / course_path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise UserError(f"{course_path}: not UTF-8 text; save it as UTF-8") from None
        except OSError as error:
            raise UserError(f"{course_path}: cannot read it ({error.strerror})") from None
        return model.Markdown(source, posixpath.dirname(course_path))

    # -- resources --

    def page(self, identifier: str, href: str, html: bytes, named: set[str]) -> None:
        files = self.renderer.asset_files(named)
        self.contents[href] = html
        self.contents.update(files)
        self.webcontent(identifier, href, [href, *sorted(files)])
        self.warn_about_documents(href, named)

    def warn_about_documents(self, source: str, named: set[str]) -> None:
        for document in sorted(filter(is_markdown, named)):
            self.warnings.append(
                f"{source} links to the document {document}: Moodle's CC import copies no HTML "
                "file, so the link will be broken in Moodle; offer the document as a resource "
                "activity instead"
            )

    def webcontent(self, identifier: str, href: str | None, files: list[str]) -> etree._Element:
        resource = sub(
            self.resources, CP, "resource", identifier=identifier, type=WEBCONTENT, href=href
        )
        for path in files:
            sub(resource, CP, "file", href=path)
        return resource

    def learning_application_asset(self, course_path: str) -> str:
        self.named_by_lao.add(course_path)
        self.shared_assets.add(course_path)
        return f"{FILEBASE}{ASSETS_FOLDER}/{self.renderer.asset_target(course_path)}"

    def learning_application(
        self, identifier: str, kind: str, path: str, root: etree._Element
    ) -> None:
        self.contents[path] = serialise(root)
        resource = sub(self.resources, CP, "resource", identifier=identifier, type=kind)
        sub(resource, CP, "file", href=path)
        if self.named_by_lao:
            sub(resource, CP, "dependency", identifierref=SHARED_ASSETS)
        self.warn_about_documents(path, self.named_by_lao)
        self.named_by_lao = set()

    def share_assets(self) -> None:
        """Files named by discussions and quizzes, in a webcontent resource no item shows:
        Moodle copies the files of every webcontent resource into the course."""
        if self.shared_assets:
            files = self.renderer.asset_files(self.shared_assets)
            self.contents.update(files)
            self.webcontent(SHARED_ASSETS, None, sorted(files))

    # -- what the cartridge cannot say --

    def course_warnings(self) -> None:
        if matching := self.assessments.matching_note():
            self.warnings.append(matching)
        quizzes = self.course.activities_of(model.Quiz)
        multiple = [
            q.id for quiz in quizzes for q in quiz.questions if isinstance(q, model.MultipleChoice)
        ]
        if multiple:
            self.warnings.append(FormatNote.naming(multiple, lambda listed: (
                f"multiple-answer questions {listed}: Moodle's CC import grades wrong "
                "choices 0%, so ticking every box scores full marks; give them negative grades in "
                "Moodle, or use the Moodle XML question bank, which does"
            )))
        passing = [
            f"{quiz.id} ({self.passing_score(quiz)}%)" for quiz in self.course.graded_quizzes
        ]
        if passing:
            self.warnings.append(FormatNote.naming(passing, lambda listed: (
                f"CC 1.1 has no passing score: set 'Grade to pass' in Moodle for {listed}"
            )))
        practice = [quiz.id for quiz in quizzes if not quiz.graded]
        if practice:
            self.warnings.append(FormatNote.naming(practice, lambda listed: (
                f"practice quizzes {listed} count in no score in the course, but Moodle "
                "grades every quiz: exclude them from the course total in Moodle's gradebook setup"
            )))

    def passing_score(self, quiz: model.Quiz) -> int:
        return self.course.passing_score if quiz.passing_score is None else quiz.passing_score
