"""Who is calling: a bearer token names an account, with its role and scope.

Tokens are made by `sandan tokens create` or the `createToken` mutation and stored as keyed
hashes (sandan.tokens). SANDAN_STAFF_TOKENS ("token=CELLCODE,token2=*") configures bootstrap
tokens besides: each is a town admin of the named cell ("*": the whole grid), enough to make the
first accounts. A request without a token is public: it reads the grid and the lists but no
personal data, and changes nothing. A token that is presented but unknown, expired, revoked or
malformed is refused (HTTP 401, see sandan.guard), never taken for the public: a client with a
mistyped or stale token must learn it.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandan.db.repositories.accounts import token_holder, touch_token, utc
from sandan.db.repositories.grid import cells_by_codes
from sandan.db.scope import Scope
from sandan.schema.context import Viewer
from sandan.tokens import token_hash

WHOLE_GRID = "*"
# Last-used times are written at most this often per token, not once per request.
TOUCH_INTERVAL = 60.0


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def well_formed_token(token: str, max_length: int) -> bool:
    """Printable ASCII without spaces and not too long (RFC 6750's token68, loosely): anything
    else is refused before it is compared, cached or logged."""
    return len(token) <= max_length and token.isascii() and token.isprintable() and " " not in token


async def viewer_for(
    token: str | None,
    staff_tokens: Mapping[str, str],
    sessionmaker: async_sessionmaker[AsyncSession],
) -> Viewer | None:
    """The viewer of a configured bootstrap token; None if the token is not one of them or
    names no cell."""
    if token is None:
        return Viewer.public()
    cell_code = None
    for known, code in staff_tokens.items():
        # Constant-time comparison: response timing must not reveal token prefixes.
        if hmac.compare_digest(known.encode(), token.encode()):
            cell_code = code
    if cell_code is None:
        return None
    if cell_code == WHOLE_GRID:
        return Viewer.staff_of(Scope.everything())
    async with sessionmaker() as session:
        cells = await cells_by_codes(session, [cell_code], Scope.everything())
    if cell_code not in cells:
        return None
    return Viewer.staff_of(Scope.subtrees([cells[cell_code].path]))


class LastUsed:
    """When each token's last-used time was last written in this process: a busy token costs
    one UPDATE a minute, not one per request. Holds one float per valid token seen."""

    def __init__(self, interval: float = TOUCH_INTERVAL) -> None:
        self.interval = interval
        self.written: dict[int, float] = {}

    def due(self, token_pk: int) -> bool:
        now = time.monotonic()
        last = self.written.get(token_pk)
        if last is not None and now - last < self.interval:
            return False
        self.written[token_pk] = now
        return True


async def account_viewer(
    token: str,
    key: bytes,
    sessionmaker: async_sessionmaker[AsyncSession],
    last_used: LastUsed,
) -> Viewer | None:
    """The viewer of an account's token; None if no token has this hash, or it expired, was
    revoked, or its account is disabled (the guard answers 401 for all of them alike)."""
    async with sessionmaker() as session:
        holder = await token_holder(session, token_hash(key, token))
        if holder is None or holder.revoked_at is not None or not holder.active:
            return None
        now = datetime.now(UTC)
        expires_at = utc(holder.expires_at)
        if expires_at is not None and expires_at <= now:
            return None
        if last_used.due(holder.token_id):
            await touch_token(session, holder.token_id, now)
            await session.commit()
    return Viewer.of_role(
        holder.role,
        holder.cell_path,
        account_pk=holder.id,
        token_pk=holder.token_id,
        organisation_pk=holder.organisation_id,
        person_pk=holder.person_id,
    )
