"""Errors of read operations: GraphQL errors carrying a code and the argument at fault."""

from __future__ import annotations

import enum

from graphql import GraphQLError


class QueryErrorCode(enum.StrEnum):
    NOT_FOUND = "NOT_FOUND"
    INVALID_ID = "INVALID_ID"
    INVALID_CURSOR = "INVALID_CURSOR"
    PAGE_SIZE = "PAGE_SIZE"
    INVALID_ARGUMENT = "INVALID_ARGUMENT"


class QueryError(GraphQLError):
    def __init__(self, code: QueryErrorCode, field: str, message: str) -> None:
        super().__init__(message, extensions={"code": code.value, "field": field})
