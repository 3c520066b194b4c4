"""What `coursebridge check` reports: findings, one line each, and their summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from builder.errors import one_line


@dataclass(frozen=True)
class Finding:
    """`ERROR|WARNING: package: where: what; how to fix`."""

    severity: Literal["ERROR", "WARNING"]
    package: str  # the path as given, so two packages with the same name stay apart
    where: str
    what: str
    fix: str

    def __str__(self) -> str:
        return one_line(f"{self.severity}: {self.package}: {self.where}: {self.what}; {self.fix}")


@dataclass
class Report:
    package: Path
    kind: str = "unknown package"
    findings: list[Finding] = field(default_factory=list)

    def error(self, where: str, what: str, fix: str) -> None:
        self.findings.append(Finding("ERROR", str(self.package), where, what, fix))

    def warning(self, where: str, what: str, fix: str) -> None:
        self.findings.append(Finding("WARNING", str(self.package), where, what, fix))

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "ERROR"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "WARNING"]

    def summary(self) -> str:
        errors, warnings = len(self.errors), len(self.warnings)
        counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
        verdict = "fix the errors before uploading" if errors else "ready to upload"
        return f"{self.package}: {self.kind}: {counts}; {verdict}."
