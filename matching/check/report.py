"""What the checker reports: rule codes, one violation per broken rule, and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Rule(StrEnum):
    """The stable code of each rule the checker applies (printed by ``sandan check``)."""

    # input
    INVALID_INSTANCE = "INVALID_INSTANCE"
    SOLUTION_FORMAT = "SOLUTION_FORMAT"
    STATUS = "STATUS"
    UNKNOWN_ID = "UNKNOWN_ID"
    # every need answered exactly once, with its explanation or reasons
    NEED_TWICE = "NEED_TWICE"
    NEED_MISSING = "NEED_MISSING"
    EXPLANATION_MISSING = "EXPLANATION_MISSING"
    REASONS_MISSING = "REASONS_MISSING"
    # lead and team
    LEAD_UNEXPECTED = "LEAD_UNEXPECTED"
    LEAD_MISSING = "LEAD_MISSING"
    LEAD_NOT_ALLOWED = "LEAD_NOT_ALLOWED"
    LEAD_IN_TEAM = "LEAD_IN_TEAM"
    DUPLICATE_MEMBER = "DUPLICATE_MEMBER"
    TEAM_SIZE = "TEAM_SIZE"
    SKILL_NOT_COVERED = "SKILL_NOT_COVERED"
    # resources
    RESOURCE_KIND = "RESOURCE_KIND"
    RESOURCE_QUANTITY = "RESOURCE_QUANTITY"
    # eligibility of one person or resource for one need
    REACH = "REACH"
    CATEGORY = "CATEGORY"
    TIME = "TIME"
    CONFLICT_OF_INTEREST = "CONFLICT_OF_INTEREST"
    FORBID = "FORBID"
    # capacities across deeds
    MAX_DEEDS = "MAX_DEEDS"
    HOURS = "HOURS"
    MAX_LEAD = "MAX_LEAD"
    CAPACITY = "CAPACITY"
    # pins and the reported objective
    PIN = "PIN"
    OBJECTIVE_MISMATCH = "OBJECTIVE_MISMATCH"
    BOUND = "BOUND"


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the entities it concerns."""

    rule: Rule
    message: str
    need: str | None = None
    person: str | None = None
    resource: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = [] if self.path is None else [self.path]
        for label, value in (
            ("need", self.need),
            ("person", self.person),
            ("resource", self.resource),
        ):
            if value is not None:
                where.append(f"{label} {value}")
        return f"{self.rule}: {self.message}" + (f" [{', '.join(where)}]" if where else "")


@dataclass
class CheckReport:
    """What ``check`` found: the violations and the objective recomputed from the deeds."""

    violations: list[Violation] = field(default_factory=list)
    priority: int = 0
    distance: int = 0
    deeds: int = 0
    unmatched: int = 0
    status: str | None = None
    instance_valid: bool = True

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> set[Rule]:
        return {v.rule for v in self.violations}

    def add(self, rule: Rule, message: str, **where: str | None) -> None:
        """Record one violation; ``where`` names its need, person, resource or path."""
        self.violations.append(Violation(rule, message, **where))

    def summary(self) -> str:
        verdict = "valid" if self.ok else f"{len(self.violations)} violation(s)"
        return (
            f"{verdict}; status {self.status}; recomputed priority {self.priority}, "
            f"distance {self.distance}; deeds {self.deeds}, unmatched {self.unmatched}"
        )
