"""The test LMS: the player page (player.html, hosting scorm-again) driven from Python."""

from __future__ import annotations

from pathlib import Path

from builder.schemas import parse_xml

# What an LMS keeps between sessions and gives back at the next launch.
CARRIED = {
    "scorm12": (
        "cmi.core.student_id", "cmi.core.student_name", "cmi.core.lesson_location",
        "cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.min",
        "cmi.core.score.max", "cmi.suspend_data", "cmi.student_data.mastery_score",
        "cmi.comments",
    ),
    "scorm2004": (
        "cmi.learner_id", "cmi.learner_name", "cmi.location", "cmi.completion_status",
        "cmi.success_status", "cmi.score.raw", "cmi.score.min", "cmi.score.max",
        "cmi.score.scaled", "cmi.suspend_data", "cmi.scaled_passing_score",
        "cmi.progress_measure",
    ),
}  # fmt: skip
CARRIED_COLLECTIONS = ("cmi.interactions.", "cmi.comments_from_learner.")


class Lms:
    """The test player page: launches the package, and keeps what an LMS would."""

    def __init__(self, page, base_url: str, version: str, manifest: bytes, folder: Path):
        self.page, self.base_url, self.version = page, base_url, version
        self.folder = folder  # the package as served: tests may break its files
        self.stored: dict = self._first_launch_data(parse_xml(manifest))
        # appends_comments: cmi.comments as Moodle's SCORM 1.2 API keeps it (scorm_12.js
        # appends every LMSSetValue to it; scorm-again replaces it).
        self.appends_comments = False
        page.goto(base_url + "player.html")

    def _first_launch_data(self, manifest) -> dict:
        if self.version == "scorm12":
            mastery = manifest.findtext(".//{http://www.adlnet.org/xsd/adlcp_rootv1p2}masteryscore")
            return {
                "cmi.core.student_id": "learner-1",
                "cmi.core.student_name": "Doe, Jane",
                "cmi.core.entry": "ab-initio",
                "cmi.student_data.mastery_score": mastery,
            }
        measure = manifest.findtext(".//{http://www.imsglobal.org/xsd/imsss}minNormalizedMeasure")
        return {
            "cmi.learner_id": "learner-1",
            "cmi.learner_name": "Jane Doe",
            "cmi.entry": "ab-initio",
            "cmi.scaled_passing_score": measure,
        }

    def launch(self):
        before = self.initialisations()
        self.page.evaluate(
            "([version, data, appends]) => launch(version, data, 'package/index.html', appends)",
            [self.version, self.stored, self.appends_comments],
        )
        frame = self.page.frame_locator("#sco")
        frame.locator("h1").first.wait_for()
        # The runtime has run, link handlers included, once it has called Initialize.
        self.page.wait_for_function(
            "before => apiCalls.filter(c => c[0] === 'LMSInitialize' || c[0] === 'Initialize')"
            ".length > before", arg=before)
        return frame

    def leave(self) -> dict:
        finish = "LMSFinish" if self.version == "scorm12" else "Terminate"
        self.page.evaluate("() => leave()")
        self.page.wait_for_function(f"() => apiCalls.some(call => call[0] === '{finish}')")
        final = self.page.evaluate("() => stored()")
        exit_key = "cmi.core.exit" if self.version == "scorm12" else "cmi.exit"
        entry_key = "cmi.core.entry" if self.version == "scorm12" else "cmi.entry"
        self.stored = {
            key: value for key, value in final.items()
            if (key in CARRIED[self.version] or key.startswith(CARRIED_COLLECTIONS)) and value != {}
        }  # fmt: skip
        self.stored[entry_key] = "resume" if final[exit_key] == "suspend" else ""
        return final

    def errors(self) -> list:
        """Failed API calls, except reading a 2004 element that has no value yet (403)."""
        return [
            error for error in self.page.evaluate("() => apiErrors")
            if not (error["call"] == "GetValue" and error["error"] == "403")
        ]  # fmt: skip

    def initialisations(self) -> int:
        names = ("LMSInitialize", "Initialize")
        return sum(call[0] in names for call in self.page.evaluate("() => apiCalls"))

    def refuse_values(self, prefix: str) -> None:
        """Make the LMS refuse every SetValue of an element starting with `prefix`, until
        `accept_values`."""
        self.page.evaluate(REFUSE_VALUES, [self.version, prefix])

    def accept_values(self) -> None:
        self.page.evaluate("() => { window.refusing = false; }")


REFUSE_VALUES = """([version, prefix]) => {
  const api = window.lms, set = version === 'scorm12' ? 'LMSSetValue' : 'SetValue';
  const original = api[set];
  window.refusing = true;
  api[set] = (element, value) => window.refusing && element.startsWith(prefix)
    ? 'false' : original(element, value);
}"""
