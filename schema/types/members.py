"""People, organisations, households and contact visits.

Personal data is decided when the row becomes an object: a field the viewer may not see is None
from the start, so no path through the API (nested or compiled) can reveal it. Which fields are
personal is declared once, on the field (`personal=CELL_SCOPE`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import Category, Level, OrganisationKind, PersonKind, PersonRole
from sandan.schema.context import Info
from sandan.schema.types.fields import (
    CELL_SCOPE,
    column,
    first_day,
    key,
    last_day,
    reach_column,
    related,
)
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.claims import PartnerClaim, PartnerClaimStats
    from sandan.schema.types.grid import Cell


@strawberry.type(description="A group member: party member, in-service member, volunteer, deputy.")
class Person(Node):
    name: str = column(
        description="The member's name.",
        public="members serve publicly; their names appear on the deeds they lead or join",
    )
    kind: PersonKind = column(description="What kind of member: party, in-service, volunteer…")
    role: PersonRole = column(description="Their role in the grid (secretary, leader, member…).")
    party_member: bool = column(description="Whether they are a party member (only they may lead).")
    skills: list[str] = column(description="Free skill tags (e.g. nursing) matched against needs.")
    categories: list[Category] = column(
        description="The service domains they help in; empty means any category."
    )
    hours: int = column(description="Hours they can give in a planning period.")
    max_deeds: int = column(description="How many deeds they may join as a team member at once.")
    max_lead: int = column(description="How many deeds they may lead at once (0: none).")
    reach: Level | None = reach_column("they")
    available_from: date | None = first_day("they are available")
    available_to: date | None = last_day("they are available")
    phone: str | None = column(description="The member's phone number.", personal=CELL_SCOPE)
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = key("cell_id")
    organisation_pk: strawberry.Private[int | None] = key("organisation_id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id", "cell_pk", description="Their home cell, usually a household-contact group."
    )

    organisation: Organisation | None = related(
        "organisation_by_id",
        "organisation_pk",
        description="The agency or unit an in-service member reports from; null for others.",
    )


@strawberry.type(
    description="An agency, unit, enterprise, social organisation, association or company."
)
class Organisation(Node):
    name: str = column(
        description="The organisation's name.", public="an organisation's name is not personal"
    )
    kind: OrganisationKind = column(description="What kind of organisation it is.")
    contact_name: str | None = column(
        description="Who to contact there about its resources.",
        public="the contact an organisation publishes for partners, not a resident's data",
    )
    contact_phone: str | None = column(
        description="The phone of that contact.",
        public="the number an organisation publishes for partners, not a resident's data",
    )
    description: str | None = column(
        description="What the organisation does, in its own words.",
        public="describes the organisation, not a person",
    )
    active: bool = column(description="False once it no longer takes part.")
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = key("cell_id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id", "cell_pk", description="The cell it registered with or serves."
    )

    @strawberry.field(
        description="Its active members, in id order: the people a partner names when it "
        "claims a task (personal fields follow the usual rules)."
    )
    async def members(self, info: Info) -> list[Person]:
        found: list[Person] = await info.context.loaders.claims.people_by_organisation_id.load(
            self.pk
        )
        return found

    @strawberry.field(
        description="Its claims on partner tasks, oldest first (with their history). Empty "
        "unless you are this partner or staff deciding claims in its cell's subtree."
    )
    async def claims(
        self, info: Info
    ) -> list[Annotated[PartnerClaim, strawberry.lazy("sandan.schema.types.claims")]]:
        if not await _sees_claims(info, self):
            return []
        found: list[
            PartnerClaim
        ] = await info.context.loaders.claims.claims_by_organisation_id.load(self.pk)
        return found

    @strawberry.field(
        description="Its record as a partner: claims, completion rate, hours. Null unless you "
        "are this partner or staff deciding claims in its cell's subtree."
    )
    async def claim_stats(
        self, info: Info
    ) -> Annotated[PartnerClaimStats, strawberry.lazy("sandan.schema.types.claims")] | None:
        if not await _sees_claims(info, self):
            return None
        stats: PartnerClaimStats = await info.context.loaders.claims.stats_by_organisation_id.load(
            self.pk
        )
        return stats


async def _sees_claims(info: Info, organisation: Organisation) -> bool:
    from sandan.resolvers.claims import sees_organisation_claims

    cell = await info.context.loaders.cell_by_id.load(organisation.cell_pk)
    path = cell.path if cell is not None else ""
    return sees_organisation_claims(info.context.viewer, organisation.pk, path)


@strawberry.type(description="A household looked after by a group member (党员联系户).")
class Household(Node):
    code: str = column(description="The household's code, unique in the grid; not personal.")
    size: int = column(description="How many people live in it.")
    head_name: str | None = column(
        description="The name of the head of household.", personal=CELL_SCOPE
    )
    address: str | None = column(description="The household's address.", personal=CELL_SCOPE)
    phone: str | None = column(description="The household's phone number.", personal=CELL_SCOPE)
    elderly_alone: bool | None = column(
        description="An elderly person living alone.", personal=CELL_SCOPE
    )
    disability: bool | None = column(
        description="Someone in the household lives with a disability.", personal=CELL_SCOPE
    )
    low_income: bool | None = column(
        description="The household receives low-income support.", personal=CELL_SCOPE
    )
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = key("cell_id")
    contact_person_pk: strawberry.Private[int | None] = key("contact_person_id")
    # Visit notes describe the household's circumstances: `visits` is personal, so this key is
    # None outside the viewer's personal scope.
    visits_visible_pk: strawberry.Private[int | None] = key("id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id",
        "cell_pk",
        description="The cell (usually a household-contact group) it belongs to.",
    )

    contact_person: Person | None = related(
        "person_by_id",
        "contact_person_pk",
        description="The member who looks after this household.",
    )

    visits: list[ContactVisit] | None = related(
        "visits_by_household_id",
        "visits_visible_pk",
        personal=CELL_SCOPE,
        description="Contact visits, newest first. " + CELL_SCOPE.sentence,
    )


@strawberry.type(description="A household contact visit by a group member.")
class ContactVisit(Node):
    visited_on: date = column(
        description="The day of the visit.",
        public="a visit is only ever read within the personal scope (Household.visits, node(id:))",
    )
    topics: list[str] = column(
        description="What the visit covered: policies explained, difficulties or evaluations heard."
    )
    notes: str | None = column(
        description="The visitor's free-text notes.",
        public="a visit is only ever read within the personal scope (Household.visits, node(id:))",
    )
    pk: strawberry.Private[int] = key("id")
    person_pk: strawberry.Private[int] = key("person_id")

    person: Person | None = related(
        "person_by_id", "person_pk", description="The group member who made the visit."
    )
