"""The root Mutation type: thin fields over the spec-driven engine (resolvers.mutations).

Every mutation needs a staff token whose scope covers the object; every payload carries the
object as saved or typed errors (and then nothing was written), never both.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from sandan.resolvers.mutations import engine, specs
from sandan.schema import mutation_inputs as inputs
from sandan.schema.account_fields import AccountMutation
from sandan.schema.claims_fields import ClaimMutation
from sandan.schema.context import Info
from sandan.schema.deed_mutations import DeedMutation
from sandan.schema.meeting_fields import MeetingMutation
from sandan.schema.notification_fields import NotificationMutation
from sandan.schema.payloads import (
    ContactVisitPayload,
    HouseholdPayload,
    NeedPayload,
    OrganisationPayload,
    PersonPayload,
    ResourcePayload,
    payload,
)
from sandan.schema.runs_api import RunsMutation

_ID = "The `id` of the {} to {}, as the API gave it out."
NeedId = Annotated[strawberry.ID, strawberry.argument(description=_ID.format("need", "change"))]
ResourceId = Annotated[
    strawberry.ID, strawberry.argument(description=_ID.format("resource", "change"))
]
PersonId = Annotated[
    strawberry.ID, strawberry.argument(description=_ID.format("group member", "change"))
]
HouseholdId = Annotated[
    strawberry.ID, strawberry.argument(description=_ID.format("household", "change"))
]
OrganisationId = Annotated[
    strawberry.ID, strawberry.argument(description=_ID.format("organisation", "change"))
]
_NEW = "The new {}: required fields must be given, the others have the defaults shown."
_CHANGES = "The fields to change: leave a field out to keep it; null clears an optional one."
_CLOSE = " Nothing is deleted: it stays readable, takes no changes and no new links."


def _new(what: str) -> str:
    return _NEW.format(what)


@strawberry.type(description="Changes to the grid's members and the three lists (staff only).")
class Mutation(
    AccountMutation,
    ClaimMutation,
    DeedMutation,
    MeetingMutation,
    NotificationMutation,
    RunsMutation,
):
    @strawberry.mutation(description="Add an entry to a needs list, below the town level.")
    async def create_need(
        self,
        info: Info,
        input: Annotated[inputs.CreateNeedInput, strawberry.argument(description=_new("need"))],
    ) -> NeedPayload:
        return payload(NeedPayload, await engine.create(info.context, specs.NEED, input))

    @strawberry.mutation(description="Change an open need (a closed or done need is refused).")
    async def update_need(
        self,
        info: Info,
        id: NeedId,
        input: Annotated[inputs.UpdateNeedInput, strawberry.argument(description=_CHANGES)],
    ) -> NeedPayload:
        return payload(NeedPayload, await engine.update(info.context, specs.NEED, id, input))

    @strawberry.mutation(
        description="Close a need that will not be done, saying why (refused while an active "
        "deed serves it: cancel the deed first)." + _CLOSE
    )
    async def close_need(
        self,
        info: Info,
        id: NeedId,
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why it is closed, shown with the need (1 to 500 characters)."
            ),
        ],
    ) -> NeedPayload:
        outcome = await engine.close(info.context, specs.NEED, id, {"reason": reason})
        return payload(NeedPayload, outcome)

    @strawberry.mutation(description="Add an entry to a resource list, at any level.")
    async def create_resource(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateResourceInput, strawberry.argument(description=_new("resource"))
        ],
    ) -> ResourcePayload:
        return payload(ResourcePayload, await engine.create(info.context, specs.RESOURCE, input))

    @strawberry.mutation(
        description="Change a resource (its capacity cannot fall below the units committed "
        "to active deeds)."
    )
    async def update_resource(
        self,
        info: Info,
        id: ResourceId,
        input: Annotated[inputs.UpdateResourceInput, strawberry.argument(description=_CHANGES)],
    ) -> ResourcePayload:
        outcome = await engine.update(info.context, specs.RESOURCE, id, input)
        return payload(ResourcePayload, outcome)

    @strawberry.mutation(
        description="Withdraw a resource (refused while units are committed to active deeds)."
        + _CLOSE
    )
    async def close_resource(self, info: Info, id: ResourceId) -> ResourcePayload:
        return payload(ResourcePayload, await engine.close(info.context, specs.RESOURCE, id))

    @strawberry.mutation(description="Add a group member to a cell below the town level.")
    async def create_person(
        self,
        info: Info,
        input: Annotated[inputs.CreatePersonInput, strawberry.argument(description=_new("member"))],
    ) -> PersonPayload:
        return payload(PersonPayload, await engine.create(info.context, specs.PERSON, input))

    @strawberry.mutation(description="Change a group member who has not left.")
    async def update_person(
        self,
        info: Info,
        id: PersonId,
        input: Annotated[inputs.UpdatePersonInput, strawberry.argument(description=_CHANGES)],
    ) -> PersonPayload:
        return payload(PersonPayload, await engine.update(info.context, specs.PERSON, id, input))

    @strawberry.mutation(
        description="A member leaves (refused while they lead a cell or work on active deeds: "
        "appoint or reassign first)." + _CLOSE
    )
    async def close_person(self, info: Info, id: PersonId) -> PersonPayload:
        return payload(PersonPayload, await engine.close(info.context, specs.PERSON, id))

    @strawberry.mutation(
        description="Add a household to a branch or group cell (personal data: the caller's "
        "scope must cover the cell)."
    )
    async def create_household(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateHouseholdInput, strawberry.argument(description=_new("household"))
        ],
    ) -> HouseholdPayload:
        return payload(HouseholdPayload, await engine.create(info.context, specs.HOUSEHOLD, input))

    @strawberry.mutation(description="Change a household that has not left.")
    async def update_household(
        self,
        info: Info,
        id: HouseholdId,
        input: Annotated[inputs.UpdateHouseholdInput, strawberry.argument(description=_CHANGES)],
    ) -> HouseholdPayload:
        outcome = await engine.update(info.context, specs.HOUSEHOLD, id, input)
        return payload(HouseholdPayload, outcome)

    @strawberry.mutation(description="A household moves away or dissolves." + _CLOSE)
    async def close_household(self, info: Info, id: HouseholdId) -> HouseholdPayload:
        return payload(HouseholdPayload, await engine.close(info.context, specs.HOUSEHOLD, id))

    @strawberry.mutation(description="Add an organisation (agency, enterprise, NGO) to a cell.")
    async def create_organisation(
        self,
        info: Info,
        input: Annotated[
            inputs.CreateOrganisationInput, strawberry.argument(description=_new("organisation"))
        ],
    ) -> OrganisationPayload:
        outcome = await engine.create(info.context, specs.ORGANISATION, input)
        return payload(OrganisationPayload, outcome)

    @strawberry.mutation(description="Change an organisation that has not left.")
    async def update_organisation(
        self,
        info: Info,
        id: OrganisationId,
        input: Annotated[inputs.UpdateOrganisationInput, strawberry.argument(description=_CHANGES)],
    ) -> OrganisationPayload:
        outcome = await engine.update(info.context, specs.ORGANISATION, id, input)
        return payload(OrganisationPayload, outcome)

    @strawberry.mutation(description="An organisation stops taking part." + _CLOSE)
    async def close_organisation(self, info: Info, id: OrganisationId) -> OrganisationPayload:
        outcome = await engine.close(info.context, specs.ORGANISATION, id)
        return payload(OrganisationPayload, outcome)

    @strawberry.mutation(
        description="Log a household contact visit by a group member (the level-3 duties); "
        "the caller's personal-data scope must cover the household."
    )
    async def record_contact_visit(
        self,
        info: Info,
        input: Annotated[
            inputs.RecordContactVisitInput, strawberry.argument(description=_new("visit"))
        ],
    ) -> ContactVisitPayload:
        outcome = await engine.create(info.context, specs.CONTACT_VISIT, input)
        return payload(ContactVisitPayload, outcome)
