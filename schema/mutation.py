"""The root Mutation type. Every payload carries the result or typed errors, never both."""

from __future__ import annotations

import strawberry

from sandan.db.enums import NeedStatus, ResourceStatus
from sandan.resolvers.mutations import engine, specs
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.mutations.rules import Problem
from sandan.schema.context import Info
from sandan.schema.errors import ErrorCode, UserError
from sandan.schema.mutation_inputs import (
    CreateHouseholdInput,
    CreateNeedInput,
    CreateOrganisationInput,
    CreatePersonInput,
    CreateResourceInput,
    RecordContactVisitInput,
    UpdateHouseholdInput,
    UpdateNeedInput,
    UpdateOrganisationInput,
    UpdatePersonInput,
    UpdateResourceInput,
)
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person


def _errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in problems]


@strawberry.type
class NeedPayload:
    need: Need | None
    errors: list[UserError]


@strawberry.type
class ResourcePayload:
    resource: Resource | None
    errors: list[UserError]


@strawberry.type
class PersonPayload:
    person: Person | None
    errors: list[UserError]


@strawberry.type
class HouseholdPayload:
    household: Household | None
    errors: list[UserError]


@strawberry.type
class OrganisationPayload:
    organisation: Organisation | None
    errors: list[UserError]


@strawberry.type
class ContactVisitPayload:
    visit: ContactVisit | None
    errors: list[UserError]


def _need(o: Outcome[Need]) -> NeedPayload:
    return NeedPayload(need=o.result, errors=_errors(o.problems))


def _resource(o: Outcome[Resource]) -> ResourcePayload:
    return ResourcePayload(resource=o.result, errors=_errors(o.problems))


def _person(o: Outcome[Person]) -> PersonPayload:
    return PersonPayload(person=o.result, errors=_errors(o.problems))


def _household(o: Outcome[Household]) -> HouseholdPayload:
    return HouseholdPayload(household=o.result, errors=_errors(o.problems))


def _organisation(o: Outcome[Organisation]) -> OrganisationPayload:
    return OrganisationPayload(organisation=o.result, errors=_errors(o.problems))


BLANK_REASON = Problem(ErrorCode.REQUIRED, "reason", "say why it is closed")
MAX_REASON = 500


def _reason_problems(reason: str) -> list[Problem]:
    stripped = reason.strip()
    if not stripped:
        return [BLANK_REASON]
    if len(stripped) > MAX_REASON:
        return [
            Problem(
                ErrorCode.TOO_LONG, "reason", f"is {len(stripped)} characters; at most {MAX_REASON}"
            )
        ]
    return []


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Add an entry to a needs list.")
    async def create_need(self, info: Info, input: CreateNeedInput) -> NeedPayload:
        return _need(await engine.create(info.context, specs.NEED, input))

    @strawberry.mutation
    async def update_need(
        self, info: Info, id: strawberry.ID, input: UpdateNeedInput
    ) -> NeedPayload:
        return _need(await engine.update(info.context, specs.NEED, id, input))

    @strawberry.mutation(description="Close a need that will not be done (kept, not deleted).")
    async def close_need(self, info: Info, id: strawberry.ID, reason: str) -> NeedPayload:
        problems = _reason_problems(reason)
        if problems:
            return NeedPayload(need=None, errors=_errors(problems))
        values = specs.closed_status(NeedStatus.CLOSED, reason.strip())
        return _need(await engine.close(info.context, specs.NEED, id, values, specs.need_closable))

    @strawberry.mutation(description="Add an entry to a resource list.")
    async def create_resource(self, info: Info, input: CreateResourceInput) -> ResourcePayload:
        return _resource(await engine.create(info.context, specs.RESOURCE, input))

    @strawberry.mutation
    async def update_resource(
        self, info: Info, id: strawberry.ID, input: UpdateResourceInput
    ) -> ResourcePayload:
        return _resource(await engine.update(info.context, specs.RESOURCE, id, input))

    @strawberry.mutation(description="Withdraw a resource (refused while units are committed).")
    async def close_resource(self, info: Info, id: strawberry.ID) -> ResourcePayload:
        values = specs.closed_status(ResourceStatus.CLOSED)
        return _resource(
            await engine.close(info.context, specs.RESOURCE, id, values, specs.resource_closable)
        )

    @strawberry.mutation
    async def create_person(self, info: Info, input: CreatePersonInput) -> PersonPayload:
        return _person(await engine.create(info.context, specs.PERSON, input))

    @strawberry.mutation
    async def update_person(
        self, info: Info, id: strawberry.ID, input: UpdatePersonInput
    ) -> PersonPayload:
        return _person(await engine.update(info.context, specs.PERSON, id, input))

    @strawberry.mutation(description="A member leaves (kept for the history of past deeds).")
    async def close_person(self, info: Info, id: strawberry.ID) -> PersonPayload:
        return _person(
            await engine.close(
                info.context, specs.PERSON, id, {"active": False}, specs.person_closable
            )
        )

    @strawberry.mutation
    async def create_household(self, info: Info, input: CreateHouseholdInput) -> HouseholdPayload:
        return _household(await engine.create(info.context, specs.HOUSEHOLD, input))

    @strawberry.mutation
    async def update_household(
        self, info: Info, id: strawberry.ID, input: UpdateHouseholdInput
    ) -> HouseholdPayload:
        return _household(await engine.update(info.context, specs.HOUSEHOLD, id, input))

    @strawberry.mutation
    async def close_household(self, info: Info, id: strawberry.ID) -> HouseholdPayload:
        return _household(await engine.close(info.context, specs.HOUSEHOLD, id, {"active": False}))

    @strawberry.mutation
    async def create_organisation(
        self, info: Info, input: CreateOrganisationInput
    ) -> OrganisationPayload:
        return _organisation(await engine.create(info.context, specs.ORGANISATION, input))

    @strawberry.mutation
    async def update_organisation(
        self, info: Info, id: strawberry.ID, input: UpdateOrganisationInput
    ) -> OrganisationPayload:
        return _organisation(await engine.update(info.context, specs.ORGANISATION, id, input))

    @strawberry.mutation
    async def close_organisation(self, info: Info, id: strawberry.ID) -> OrganisationPayload:
        return _organisation(
            await engine.close(info.context, specs.ORGANISATION, id, {"active": False})
        )

    @strawberry.mutation(description="Log a household contact visit.")
    async def record_contact_visit(
        self, info: Info, input: RecordContactVisitInput
    ) -> ContactVisitPayload:
        outcome = await engine.create(info.context, specs.CONTACT_VISIT, input)
        return ContactVisitPayload(visit=outcome.result, errors=_errors(outcome.problems))
