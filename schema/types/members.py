"""People, organisations, households and contact visits.

Personal data is decided when the row becomes an object: a field the viewer may not see is None
from the start, so no path through the API (nested or compiled) can reveal it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.repositories.batch import Record
from sandan.schema.context import Info, Viewer
from sandan.schema.enums import Category, Level, OrganisationKind, PersonKind, PersonRole
from sandan.schema.ids import to_global_id
from sandan.schema.types.node import Node, via

if TYPE_CHECKING:
    from sandan.schema.types.grid import Cell

PERSONAL = "Personal data: null unless the caller's grid scope covers this record."


@strawberry.type(description="A group member: party member, in-service member, volunteer, deputy.")
class Person(Node):
    name: str
    kind: PersonKind
    role: PersonRole
    party_member: bool
    skills: list[str]
    categories: list[Category] = strawberry.field(description="Empty means any category.")
    hours: int
    max_deeds: int
    max_lead: int
    reach: Level | None
    available_from: date | None
    available_to: date | None
    phone: str | None = strawberry.field(description=PERSONAL)
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]
    organisation_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Record, viewer: Viewer) -> Person:
        personal = viewer.personal.covers(row.cell_path)
        return cls(
            id=to_global_id("Person", row.id),
            name=row.name,
            kind=row.kind,
            role=row.role,
            party_member=row.party_member,
            skills=row.skills,
            categories=row.categories,
            hours=row.hours,
            max_deeds=row.max_deeds,
            max_lead=row.max_lead,
            reach=row.reach,
            available_from=row.available_from,
            available_to=row.available_to,
            phone=row.phone if personal else None,
            pk=row.id,
            cell_pk=row.cell_id,
            organisation_pk=row.organisation_id,
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(metadata=via("organisation_by_id", "organisation_pk"))
    async def organisation(self, info: Info) -> Organisation | None:
        if self.organisation_pk is None:
            return None
        return await info.context.loaders.organisation_by_id.load(self.organisation_pk)


@strawberry.type(
    description="An agency, unit, enterprise, social organisation, association or company."
)
class Organisation(Node):
    name: str
    kind: OrganisationKind
    contact_name: str | None
    contact_phone: str | None
    description: str | None
    active: bool
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Record) -> Organisation:
        return cls(
            id=to_global_id("Organisation", row.id),
            name=row.name,
            kind=row.kind,
            contact_name=row.contact_name,
            contact_phone=row.contact_phone,
            description=row.description,
            active=row.active,
            pk=row.id,
            cell_pk=row.cell_id,
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)


@strawberry.type(description="A household looked after by a group member (党员联系户).")
class Household(Node):
    code: str
    size: int
    head_name: str | None = strawberry.field(description=PERSONAL)
    address: str | None = strawberry.field(description=PERSONAL)
    phone: str | None = strawberry.field(description=PERSONAL)
    elderly_alone: bool | None = strawberry.field(description=PERSONAL)
    disability: bool | None = strawberry.field(description=PERSONAL)
    low_income: bool | None = strawberry.field(description=PERSONAL)
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int]
    contact_person_pk: strawberry.Private[int | None]
    visits_visible_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: Record, viewer: Viewer) -> Household:
        personal = viewer.personal.covers(row.cell_path)
        return cls(
            id=to_global_id("Household", row.id),
            code=row.code,
            size=row.size,
            head_name=row.head_name if personal else None,
            address=row.address if personal else None,
            phone=row.phone if personal else None,
            elderly_alone=row.elderly_alone if personal else None,
            disability=row.disability if personal else None,
            low_income=row.low_income if personal else None,
            pk=row.id,
            cell_pk=row.cell_id,
            contact_person_pk=row.contact_person_id,
            # Visit notes describe the household's circumstances: personal too.
            visits_visible_pk=row.id if personal else None,
        )

    @strawberry.field(metadata=via("cell_by_id", "cell_pk"))
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(
        description="The member who looks after this household.",
        metadata=via("person_by_id", "contact_person_pk"),
    )
    async def contact_person(self, info: Info) -> Person | None:
        if self.contact_person_pk is None:
            return None
        return await info.context.loaders.person_by_id.load(self.contact_person_pk)

    @strawberry.field(
        description="Contact visits, newest first. " + PERSONAL,
        metadata=via("visits_by_household_id", "visits_visible_pk"),
    )
    async def visits(self, info: Info) -> list[ContactVisit] | None:
        if self.visits_visible_pk is None:
            return None
        return await info.context.loaders.visits_by_household_id.load(self.visits_visible_pk)


@strawberry.type(description="A household contact visit by a group member.")
class ContactVisit(Node):
    visited_on: date
    topics: list[str]
    notes: str | None
    pk: strawberry.Private[int]
    person_pk: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: Record) -> ContactVisit:
        return cls(
            id=to_global_id("ContactVisit", row.id),
            visited_on=row.visited_on,
            topics=row.topics,
            notes=row.notes,
            pk=row.id,
            person_pk=row.person_id,
        )

    @strawberry.field(metadata=via("person_by_id", "person_pk"))
    async def person(self, info: Info) -> Person | None:
        return await info.context.loaders.person_by_id.load(self.person_pk)
