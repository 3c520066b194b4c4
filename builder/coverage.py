"""Which sequences address and which activities assess each objective."""

from __future__ import annotations

from dataclasses import dataclass, field

from builder.model import Course


@dataclass
class CoverageRow:
    label: str  # "day / sequence / activity"
    addresses: set[str] = field(default_factory=set)
    assesses: set[str] = field(default_factory=set)


@dataclass
class CoverageMatrix:
    objectives: list[str]
    rows: list[CoverageRow]

    def addressed(self, objective: str) -> bool:
        return any(objective in row.addresses for row in self.rows)

    def assessed(self, objective: str) -> bool:
        return any(objective in row.assesses for row in self.rows)

    @property
    def gaps(self) -> list[str]:
        return [
            f"{objective} is {'not addressed' if not self.addressed(objective) else 'not assessed'}"
            for objective in self.objectives
            if not (self.addressed(objective) and self.assessed(objective))
        ]

    @property
    def complete(self) -> bool:
        return not self.gaps

    @property
    def percent(self) -> int:
        if not self.objectives:
            return 100
        done = sum(1 for o in self.objectives if self.addressed(o) and self.assessed(o))
        return round(100 * done / len(self.objectives))


def coverage_matrix(course: Course) -> CoverageMatrix:
    rows = []
    for day in course.days:
        for sequence in day.sequences:
            rows.append(CoverageRow(f"{day.id} / {sequence.id}", addresses=set(sequence.objectives)))
            for activity in sequence.activities:
                rows.append(
                    CoverageRow(
                        f"{day.id} / {sequence.id} / {activity.id}",
                        addresses=set(activity.objectives),
                        assesses=set(activity.assessed_objectives),
                    )
                )
    return CoverageMatrix([o.id for o in course.objectives], rows)


def format_matrix(matrix: CoverageMatrix) -> str:
    """Rows: sequences and activities; columns: objectives. 'a' addresses, 'A' assesses."""
    relevant = [row for row in matrix.rows if row.addresses or row.assesses]
    width = max([len(row.label) for row in relevant] + [10])
    header = " " * width + " " + " ".join(f"{o:^5}" for o in matrix.objectives)
    lines = [header]
    for row in relevant:
        cells = []
        for objective in matrix.objectives:
            mark = ("a" if objective in row.addresses else "") + (
                "A" if objective in row.assesses else ""
            )
            cells.append(f"{mark or '.':^5}")
        lines.append(f"{row.label:<{width}} " + " ".join(cells))
    lines.append("")
    lines.append("a = addresses the objective, A = assesses it")
    lines.append(f"coverage: {matrix.percent}% of objectives addressed and assessed")
    lines += [f"gap: {gap}" for gap in matrix.gaps]
    return "\n".join(lines)
