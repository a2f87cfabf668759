"""The public board's types: what anyone may read about a published deed, and nothing else.

These are separate from `Deed` on purpose: a public type has no field that leads to a
household, a need's description, a visit or a phone, so no query, however nested, can reach
residents' personal data through it.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from sandan.db.enums import Category, CellKind, DeedStatus, Described, Level, PersonKind, PersonRole
from sandan.schema.enums import described_enum
from sandan.schema.types.deed_lifecycle import DeedComment
from sandan.schema.types.fields import public_field


class ProgressSource(Described):
    """Where a deed's progress figure comes from."""

    MILESTONES = (
        "MILESTONES",
        "The share of the implementation plan's milestones that are done "
        "(100 once the deed is done): used while a deed has no monthly progress report.",
    )
    REPORTS = (
        "REPORTS",
        "The percent of the latest monthly progress report (100 once the deed is done).",
    )


described_enum(ProgressSource)


@strawberry.type(description="How far a published deed has come, as a percentage.")
class PublicProgress:
    percent: int = strawberry.field(description="0 to 100; draw it as a progress bar.")
    source: ProgressSource = strawberry.field(description="What the percentage is based on.")
    milestones_done: int = strawberry.field(description="Milestones of the plan marked done.")
    milestones_total: int = strawberry.field(description="Milestones in the plan.")


@strawberry.type(description="A dated step of a published deed's implementation plan.")
class PublicMilestone:
    seq: int = strawberry.field(description="Position in the plan, from 1.")
    title: str = strawberry.field(description="What the step is, e.g. 入户核实需求.")
    due_on: date | None = strawberry.field(description="Planned date; null if none was set.")
    done_on: date | None = strawberry.field(description="Date it was done; null while open.")


@strawberry.type(description="The grid cell a published deed belongs to (public facts only).")
class PublicCell:
    code: str = strawberry.field(description="Stable code; the board's URL is /cells/{code}.")
    name: str = strawberry.field(
        description="Name, e.g. 南方村 or 第一村民小组.",
        metadata=public_field("a grid cell's name, not a person's"),
    )
    level: Level = strawberry.field(description="Level in the grid.")
    kind: CellKind = strawberry.field(description="Kind of cell (行政村, 社区, 村民小组, …).")
    parent_name: str | None = strawberry.field(
        metadata=public_field("a grid cell's name, not a person's"),
        description="Name of the cell above it, to tell apart cells named alike (many "
        "branches have a 第一户联系党小组); null for the grid's top cell.",
    )


@strawberry.type(
    description="The deed's responsible lead as the public sees them: name and role, "
    "never a phone or a home."
)
class PublicLead:
    name: str = strawberry.field(
        description="The lead's name as shown on the board.",
        metadata=public_field("a deed's lead is named publicly for residents' supervision"),
    )
    role: PersonRole = strawberry.field(
        description="Their role in the grid (secretary, group leader, member)."
    )
    kind: PersonKind = strawberry.field(
        description="What kind of group member they are (party member, volunteer, …)."
    )


@strawberry.type(description="A change of a published deed's plan dates, as residents see it.")
class PublicDateChange:
    at: datetime = strawberry.field(description="When the change was made (UTC).")
    note: str = strawberry.field(
        description="What changed and why, e.g. 第2步「入户核实需求」计划日期 2026-06-10 → "
        "2026-07-01（雨季延误）."
    )


@strawberry.type(description="Residents' satisfaction with a deed (ratings 1 to 5).")
class PublicSatisfaction:
    average: float = strawberry.field(description="Mean rating, 1.0 to 5.0.")
    ratings: int = strawberry.field(description="How many ratings the mean is over (≥ 1).")


@strawberry.type(
    description="A published deed (为民办实事) as residents see it on the public board: "
    "progress, plan dates, lead and ratings, with no resident's personal data."
)
class PublicDeed:
    id: strawberry.ID = strawberry.field(description="The deed's global id (as `Deed.id`).")
    title: str = strawberry.field(description="What is being done.")
    status: DeedStatus = strawberry.field(description="Where the deed is in its lifecycle.")
    category: Category = strawberry.field(description="Public-service domain of its need.")
    need_title: str = strawberry.field(
        description="The public title of the need it answers (no description, no household)."
    )
    published_at: datetime | None = strawberry.field(description="When it was made public.")
    done_at: datetime | None = strawberry.field(description="When it was done; null if open.")
    cell: PublicCell = strawberry.field(
        description="The grid cell it belongs to, as the public sees it: a deed filed at a "
        "household-contact group is at the group's branch (for every caller of the board)."
    )
    lead: PublicLead | None = strawberry.field(
        description="The responsible lead (负责人); null if none is named yet."
    )
    progress: PublicProgress = strawberry.field(description="How far it has come.")
    milestones: list[PublicMilestone] = strawberry.field(
        description="The plan's steps in order, with due and done dates."
    )
    satisfaction: PublicSatisfaction | None = strawberry.field(
        description="Residents' ratings; null until at least one resident has rated it."
    )
    comments: list[DeedComment] = strawberry.field(
        description="Residents' public comments, oldest first (anonymous; hidden ones left out)."
    )
    date_changes: list[PublicDateChange] = strawberry.field(
        description="The history of its plan's dates since publication, oldest first: each "
        "moved due date (with the reason) and each step done."
    )


@strawberry.input(description="Narrows the public board; all given conditions must hold.")
class PublicDeedFilter:
    status: list[DeedStatus] | None = strawberry.field(
        default=None, description="Deeds in any of these states."
    )
    category: list[Category] | None = strawberry.field(
        default=None, description="Deeds whose need is in any of these domains."
    )
    search: str | None = strawberry.field(
        default=None, description="Text the deed's title contains."
    )
