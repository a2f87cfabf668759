"""Deeds: needs joined to a lead, a team, resources and a plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import DeedStatus
from sandan.schema.types.deed_lifecycle import (
    DeedComment,
    DeedHistoryEntry,
    DeedProgress,
    ProgressReport,
)
from sandan.schema.types.fields import PLACE_SENTENCE, RowType, column, key, place_key, related
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.lists import Need, Resource
    from sandan.schema.types.members import Person


@strawberry.type(description="Units of a resource committed to a deed.")
class DeedResourceUse(RowType):
    quantity: int = column(description="Units of the resource the deed takes.")
    resource_pk: strawberry.Private[int] = key("resource_id")

    resource: Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")] | None = related(
        "resource_by_id",
        "resource_pk",
        description="The resource drawn on; null if the caller may not read it.",
    )


@strawberry.type(description="A step of a deed's implementation plan.")
class Milestone(RowType):
    seq: int = column(description="Its place in the plan, from 1.")
    title: str = column(description="What the step is.")
    due_on: date | None = column(description="The day it is due; null: no date set.")
    done_on: date | None = column(description="The day it was done; null while not done.")


@strawberry.type(description="A deed (为民办实事): a need taken on, with a lead, team and plan.")
class Deed(Node):
    title: str = column(description="A short title of the deed.")
    status: DeedStatus = column(description="Where it stands in its lifecycle.")
    plan: str | None = column(description="The implementation plan, free text; null until written.")
    published: bool = column(description="Whether it is published for residents' supervision.")
    published_at: datetime | None = column(description="When it was published (UTC).")
    approved_at: datetime | None = column(description="When it was approved (UTC).")
    done_at: datetime | None = column(description="When it was done (UTC).")
    created_at: datetime = column(description="When the deed was proposed (UTC).")
    version: int = column(
        description=(
            "Goes up by one with every change of the deed: a different value than the one you "
            "read means someone changed it since."
        )
    )
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = place_key()
    need_pk: strawberry.Private[int] = key("need_id")
    lead_pk: strawberry.Private[int | None] = key("lead_id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id",
        "cell_pk",
        description="The cell whose deeds list holds it (its need's cell). " + PLACE_SENTENCE,
    )

    need: Annotated[Need, strawberry.lazy("sandan.schema.types.lists")] | None = related(
        "need_by_id", "need_pk", description="The need it takes on."
    )

    lead: Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None = related(
        "person_by_id", "lead_pk", description="The responsible lead."
    )

    team: list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]] = related(
        "team_by_deed_id", "pk", description="Team members (the lead excluded)."
    )

    resources: list[DeedResourceUse] = related(
        "resource_uses_by_deed_id", "pk", description="Resource units committed to it."
    )

    milestones: list[Milestone] = related(
        "milestones_by_deed_id", "pk", description="The steps of its plan, in order."
    )

    history: list[DeedHistoryEntry] = related(
        "history_by_deed_id",
        "pk",
        description="Its history, oldest first: every state change (who by role, when, from, "
        "to, note), moved milestone dates and replaced reports.",
    )

    reports: list[ProgressReport] = related(
        "reports_by_deed_id", "pk", description="Its monthly progress reports, oldest month first."
    )

    progress: DeedProgress = related(
        "progress_by_deed_id",
        "pk",
        description="Its latest reported percent and whether it is overdue or stalled.",
    )

    comments: list[DeedComment] = related(
        "comments_by_deed_id",
        "pk",
        description="Residents' public comments, oldest first (hidden ones left out).",
    )
