"""DemoData: the generated rows, one list of plain dicts per table, keyed by column name."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

Row = dict[str, Any]

# Tables in an order where every foreign key points backwards, except the cycle
# cells.leader_id / people.household_id, which the loader fills in after the fact.
TABLE_ORDER: tuple[str, ...] = (
    "cells",
    "organisations",
    "people",
    "households",
    "resources",
    "needs",
    "deeds",
    "deed_members",
    "deed_resources",
    "deed_milestones",
    "contact_visits",
    "deed_history",
    "deed_reports",
    "deed_feedback",
    "meeting_decisions",
)


@dataclass(slots=True)
class DemoData:
    """Rows with explicit integer ids; enum values are plain strings, dates are `date` objects."""

    cells: list[Row] = field(default_factory=list)
    organisations: list[Row] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    households: list[Row] = field(default_factory=list)
    resources: list[Row] = field(default_factory=list)
    needs: list[Row] = field(default_factory=list)
    deeds: list[Row] = field(default_factory=list)
    deed_members: list[Row] = field(default_factory=list)
    deed_resources: list[Row] = field(default_factory=list)
    deed_milestones: list[Row] = field(default_factory=list)
    contact_visits: list[Row] = field(default_factory=list)
    deed_history: list[Row] = field(default_factory=list)
    deed_reports: list[Row] = field(default_factory=list)
    deed_feedback: list[Row] = field(default_factory=list)
    meeting_decisions: list[Row] = field(default_factory=list)

    def tables(self) -> dict[str, list[Row]]:
        """Every table's rows, in foreign-key-safe insertion order."""
        return {name: getattr(self, name) for name in TABLE_ORDER}

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in self.tables().items()}


assert {f.name for f in fields(DemoData)} == set(TABLE_ORDER)
