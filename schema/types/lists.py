"""Entries of the resource list and the needs list."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.repositories.batch import Record
from sandan.schema.context import Info, Viewer
from sandan.schema.enums import (
    Category,
    Level,
    MatterScale,
    NeedChannel,
    NeedStatus,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from sandan.schema.ids import to_global_id
from sandan.schema.types.node import Node, via

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.members import Household, Organisation, Person


@strawberry.type(description="A resource-list entry: what an organisation or person can give.")
class Resource(Node):
    title: str
    description: str | None
    kind: ResourceKind
    categories: list[Category] = strawberry.field(description="Empty means any category.")
    capacity: int
    unit: str | None
    reach: Level | None = strawberry.field(
        description="The level of the ancestor whose subtree it may serve; null: everywhere."
    )
    available_from: date | None
    available_to: date | None
    status: ResourceStatus
    created_at: datetime
    closed_at: datetime | None
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]
    provider_organisation_pk: strawberry.Private[int | None]
    provider_person_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Record) -> Resource:
        return cls(
            id=to_global_id("Resource", row.id),
            title=row.title,
            description=row.description,
            kind=row.kind,
            categories=row.categories,
            capacity=row.capacity,
            unit=row.unit,
            reach=row.reach,
            available_from=row.available_from,
            available_to=row.available_to,
            status=row.status,
            created_at=row.created_at,
            closed_at=row.closed_at,
            pk=row.id,
            cell_pk=row.cell_id,
            provider_organisation_pk=row.provider_organisation_id,
            provider_person_pk=row.provider_person_id,
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(metadata=via("organisation_by_id", "provider_organisation_pk"))
    async def provider_organisation(
        self, info: Info
    ) -> Annotated[Organisation, strawberry.lazy("sandan.schema.types.members")] | None:
        if self.provider_organisation_pk is None:
            return None
        return await info.context.loaders.organisation_by_id.load(self.provider_organisation_pk)

    @strawberry.field(metadata=via("person_by_id", "provider_person_pk"))
    async def provider_person(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None:
        if self.provider_person_pk is None:
            return None
        return await info.context.loaders.person_by_id.load(self.provider_person_pk)


@strawberry.type(description="Units of one kind of resource that a need asks for.")
class ResourceRequest:
    kind: ResourceKind
    quantity: int


@strawberry.type(description="A needs-list entry: what residents need.")
class Need(Node):
    title: str
    description: str | None
    category: Category
    channel: NeedChannel
    scale: MatterScale
    urgency: Urgency
    status: NeedStatus
    needs_lead: bool
    volunteers: int
    hours: int
    skills: list[str]
    resource_requests: list[ResourceRequest]
    window_from: date | None
    window_to: date | None
    reported_on: date
    created_at: datetime
    closed_at: datetime | None
    close_reason: str | None
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]
    visible_household_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Record, viewer: Viewer) -> Need:
        return cls(
            id=to_global_id("Need", row.id),
            title=row.title,
            description=row.description,
            category=row.category,
            channel=row.channel,
            scale=row.scale,
            urgency=row.urgency,
            status=row.status,
            needs_lead=row.needs_lead,
            volunteers=row.volunteers,
            hours=row.hours,
            skills=row.skills,
            resource_requests=[
                ResourceRequest(kind=r["kind"], quantity=r["quantity"])
                for r in row.resource_requests
            ],
            window_from=row.window_from,
            window_to=row.window_to,
            reported_on=row.reported_on,
            created_at=row.created_at,
            closed_at=row.closed_at,
            close_reason=row.close_reason,
            pk=row.id,
            cell_pk=row.cell_id,
            # Which household a need came from is personal: hidden outside the viewer's scope.
            visible_household_pk=(
                row.household_id if viewer.personal.covers(row.cell_path) else None
            ),
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(
        description="The household it came from. Null unless the caller's scope covers it.",
        metadata=via("household_by_id", "visible_household_pk"),
    )
    async def household(
        self, info: Info
    ) -> Annotated[Household, strawberry.lazy("sandan.schema.types.members")] | None:
        if self.visible_household_pk is None:
            return None
        return await info.context.loaders.household_by_id.load(self.visible_household_pk)

    @strawberry.field(metadata=via("deed_by_need_id", "pk"))
    async def deed(
        self, info: Info
    ) -> Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None:
        return await info.context.loaders.deed_by_need_id.load(self.pk)

    @strawberry.field(
        description="Why the latest optimisation run covering this need left it unmatched "
        "(reason codes); empty when that run proposed a deed or no run covered it."
    )
    async def unmatched_reasons(self, info: Info) -> list[str]:
        return await info.context.loaders.unmatched_reasons_by_need_id.load(self.pk)
