"""Reading stored notifications: the viewer's own member's, paged newest first, marked read,
and streamed as they arrive (the subscription polls the table, so it works with several server
processes and on both engines without a message broker)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from sandan.db.repositories import notifications as repo
from sandan.resolvers.errors import ErrorCode, Problem, QueryError, QueryErrorCode
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id
from sandan.schema.types.notification import Notification, NotificationPage

POLL_SECONDS = 1.0
MAX_PAGE = 100


def member_of(ctx: Context) -> int | None:
    """The member whose notifications the viewer reads: their account's person (0 for an
    account that belongs to no member: it has none). None: the viewer may not read any."""
    if not may(ctx.viewer, Action.READ_NOTIFICATIONS):
        return None
    return ctx.viewer.person_pk or 0


def _forbidden() -> QueryError:
    return QueryError(
        QueryErrorCode.FORBIDDEN,
        "notifications",
        "notifications are read with an account's token (the public has none)",
    )


async def page(
    ctx: Context, first: int, after: str | None, unread: bool | None
) -> NotificationPage:
    person = member_of(ctx)
    if person is None:
        raise _forbidden()
    if not 1 <= first <= MAX_PAGE:
        raise QueryError(QueryErrorCode.PAGE_SIZE, "first", f"must be from 1 to {MAX_PAGE}")
    before = None
    if after is not None:
        try:
            _, before = from_global_id(after, expect="Notification")
        except BadGlobalId as e:
            raise QueryError(QueryErrorCode.INVALID_CURSOR, "after", str(e)) from None
    async with ctx.read_engine.connect() as conn:
        rows = await repo.page(conn, person, before_id=before, limit=first + 1, unread=unread)
    nodes = [Notification.from_row(r) for r in rows[:first]]
    return NotificationPage(
        nodes=nodes,
        end_cursor=nodes[-1].id if nodes else None,
        has_next_page=len(rows) > first,
    )


async def mark_read(ctx: Context, ids: list[str]) -> Outcome[int]:
    person = member_of(ctx)
    if person is None:
        return Outcome(None, [Problem(ErrorCode.FORBIDDEN, None, str(_forbidden().message))])
    pks: list[int] = []
    for value in ids:
        try:
            pks.append(from_global_id(value, expect="Notification")[1])
        except BadGlobalId as e:
            return Outcome(None, [Problem(ErrorCode.INVALID_ID, "ids", str(e))])
    async with ctx.sessionmaker() as session, session.begin():
        changed = await repo.mark_read(session, person, pks)
    return Outcome(changed, [])


async def stream(ctx: Context) -> AsyncIterator[Notification]:
    """New notifications of the viewer's member, from the moment of subscribing."""
    person = member_of(ctx)
    if person is None:
        raise _forbidden()
    async with ctx.read_engine.connect() as conn:
        seen = await repo.latest_id(conn)
    while True:
        await asyncio.sleep(POLL_SECONDS)
        async with ctx.read_engine.connect() as conn:
            rows = await repo.newer_than(conn, person, seen)
        for row in rows:
            seen = max(seen, row.id)
            yield Notification.from_row(row)
