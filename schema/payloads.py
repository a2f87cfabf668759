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


def _payload_type(field: str, of: type[Any], what: str, description: str = "") -> Any:
    """The payload type `<Of>Payload { <field>: <Of> | null, errors }` of the create, update
    and close mutations of `of` (`errors` last, as in every payload)."""
    name = f"{of.__name__}Payload"
    namespace = {
        "__module__": __name__,
        "__qualname__": name,
        "__annotations__": {field: of | None, "errors": list[UserError]},
        field: strawberry.field(description=_saved(what)),
        "errors": strawberry.field(description=ERRORS),
    }
    entity = of.__name__
    answer = description or f"The answer of create{entity}, update{entity} and close{entity}."
    return strawberry.type(type(name, (), namespace), description=answer)


NeedPayload = _payload_type("need", Need, "need")
ResourcePayload = _payload_type("resource", Resource, "resource")
PersonPayload = _payload_type("person", Person, "group member")
HouseholdPayload = _payload_type("household", Household, "household")
OrganisationPayload = _payload_type("organisation", Organisation, "organisation")
ContactVisitPayload = _payload_type(
    "visit", ContactVisit, "visit", "The answer of recordContactVisit."
)
