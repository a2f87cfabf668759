"""Deeds: needs joined to a lead, a team, resources and a plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.repositories.batch import Record
from sandan.schema.context import Info
from sandan.schema.enums import DeedStatus
from sandan.schema.ids import to_global_id
from sandan.schema.types.node import Node, via

if TYPE_CHECKING:
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.lists import Need, Resource
    from sandan.schema.types.members import Person


@strawberry.type(description="Units of a resource committed to a deed.")
class DeedResourceUse:
    quantity: int
    resource_pk: strawberry.Private[int]

    @strawberry.field(metadata=via("resource_by_id", "resource_pk"))
    async def resource(
        self, info: Info
    ) -> Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")] | None:
        return await info.context.loaders.resource_by_id.load(self.resource_pk)


@strawberry.type(description="A step of a deed's implementation plan.")
class Milestone:
    seq: int
    title: str
    due_on: date | None
    done_on: date | None

    @classmethod
    def from_row(cls, row: Record) -> Milestone:
        return cls(seq=row.seq, title=row.title, due_on=row.due_on, done_on=row.done_on)


@strawberry.type(description="A deed (为民办实事): a need taken on, with a lead, team and plan.")
class Deed(Node):
    title: str
    status: DeedStatus
    plan: str | None
    published: bool
    published_at: datetime | None
    approved_at: datetime | None
    done_at: datetime | None
    created_at: datetime
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]
    need_pk: strawberry.Private[int]
    lead_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Record) -> Deed:
        return cls(
            id=to_global_id("Deed", row.id),
            title=row.title,
            status=row.status,
            plan=row.plan,
            published=row.published,
            published_at=row.published_at,
            approved_at=row.approved_at,
            done_at=row.done_at,
            created_at=row.created_at,
            pk=row.id,
            cell_pk=row.cell_id,
            need_pk=row.need_id,
            lead_pk=row.lead_id,
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(metadata=via("need_by_id", "need_pk"))
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

    @strawberry.field(metadata=via("resource_uses_by_deed_id", "pk"))
    async def resources(self, info: Info) -> list[DeedResourceUse]:
        return await info.context.loaders.resource_uses_by_deed_id.load(self.pk)

    @strawberry.field(metadata=via("milestones_by_deed_id", "pk"))
    async def milestones(self, info: Info) -> list[Milestone]:
        return await info.context.loaders.milestones_by_deed_id.load(self.pk)
