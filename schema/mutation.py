"""The root Mutation type: thin fields over the spec-driven engine (resolvers.mutations).

Every mutation needs a staff token whose scope covers the object; every payload carries the
object as saved or typed errors (and then nothing was written), never both.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from sandan.resolvers.mutations import engine, specs
from sandan.resolvers.mutations.entity import EntitySpec
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
from sandan.schema.text_guard import ENGINE_CHECKED

_ID = "The `id` of the {} to change, as the API gave it out."
_NEW = "The new {}: required fields must be given, the others have the defaults shown."
_CHANGES = "The fields to change: leave a field out to keep it; null clears an optional one."
_CLOSE = " Nothing is deleted: it stays readable, takes no changes and no new links."


def _id(what: str) -> Any:
    return Annotated[strawberry.ID, strawberry.argument(description=_ID.format(what))]


def _create(spec: EntitySpec[Any], made: type, payload_type: type, what: str, doc: str) -> Any:
    """The mutation creating an entity of `spec` from its `made` input."""

    async def create(info: Info, input: Any) -> Any:
        return payload(payload_type, await engine.create(info.context, spec, input))

    ENGINE_CHECKED.add(create)
    argument = strawberry.argument(description=_NEW.format(what))
    create.__annotations__ = {
        "info": Info,
        "input": Annotated[made, argument],
        "return": payload_type,
    }
    return strawberry.mutation(resolver=create, description=doc)


def _update(spec: EntitySpec[Any], changes: type, payload_type: type, what: str, doc: str) -> Any:
    """The mutation changing an entity of `spec` by its `changes` input."""

    async def update(info: Info, id: strawberry.ID, input: Any) -> Any:
        return payload(payload_type, await engine.update(info.context, spec, id, input))

    ENGINE_CHECKED.add(update)
    update.__annotations__ = {
        "info": Info,
        "id": _id(what),
        "input": Annotated[changes, strawberry.argument(description=_CHANGES)],
        "return": payload_type,
    }
    return strawberry.mutation(resolver=update, description=doc)


def _close(spec: EntitySpec[Any], payload_type: type, what: str, doc: str) -> Any:
    """The mutation closing an entity of `spec` (see `_CLOSE`)."""

    async def close(info: Info, id: strawberry.ID) -> Any:
        return payload(payload_type, await engine.close(info.context, spec, id))

    ENGINE_CHECKED.add(close)
    close.__annotations__ = {"info": Info, "id": _id(what), "return": payload_type}
    return strawberry.mutation(resolver=close, description=doc + _CLOSE)


@strawberry.type(description="Changes to the grid's members and the three lists (staff only).")
class Mutation(
    AccountMutation,
    ClaimMutation,
    DeedMutation,
    MeetingMutation,
    NotificationMutation,
    RunsMutation,
):
    create_need = _create(
        specs.NEED,
        inputs.CreateNeedInput,
        NeedPayload,
        "need",
        "Add an entry to a needs list, below the town level.",
    )
    update_need = _update(
        specs.NEED,
        inputs.UpdateNeedInput,
        NeedPayload,
        "need",
        "Change an open need (a closed or done need is refused).",
    )

    @strawberry.mutation(
        description="Close a need that will not be done, saying why (refused while an active "
        "deed serves it: cancel the deed first)." + _CLOSE
    )
    async def close_need(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description=_ID.format("need"))],
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why it is closed, shown with the need (1 to 500 characters)."
            ),
        ],
    ) -> NeedPayload:
        outcome = await engine.close(info.context, specs.NEED, id, {"reason": reason})
        return payload(NeedPayload, outcome)

    create_resource = _create(
        specs.RESOURCE,
        inputs.CreateResourceInput,
        ResourcePayload,
        "resource",
        "Add an entry to a resource list, at any level.",
    )
    update_resource = _update(
        specs.RESOURCE,
        inputs.UpdateResourceInput,
        ResourcePayload,
        "resource",
        "Change a resource (its capacity cannot fall below the units committed to active deeds).",
    )
    close_resource = _close(
        specs.RESOURCE,
        ResourcePayload,
        "resource",
        "Withdraw a resource (refused while units are committed to active deeds).",
    )
    create_person = _create(
        specs.PERSON,
        inputs.CreatePersonInput,
        PersonPayload,
        "member",
        "Add a group member to a cell below the town level.",
    )
    update_person = _update(
        specs.PERSON,
        inputs.UpdatePersonInput,
        PersonPayload,
        "group member",
        "Change a group member who has not left.",
    )
    close_person = _close(
        specs.PERSON,
        PersonPayload,
        "group member",
        "A member leaves (refused while they lead a cell or work on active deeds: appoint or "
        "reassign first).",
    )
    create_household = _create(
        specs.HOUSEHOLD,
        inputs.CreateHouseholdInput,
        HouseholdPayload,
        "household",
        "Add a household to a branch or group cell (personal data: the caller's scope must "
        "cover the cell).",
    )
    update_household = _update(
        specs.HOUSEHOLD,
        inputs.UpdateHouseholdInput,
        HouseholdPayload,
        "household",
        "Change a household that has not left.",
    )
    close_household = _close(
        specs.HOUSEHOLD, HouseholdPayload, "household", "A household moves away or dissolves."
    )
    create_organisation = _create(
        specs.ORGANISATION,
        inputs.CreateOrganisationInput,
        OrganisationPayload,
        "organisation",
        "Add an organisation (agency, enterprise, NGO) to a cell.",
    )
    update_organisation = _update(
        specs.ORGANISATION,
        inputs.UpdateOrganisationInput,
        OrganisationPayload,
        "organisation",
        "Change an organisation that has not left.",
    )
    close_organisation = _close(
        specs.ORGANISATION,
        OrganisationPayload,
        "organisation",
        "An organisation stops taking part.",
    )
    record_contact_visit = _create(
        specs.CONTACT_VISIT,
        inputs.RecordContactVisitInput,
        ContactVisitPayload,
        "visit",
        "Log a household contact visit by a group member (the level-3 duties); the caller's "
        "personal-data scope must cover the household.",
    )
