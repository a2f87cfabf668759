"""Mutation payloads: the object as saved, or the errors and nothing written (never both)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

from sandan.resolvers.errors import Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.schema.errors import UserError
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person

P = TypeVar("P")

ERRORS = (
    "Why the mutation refused its input, all problems at once; empty on success. When not "
    "empty, nothing was written and the object field is null."
)


def payload(make: Callable[..., P], outcome: Outcome[Any]) -> P:
    """The payload type `make` holding an outcome: its result (in the payload's one field
    besides `errors`), or its problems as errors."""
    (result,) = [f.name for f in dataclasses.fields(cast(Any, make)) if f.name != "errors"]
    return make(**{result: outcome.result, "errors": user_errors(outcome.problems)})


def user_errors(problems: list[Problem]) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in problems]


def _saved(what: str) -> str:
    return f"The {what} as saved (after the change); null when `errors` is not empty."


@strawberry.type(description="The answer of createNeed, updateNeed and closeNeed.")
class NeedPayload:
    need: Need | None = strawberry.field(description=_saved("need"))
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of createResource, updateResource and closeResource.")
class ResourcePayload:
    resource: Resource | None = strawberry.field(description=_saved("resource"))
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of createPerson, updatePerson and closePerson.")
class PersonPayload:
    person: Person | None = strawberry.field(description=_saved("group member"))
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of createHousehold, updateHousehold and closeHousehold.")
class HouseholdPayload:
    household: Household | None = strawberry.field(description=_saved("household"))
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(
    description="The answer of createOrganisation, updateOrganisation and closeOrganisation."
)
class OrganisationPayload:
    organisation: Organisation | None = strawberry.field(description=_saved("organisation"))
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of recordContactVisit.")
class ContactVisitPayload:
    visit: ContactVisit | None = strawberry.field(description=_saved("visit"))
    errors: list[UserError] = strawberry.field(description=ERRORS)
