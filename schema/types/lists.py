"""Entries of the resource list and the needs list."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import (
    Category,
    Level,
    MatterScale,
    NeedChannel,
    NeedStatus,
    ResourceKind,
    ResourceStatus,
    Urgency,
)
from sandan.schema.context import Info
from sandan.schema.types.fields import (
    CELL_SCOPE,
    ENTRY_CLOSED,
    ENTRY_CREATED,
    ENTRY_VERSION,
    PLACE_SENTENCE,
    column,
    first_day,
    key,
    last_day,
    place_key,
    reach_column,
    related,
)
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.members import Household, Organisation, Person


@strawberry.type(description="A resource-list entry: what an organisation or person can give.")
class Resource(Node):
    title: str = column(description="A short title of what is offered.")
    description: str | None = column(
        description="What is offered and on which terms, in the provider's words.",
        public="describes an offer of an organisation or member, not a resident",
    )
    kind: ResourceKind = column(description="What kind of resource it is (venue, funds, …).")
    categories: list[Category] = column(
        description="The service domains it can serve; empty means any category."
    )
    capacity: int = column(description="How many units it offers in a planning period.")
    unit: str | None = column(description="What one unit is (e.g. hours, seats); free text.")
    reach: Level | None = reach_column("it")
    available_from: date | None = first_day("it is available")
    available_to: date | None = last_day("it is available")
    status: ResourceStatus = column(description="Whether it is still offered.")
    created_at: datetime = column(description=ENTRY_CREATED)
    version: int = column(description=ENTRY_VERSION)
    closed_at: datetime | None = column(description=ENTRY_CLOSED)
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = key("cell_id")
    provider_organisation_pk: strawberry.Private[int | None] = key("provider_organisation_id")
    provider_person_pk: strawberry.Private[int | None] = key("provider_person_id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id", "cell_pk", description="The cell whose resource list holds it."
    )

    provider_organisation: (
        Annotated[Organisation, strawberry.lazy("sandan.schema.types.members")] | None
    ) = related(
        "organisation_by_id",
        "provider_organisation_pk",
        description="The organisation that provides it; null when a member does.",
    )

    provider_person: Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None = (
        related(
            "person_by_id",
            "provider_person_pk",
            description="The member who provides it; null when an organisation does.",
        )
    )


@strawberry.type(description="Units of one kind of resource that a need asks for.")
class ResourceRequest:
    kind: ResourceKind = strawberry.field(description="The kind of resource asked for.")
    quantity: int = strawberry.field(description="How many units of it the need takes.")


def _requests(stored: list[dict[str, int]]) -> list[ResourceRequest]:
    return [ResourceRequest(kind=r["kind"], quantity=r["quantity"]) for r in stored]  # type: ignore[arg-type]


@strawberry.type(description="A needs-list entry: what residents need.")
class Need(Node):
    title: str = column(description="A short title of what is needed.")
    description: str | None = column(
        description="The need in more words, as recorded during the household visit.",
        personal=CELL_SCOPE,
    )
    public_text: str | None = column(
        description="The need as staff wrote it for publication (partners and the public read "
        "this, never `description`); null: nothing published beyond the title."
    )
    category: Category = column(description="The service domain it belongs to.")
    channel: NeedChannel = column(description="How the need was collected.")
    scale: MatterScale = column(description="How big a matter it is, which decides who handles it.")
    urgency: Urgency = column(description="How urgent it is.")
    status: NeedStatus = column(description="Where it stands: open, in a deed, done or closed.")
    needs_lead: bool = column(description="Whether fulfilling it needs a lead (a party member).")
    volunteers: int = column(description="How many team members it needs besides the lead.")
    hours: int = column(description="Hours each team member gives to it.")
    skills: list[str] = column(description="Skill tags every team member must have.")
    resource_requests: list[ResourceRequest] = column(
        description="Resource units it needs, per kind.", convert=_requests
    )
    window_from: date | None = first_day("it may be done")
    window_to: date | None = last_day("it may be done")
    reported_on: date = column(description="The day it was reported.")
    created_at: datetime = column(description=ENTRY_CREATED)
    version: int = column(description=ENTRY_VERSION)
    closed_at: datetime | None = column(description=ENTRY_CLOSED)
    close_reason: str | None = column(description="Why it was closed; null while open.")
    pk: strawberry.Private[int] = key("id")
    cell_pk: strawberry.Private[int] = place_key()
    # Which household a need came from is personal (`household` below): None outside the
    # viewer's personal scope.
    visible_household_pk: strawberry.Private[int | None] = key("household_id")

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id",
        "cell_pk",
        description="The cell whose needs list holds it. " + PLACE_SENTENCE,
    )

    household: Annotated[Household, strawberry.lazy("sandan.schema.types.members")] | None = (
        related(
            "household_by_id",
            "visible_household_pk",
            personal=CELL_SCOPE,
            description="The household it came from. " + CELL_SCOPE.sentence,
        )
    )

    deed: Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None = related(
        "deed_by_need_id",
        "pk",
        description="The deed that takes it on (the live one); null until one is proposed.",
    )

    @strawberry.field(
        description="Why the latest optimisation run covering this need left it unmatched "
        "(reason codes); empty when that run proposed a deed or no run covered it."
    )
    async def unmatched_reasons(self, info: Info) -> list[str]:
        return await info.context.loaders.unmatched_reasons_by_need_id.load(self.pk)
