"""Relay cursor connections. totalCount runs its COUNT only when a client asks for it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from sandan.schema.ids import MAX_KEY, shown

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
        pk = int(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(f"{shown(cursor)} is not a cursor this API gave out") from None
    if not -MAX_KEY - 1 <= pk <= MAX_KEY:  # the database's keys are 64-bit
        raise BadCursor(f"{shown(cursor)} is not a cursor this API gave out")
    return pk


@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More results follow: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="True when the page was asked for with `after` (results come before it)."
    )
    start_cursor: str | None = strawberry.field(
        description="The first edge's cursor; on an empty page, the `after` that was given."
    )
    end_cursor: str | None = strawberry.field(
        description="The last edge's cursor: pass it as `after` for the next page; on an empty "
        "page, the `after` that was given (so paging never restarts from the beginning)."
    )


@strawberry.type(description="One result of a page with its cursor (Relay).")
class Edge(Generic[T]):
    cursor: str = strawberry.field(
        description="An opaque position: pass it as `after` to get the results after this one."
    )
    node: T = strawberry.field(description="The result itself.")


@strawberry.type(description="A page of results, oldest first, with Relay cursors.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(
        description="The page's results with their cursors (use to page from any result)."
    )
    nodes: list[T] = strawberry.field(
        description="The page's results without cursors (the same objects as `edges`)."
    )
    page_info: PageInfo = strawberry.field(description="Whether more results follow, and where.")
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(
        description="All results matching the filter (an extra COUNT: ask only when needed).",
        metadata={"call": "count"},
    )
    async def total_count(self) -> int:
        return await self.counter()

    async def count(self) -> int:
        return await self.counter()


# The arguments every list root shares.
First = Annotated[
    int | None,
    strawberry.argument(
        description="Page size: at most this many results (default 20; above the server's cap, "
        "100 unless configured, the answer is a PAGE_SIZE error)."
    ),
]
After = Annotated[
    str | None,
    strawberry.argument(
        description="A cursor (`endCursor` or an edge's `cursor`): results after it; null: from "
        "the start."
    ),
]
