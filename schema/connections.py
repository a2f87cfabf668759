"""Relay cursor connections. totalCount runs its COUNT only when a client asks for it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import strawberry

T = TypeVar("T")


# A cursor is base64 of "cursor:<id>" (the JSON read path writes the same in SQL).
CURSOR_PREFIX = "cursor"


class BadCursor(ValueError):
    pass


def encode_cursor(pk: int) -> str:
    return base64.b64encode(f"{CURSOR_PREFIX}:{pk}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        prefix, _, raw = base64.b64decode(cursor, validate=True).decode().partition(":")
        if prefix != CURSOR_PREFIX:
            raise ValueError(prefix)
        return int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"{cursor!r} is not a cursor this API gave out") from None


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type(description="A page of results, oldest first, with Relay cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="All results matching the filter (an extra COUNT: ask only when needed).",
        metadata={"call": "count"},
    )
    async def total_count(self) -> int:
        return await self.counter()

    async def count(self) -> int:
        return await self.counter()
