"""Typed user errors of mutations (their codes: `sandan.resolvers.errors.ErrorCode`), and
masking of unexpected errors."""

from __future__ import annotations

import logging
import uuid

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from sandan.resolvers.errors import ErrorCode

log = logging.getLogger("sandan.errors")


@strawberry.type(description="An expected failure: which input field, why, and a code to act on.")
class UserError:
    code: ErrorCode = strawberry.field(
        description="What kind of problem it is: branch on this, not on the message."
    )
    field: str | None = strawberry.field(
        description=(
            "The input field or argument at fault, as the client named it (`title`, `cell`, "
            "`id`, `reason`); null when the request as a whole is refused (no staff token, "
            "a conflict found only on writing). Show the error next to this field."
        )
    )
    message: str = strawberry.field(
        description=(
            "What is wrong and what would be accepted, in plain words for staff; it never "
            "contains personal data. May change wording between versions."
        )
    )


def _is_unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    # Validation errors have no original error; our own GraphQLErrors carry a code already.
    return original is not None and not isinstance(original, GraphQLError)


class MaskUnexpectedErrors(MaskErrors):
    """Show clients a request id instead of an internal exception; log the real one."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_is_unexpected, error_message="Internal error.")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = uuid.uuid4().hex[:12]
        log.error("unexpected error, request id %s", request_id, exc_info=error.original_error)
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL", "requestId": request_id}
        return masked
