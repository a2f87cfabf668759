"""Who is calling: staff present a bearer token that names the cell they manage.

Tokens come from SANDAN_STAFF_TOKENS ("token=CELLCODE,token2=*"). A request without a token
is public: it reads the grid and the lists but no personal data, and changes nothing. A token
that is presented but unknown or malformed is refused (HTTP 401, see sandan.guard), never
taken for the public: a client with a mistyped token must learn it.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandan.db.repositories.grid import cells_by_codes
from sandan.db.scope import Scope
from sandan.schema.context import Viewer

WHOLE_GRID = "*"


def parse_staff_tokens(spec: str) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for item in spec.split(","):
        token, sep, cell_code = item.strip().partition("=")
        if not item.strip():
            continue
        if not sep or not token or not cell_code:
            raise ValueError(f"SANDAN_STAFF_TOKENS entry {item!r} is not token=CELLCODE")
        if len(token) < 12:
            raise ValueError("staff tokens must be at least 12 characters long")
        tokens[token] = cell_code
    return tokens


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
    """The viewer of a staff token; None if the token is unknown or names no cell."""
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
