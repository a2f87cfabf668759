"""Accounts and API tokens: the SQL behind sign-in, the `sandan accounts|tokens` commands and
the account mutations. Tokens are looked up by their keyed hash only (sandan.tokens)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import Level, Role
from sandan.db.models import Account, ApiToken, Cell, Organisation, ServedCell
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records
from sandan.db.repositories.writes import stamp_once
from sandan.db.scope import Scope


def utc(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


async def insert_account(
    session: AsyncSession,
    *,
    name: str,
    role: Role,
    cell_id: int | None,
    person_id: int | None = None,
    organisation_id: int | None = None,
) -> int:
    pk = await session.scalar(
        insert(Account)
        .values(
            name=name,
            role=role,
            cell_id=cell_id,
            person_id=person_id,
            organisation_id=organisation_id,
            active=True,
        )
        .returning(Account.id)
    )
    assert pk is not None
    return int(pk)


async def insert_token(
    session: AsyncSession,
    *,
    account_id: int,
    token_hash: str,
    label: str | None = None,
    expires_at: datetime | None = None,
) -> int:
    pk = await session.scalar(
        insert(ApiToken)
        .values(account_id=account_id, token_hash=token_hash, label=label, expires_at=expires_at)
        .returning(ApiToken.id)
    )
    assert pk is not None
    return int(pk)


def account_select() -> Select[Any]:
    """Accounts with their scope cell's code and path (null for the whole grid)."""
    columns: list[Any] = [*Account.__table__.columns]
    columns += [Cell.code.label("cell_code"), Cell.path.label("cell_path")]
    return select(*columns).outerjoin(Cell, Cell.id == Account.cell_id)


async def token_holder(session: Reader, token_hash: str) -> Record | None:
    """The token with this hash and its account (whatever their state: the caller decides
    whether an expired or revoked token, or a disabled account, may sign in)."""
    stmt = account_select().add_columns(
        ApiToken.id.label("token_id"),
        ApiToken.expires_at,
        ApiToken.revoked_at,
        ApiToken.last_used_at,
    )
    stmt = stmt.join(ApiToken, ApiToken.account_id == Account.id).where(
        ApiToken.token_hash == token_hash
    )
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


async def touch_token(session: AsyncSession, token_id: int, when: datetime) -> None:
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when))


async def revoke_token(session: AsyncSession, token_id: int, when: datetime) -> bool:
    """Revoke a token; False if it was revoked already."""
    token = ApiToken.id == token_id
    return await stamp_once(
        session, ApiToken.revoked_at, token, revoked_at=when, updated_at=func.now()
    )


async def set_account_active(session: AsyncSession, account_id: int, active: bool) -> bool:
    result = await session.execute(
        update(Account).where(Account.id == account_id).values(active=active, updated_at=func.now())
    )
    return bool(getattr(result, "rowcount", 0))


def accounts_in(scope: Scope) -> Select[Any]:
    """Accounts whose scope cell lies in `scope` (whole-grid accounts only for the whole grid)."""
    stmt = account_select()
    if not scope.is_everything:
        stmt = stmt.where(scope.clause(Cell.path))
    return stmt


async def account_by_id(session: Reader, account_id: int) -> Record | None:
    rows = records(await session.execute(account_select().where(Account.id == account_id)))
    return rows[0] if rows else None


async def all_accounts(session: Reader, scope: Scope) -> list[Record]:
    return records(await session.execute(accounts_in(scope).order_by(Account.id)))


async def tokens_of(
    session: Reader,
    *,
    account_ids: Sequence[int] | None = None,
    token_ids: Sequence[int] | None = None,
) -> list[Record]:
    """Tokens (never their hashes): of some accounts, or some tokens, or all."""
    stmt = select(
        ApiToken.id,
        ApiToken.account_id,
        ApiToken.label,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    ).order_by(ApiToken.id)
    if account_ids is not None:
        stmt = stmt.where(ApiToken.account_id.in_(list(account_ids)))
    if token_ids is not None:
        stmt = stmt.where(ApiToken.id.in_(list(token_ids)))
    return records(await session.execute(stmt))


async def token_by_id(session: Reader, token_id: int) -> Record | None:
    stmt = (
        account_select()
        .add_columns(ApiToken.id.label("token_id"), ApiToken.revoked_at)
        .join(ApiToken, ApiToken.account_id == Account.id)
        .where(ApiToken.id == token_id)
    )
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


async def add_served_cells(
    session: AsyncSession, organisation_id: int, cell_ids: Sequence[int]
) -> None:
    existing = set(
        await session.scalars(
            select(ServedCell.cell_id).where(ServedCell.organisation_id == organisation_id)
        )
    )
    new = [c for c in dict.fromkeys(cell_ids) if c not in existing]
    if new:
        await session.execute(
            insert(ServedCell), [{"organisation_id": organisation_id, "cell_id": c} for c in new]
        )


async def first_cell(session: Reader, level: Level, under_path: str | None) -> Record | None:
    """The first cell (by id) of a level, in a subtree or anywhere: the demo's sample scopes."""
    stmt = select(Cell.id, Cell.code, Cell.path).where(Cell.level == level)
    if under_path is not None:
        stmt = stmt.where(Scope.subtrees([under_path]).clause(Cell.path))
    rows = records(await session.execute(stmt.order_by(Cell.id).limit(1)))
    return rows[0] if rows else None


async def first_organisation(session: Reader, under_path: str) -> int | None:
    stmt = (
        select(Organisation.id)
        .join(Cell, Cell.id == Organisation.cell_id)
        .where(Scope.subtrees([under_path]).clause(Cell.path))
        .order_by(Organisation.id)
        .limit(1)
    )
    found = await session.scalar(stmt)
    return None if found is None else int(found)
