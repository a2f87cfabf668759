"""Typed user errors of mutations, and masking of unexpected errors."""

from __future__ import annotations

import enum
import logging
import uuid

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

log = logging.getLogger("sandan.errors")


@strawberry.enum(description="Why a mutation refused its input.")
class ErrorCode(enum.Enum):
    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    INVALID_ID = "INVALID_ID"
    NOT_FOUND = "NOT_FOUND"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    TOO_LONG = "TOO_LONG"
    WRONG_LEVEL = "WRONG_LEVEL"
    ALREADY_CLOSED = "ALREADY_CLOSED"
    CONFLICT = "CONFLICT"
    DUPLICATE = "DUPLICATE"
    FORBIDDEN = "FORBIDDEN"


@strawberry.type(description="An expected failure: which input field, why, and a code to act on.")
class UserError:
    code: ErrorCode
    field: str | None
    message: str


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
