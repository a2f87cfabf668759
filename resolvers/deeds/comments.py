"""Residents' public comments on published deeds: anyone may comment (rate-limited per client
address, nothing about the writer stored); staff of the deed's part of the grid may hide an
abusive comment, which the deed's public history records."""

from __future__ import annotations

from datetime import UTC, datetime

from sandan.db.enums import PUBLISHED_DEED_STATES, HistoryKind
from sandan.db.repositories import deeds_comments as repo
from sandan.db.repositories import deeds_lifecycle as lifecycle
from sandan.ratelimit import retry_after
from sandan.resolvers.deeds.transitions import authorise, decode_deed, read_deed
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.resolvers.permissions import Action, actions_of
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, to_global_id
from sandan.schema.types.deeds import Deed

COMMENT_LIMIT = 500


async def comment(ctx: Context, deed_id: str, text: str) -> Outcome[Deed]:
    pk, problems = decode_deed(deed_id, "deed")
    body = text.strip()
    if not body:
        problems.append(Problem(ErrorCode.REQUIRED, "text", "must not be blank"))
    elif len(body) > COMMENT_LIMIT:
        problems.append(Problem(ErrorCode.TOO_LONG, "text", f"at most {COMMENT_LIMIT} characters"))
    if problems or pk is None:
        return Outcome(None, problems)
    async with ctx.read_engine.connect() as conn:
        deed = await lifecycle.deed_facts(conn, pk)
    if deed is None or not deed.published or deed.status not in PUBLISHED_DEED_STATES:
        return Outcome(
            None, [Problem(ErrorCode.NOT_FOUND, "deed", "no published deed has this id")]
        )
    limiter = ctx.comment_limiter  # (an empty RateLimiter is falsy: it has a length)
    wait = limiter.take(ctx.client) if limiter is not None else 0.0
    if wait > 0:
        seconds = retry_after(wait)
        return Outcome(
            None, [Problem(ErrorCode.RATE_LIMITED, None, f"wait {seconds} s before commenting")]
        )
    async with ctx.sessionmaker() as session, session.begin():
        await repo.add_comment(session, pk, body)
    return Outcome(await read_deed(ctx, pk), [])


async def hide(ctx: Context, comment_id: str, reason: str) -> Outcome[Deed]:
    if Action.HIDE_COMMENTS not in actions_of(ctx.viewer.role):
        return Outcome(None, [Problem(ErrorCode.FORBIDDEN, None, "only staff hide comments")])
    try:
        _, pk = from_global_id(comment_id, expect="DeedComment")
    except BadGlobalId as e:
        return Outcome(None, [Problem(ErrorCode.INVALID_ID, "id", str(e))])
    why = reason.strip()
    if not why or len(why) > 500:
        return Outcome(None, [Problem(ErrorCode.REQUIRED, "reason", "1 to 500 characters")])
    async with ctx.read_engine.connect() as conn:
        deed_pk = await repo.deed_of_comment(conn, pk)
    if deed_pk is None:
        return Outcome(None, [Problem(ErrorCode.NOT_FOUND, "id", "no comment has this id")])
    deed, actor, problems = await authorise(
        ctx, Action.HIDE_COMMENTS, to_global_id("Deed", deed_pk)
    )
    if deed is None or actor is None:
        return Outcome(None, problems)
    async with ctx.sessionmaker() as session, session.begin():
        if await repo.hide(session, pk):
            await lifecycle.record_history(
                session,
                deed.pk,
                HistoryKind.COMMENT_HIDDEN,
                actor,
                note=f"a comment was hidden: {why}",
                at=datetime.now(UTC),
            )
    return Outcome(await read_deed(ctx, deed.pk), [])
