"""Deeds: needs joined to a lead, a team, resources and a plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.schema.context import Info
from sandan.schema.enums import DeedStatus
from sandan.schema.types.deed_lifecycle import (
    DeedComment,
    DeedHistoryEntry,
    DeedProgress,
    ProgressReport,
)
from sandan.schema.types.fields import PLACE_SENTENCE, RowType, column, key, place_key, via
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.lists import Need, Resource
    from sandan.schema.types.members import Person


@strawberry.type(description="Units of a resource committed to a deed.")
class DeedResourceUse(RowType):
    quantity: int = column(description="Units of the resource the deed takes.")
    resource_pk: strawberry.Private[int] = key("resource_id")

    @strawberry.field(
        description="The resource drawn on; null if the caller may not read it.",
        metadata=via("resource_by_id", "resource_pk"),
    )
    async def resource(
        self, info: Info
    ) -> Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")] | None:
        return await info.context.loaders.resource_by_id.load(self.resource_pk)


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

    @strawberry.field(
        description="The cell whose deeds list holds it (its need's cell). " + PLACE_SENTENCE,
        metadata=via("cell_by_id", "cell_pk"),
    )
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(description="The need it takes on.", metadata=via("need_by_id", "need_pk"))
    async def need(
        self, info: Info
    ) -> Annotated[Need, strawberry.lazy("sandan.schema.types.lists")] | None:
        return await info.context.loaders.need_by_id.load(self.need_pk)

    @strawberry.field(description="The responsible lead.", metadata=via("person_by_id", "lead_pk"))
    async def lead(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None:
        if self.lead_pk is None:
            return None
        return await info.context.loaders.person_by_id.load(self.lead_pk)

    @strawberry.field(
        description="Team members (the lead excluded).", metadata=via("team_by_deed_id", "pk")
    )
    async def team(
        self, info: Info
    ) -> list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]]:
        return await info.context.loaders.team_by_deed_id.load(self.pk)

    @strawberry.field(
        description="Resource units committed to it.",
        metadata=via("resource_uses_by_deed_id", "pk"),
    )
    async def resources(self, info: Info) -> list[DeedResourceUse]:
        return await info.context.loaders.resource_uses_by_deed_id.load(self.pk)

    @strawberry.field(
        description="The steps of its plan, in order.", metadata=via("milestones_by_deed_id", "pk")
    )
    async def milestones(self, info: Info) -> list[Milestone]:
        return await info.context.loaders.milestones_by_deed_id.load(self.pk)

    @strawberry.field(
        description="Its history, oldest first: every state change (who by role, when, from, "
        "to, note), moved milestone dates and replaced reports.",
        metadata=via("history_by_deed_id", "pk"),
    )
    async def history(self, info: Info) -> list[DeedHistoryEntry]:
        return await info.context.loaders.history_by_deed_id.load(self.pk)

    @strawberry.field(
        description="Its monthly progress reports, oldest month first.",
        metadata=via("reports_by_deed_id", "pk"),
    )
    async def reports(self, info: Info) -> list[ProgressReport]:
        return await info.context.loaders.reports_by_deed_id.load(self.pk)

    @strawberry.field(
        description="Its latest reported percent and whether it is overdue or stalled.",
        metadata=via("progress_by_deed_id", "pk"),
    )
    async def progress(self, info: Info) -> DeedProgress:
        return await info.context.loaders.progress_by_deed_id.load(self.pk)

    @strawberry.field(
        description="Residents' public comments, oldest first (hidden ones left out).",
        metadata=via("comments_by_deed_id", "pk"),
    )
    async def comments(self, info: Info) -> list[DeedComment]:
        return await info.context.loaders.comments_by_deed_id.load(self.pk)
