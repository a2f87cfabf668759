"""The household's rating of its completed deed, with a one-time feedback code.

Why a code rather than the contact member recording it: the rating is the household's own
judgement of work its contact member often took part in; a code handed to the household when
the deed is completed lets it rate from any phone without an account, and only once. The code
is shown once (to the member who completes the deed, who passes it on) and kept only as a
keyed hash, like API tokens.
"""

from __future__ import annotations

import secrets

from sandan.db.enums import DeedStatus
from sandan.db.repositories import deeds_feedback as repo
from sandan.db.repositories import deeds_lifecycle as lifecycle
from sandan.db.repositories.deeds_lifecycle import Actor
from sandan.resolvers.deeds.access import HOUSEHOLD
from sandan.resolvers.deeds.transitions import COMPLETE, EVALUATE, move_in, read_deed, transition
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.engine import Outcome
from sandan.schema.context import Context
from sandan.schema.types.deeds import Deed
from sandan.tokens import server_key, token_hash

# No 0/O, 1/I/L: the code is read out or copied from paper.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
COMMENT_LIMIT = 500


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def _hash(ctx: Context, code: str) -> str:
    normalised = code.strip().upper().replace("-", "").replace(" ", "")
    return token_hash(server_key(ctx.settings), "feedback:" + normalised)


async def complete(
    ctx: Context, deed_id: str, note: str | None
) -> tuple[Outcome[Deed], str | None]:
    """Completes the deed and issues its household's feedback code (returned once)."""
    code = new_code()
    outcome = await transition(
        ctx,
        deed_id,
        COMPLETE,
        note=note,
        then=lambda s, pk: repo.store_code(s, pk, _hash(ctx, code)),
    )
    return outcome, code if outcome.result is not None else None


async def rate(ctx: Context, code: str, rating: int, comment: str | None) -> Outcome[Deed]:
    problems: list[Problem] = []
    if not 1 <= rating <= 5:
        problems.append(Problem(ErrorCode.OUT_OF_RANGE, "rating", "must be from 1 to 5"))
    text = (comment or "").strip() or None
    if text is not None and len(text) > COMMENT_LIMIT:
        problems.append(
            Problem(ErrorCode.TOO_LONG, "comment", f"at most {COMMENT_LIMIT} characters")
        )
    if problems:
        return Outcome(None, problems)
    code_hash = _hash(ctx, code)
    unknown = Problem(ErrorCode.NOT_FOUND, "code", "this feedback code is unknown or was used")
    async with ctx.read_engine.connect() as conn:
        deed_pk = await repo.deed_of_code(conn, code_hash)
        deed = None if deed_pk is None else await lifecycle.deed_facts(conn, deed_pk)
    if deed is None:
        return Outcome(None, [unknown])
    if deed.status is not DeedStatus.COMPLETED:
        return Outcome(
            None,
            [Problem(ErrorCode.ILLEGAL_TRANSITION, "code", f"the deed is {deed.status}")],
        )
    async with ctx.sessionmaker() as session, session.begin():
        if not await repo.use_code(session, code_hash):
            return Outcome(None, [unknown])
        await repo.store_rating(session, deed.pk, rating, text)
        problem = await move_in(
            session, deed, EVALUATE, Actor(role=HOUSEHOLD), note=f"rated {rating}/5"
        )
        if problem is not None:
            await session.rollback()
            return Outcome(None, [problem])
    return Outcome(await read_deed(ctx, deed.pk), [])
