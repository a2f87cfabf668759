"""The errors operations report, shared by resolvers (which decide them) and schema (which shows
them): read errors are GraphQL errors carrying a code and the argument at fault; mutation
problems are data in the payload (`ErrorCode` and `Problem`).

`ErrorCode` lives here rather than in `schema/` so the mutation logic does not import schema
modules to name its refusals. It imports strawberry only for the enum decorator, which adds the
GraphQL name and the descriptions to a plain Python enum; no strawberry type is used here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import strawberry
from graphql import GraphQLError


class QueryErrorCode(enum.StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE = "PAGE_SIZE"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    FORBIDDEN = "FORBIDDEN"  # the caller's role may not run this query or read this record


class QueryError(GraphQLError):
    def __init__(self, code: QueryErrorCode, field: str, message: str) -> None:
        super().__init__(message, extensions={"code": code.value, "field": field})


@strawberry.enum(
    description=(
        "Why a mutation refused its input. Nothing was written when any error is returned: "
        "fix every error listed and send the whole mutation again."
    )
)
class ErrorCode(enum.Enum):
    REQUIRED = strawberry.enum_value(
        "REQUIRED",
        description=(
            "A required input field or argument is missing, null or blank (`field` names it). "
            "Fill it in; a form should mark the field as mandatory."
        ),
    )
    INVALID = strawberry.enum_value(
        "INVALID",
        description=(
            "A value breaks a rule that spans fields: an interval that ends before it starts, "
            "a lead allowance for someone who is not a party member; or a text holds characters "
            "nobody types (NUL, other control characters, an unpaired surrogate). `field` names "
            "the field to correct; `message` says which rule."
        ),
    )
    INVALID_ID = strawberry.enum_value(
        "INVALID_ID",
        description=(
            "`field` holds something that is not a global id of the expected type. Send an "
            "`id` read from the API, e.g. a `Cell.id` for a `cell` field."
        ),
    )
    NOT_FOUND = strawberry.enum_value(
        "NOT_FOUND",
        description=(
            "No object has this id, or it lies outside what you may see (households: outside "
            "your personal-data scope). Check the id; reload lists that may be out of date."
        ),
    )
    OUT_OF_RANGE = strawberry.enum_value(
        "OUT_OF_RANGE",
        description=(
            "A number, date or list length lies outside its allowed range; `message` gives "
            "the range. Bring the value into range."
        ),
    )
    TOO_LONG = strawberry.enum_value(
        "TOO_LONG",
        description="A text (or a list item) is longer than allowed; `message` gives the limit.",
    )
    WRONG_LEVEL = strawberry.enum_value(
        "WRONG_LEVEL",
        description=(
            "The cell named by `field` is at a grid level this object cannot sit at (needs "
            "and members sit below the town, households at branch or group level). Pick a cell "
            "at one of the levels `message` names."
        ),
    )
    ALREADY_CLOSED = strawberry.enum_value(
        "ALREADY_CLOSED",
        description=(
            "The object (`field` is `id`), or the one a field links to, is closed: it takes no "
            "changes and no new links. The API cannot reopen it; link to an open object."
        ),
    )
    CONFLICT = strawberry.enum_value(
        "CONFLICT",
        description=(
            "The change contradicts other records: an active deed serves the need, units of "
            "the resource are committed, the person leads a cell or works on active deeds, "
            "a capacity would fall below what is committed. Settle what `message` names first. "
            "Also a lost race: someone else changed the record since you read it (its "
            "`version` moved past `expectedVersion`, or a concurrent write landed first); "
            "reload it and apply your change again."
        ),
    )
    DUPLICATE = strawberry.enum_value(
        "DUPLICATE",
        description=(
            "Another record already has this unique value (a household code). Choose another."
        ),
    )
    IDEMPOTENCY_MISMATCH = strawberry.enum_value(
        "IDEMPOTENCY_MISMATCH",
        description=(
            "This `idempotencyKey` was used before with a different input, so the create is not "
            "a retry of that one. Nothing was written: send a new key for a new record."
        ),
    )
    UNAVAILABLE = strawberry.enum_value(
        "UNAVAILABLE",
        description=(
            "The database failed during the change (a lost connection, a timeout); the "
            "transaction was rolled back, so nothing of it was written. Send the same "
            "mutation again; a create sent with an `idempotencyKey` is safe to repeat."
        ),
    )
    FORBIDDEN = strawberry.enum_value(
        "FORBIDDEN",
        description=(
            "You may not make this change: the request has no staff token, or the object lies "
            "outside the part of the grid your token manages. Ask staff of that cell to do it."
        ),
    )
    ILLEGAL_TRANSITION = strawberry.enum_value(
        "ILLEGAL_TRANSITION",
        description=(
            "The deed's current state does not allow this step (`message` names the current "
            "state and the states the step needs). Reload the deed and offer the steps its "
            "state allows."
        ),
    )
    RATE_LIMITED = strawberry.enum_value(
        "RATE_LIMITED",
        description=(
            "Too many of these from your address in a short time (public comments); "
            "`message` says how many seconds to wait."
        ),
    )
    VILLAGE_APPROVAL_REQUIRED = strawberry.enum_value(
        "VILLAGE_APPROVAL_REQUIRED",
        description=(
            "The deed is a major matter (or above the funding threshold): only village staff "
            "or a town admin may approve and publish it. Ask the village to approve it."
        ),
    )


@dataclass(frozen=True)
class Problem:
    """One reason a mutation refused its input: a code, the input field at fault (camelCase,
    as the client sent it; None for the request as a whole) and a message for people."""

    code: ErrorCode
    field: str | None
    message: str
