"""Accounts for tests: `make_token` makes an account of a role and a token for it in a real
database, the way `sandan tokens create` does, and returns the raw token."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.engine import create_nullpool_engine
from sandan.db.enums import Role
from sandan.db.models import Cell, Organisation
from sandan.db.repositories.accounts import insert_account, insert_token
from sandan.settings import Settings
from sandan.tokens import new_token, server_key, token_hash


async def make_token(
    url: str,
    role: Role,
    cell_code: str | None = None,
    *,
    organisation_code: str | None = None,
    person_pk: int | None = None,
) -> str:
    """An account of `role` scoped to the cell `cell_code` (None: the whole grid), and a raw
    token for it. Organisations have no code column: `organisation_code` is the organisation's
    name (or its primary key as a string)."""
    engine = create_nullpool_engine(url)
    try:
        async with AsyncSession(engine) as session, session.begin():
            cell_id = None
            if cell_code is not None:
                cell_id = await session.scalar(select(Cell.id).where(Cell.code == cell_code))
                assert cell_id is not None, f"no cell has code {cell_code!r}"
            organisation_id = None
            if organisation_code is not None:
                match = (
                    Organisation.id == int(organisation_code)
                    if organisation_code.isdigit()
                    else Organisation.name == organisation_code
                )
                organisation_id = await session.scalar(
                    select(Organisation.id).where(match).order_by(Organisation.id).limit(1)
                )
                assert organisation_id is not None, f"no organisation {organisation_code!r}"
            account_id = await insert_account(
                session,
                name=f"test {role.value.lower()} {cell_code or 'grid'}",
                role=role,
                cell_id=cell_id,
                person_id=person_pk,
                organisation_id=organisation_id,
            )
            token = new_token()
            await insert_token(
                session, account_id=account_id, token_hash=token_hash(server_key(Settings()), token)
            )
    finally:
        await engine.dispose()
    return token
