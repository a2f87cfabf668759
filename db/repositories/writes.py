"""Writes: inserts, updates, and the lookups mutations make before writing."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from sandan.db.base import Base
from sandan.db.enums import OPEN_DEED_STATES, DeedRole
from sandan.db.models import Cell, Deed, DeedMember, DeedResource, Household, IdempotencyKey
from sandan.db.place import PLACE_COLUMN, place_cell_id

ACTIVE_DEED = tuple(sorted(OPEN_DEED_STATES))


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def insert_row(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> int:
    table = _table(model)
    pk = await session.scalar(insert(table).values(**values).returning(table.c.id))
    assert pk is not None
    return int(pk)


async def update_row(
    session: AsyncSession,
    model: type[Base],
    pk: int,
    values: dict[str, Any],
    *,
    version: int | None = None,
) -> bool:
    """A conditional write: on a versioned table it lands only while the row still has the
    `version` the caller read, and bumps it. False when no row matched (another writer won)."""
    table = _table(model)
    stmt = update(table).where(table.c.id == pk)
    extra: dict[str, Any] = {"updated_at": func.now()}
    if "version" in table.c:
        extra["version"] = table.c.version + 1
        if version is not None:
            stmt = stmt.where(table.c.version == version)
    result = await session.execute(stmt.values(**values, **extra))
    return cast("int", getattr(result, "rowcount", 0)) == 1


async def idempotent_record(
    session: AsyncSession, owner: str, key: str
) -> tuple[str, str, int] | None:
    """(type name, input digest, record id) a create stored under this caller's key, if any."""
    row = (
        await session.execute(
            select(
                IdempotencyKey.type_name, IdempotencyKey.input_digest, IdempotencyKey.record_id
            ).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def remember_key(
    session: AsyncSession, owner: str, key: str, type_name: str, digest: str, record_id: int
) -> None:
    """Stored in the create's own transaction: the unique (owner, key) lets one of two
    concurrent creates with the same key commit."""
    await session.execute(
        insert(IdempotencyKey).values(
            owner=owner, key=key, type_name=type_name, input_digest=digest, record_id=record_id
        )
    )


async def located_row(session: AsyncSession, model: type[Base], pk: int) -> Row[Any] | None:
    """A row with its cell's path and level (a cell's own, for cells), and the cell it is shown
    at outside the personal scope (sandan.db.place), locked for update."""
    table = _table(model)
    cols = table.c
    if model is Cell:
        stmt = select(*cols, cols.path.label("cell_path"), cols.level.label("cell_level"))
    else:
        stmt = select(
            *cols,
            Cell.path.label("cell_path"),
            Cell.level.label("cell_level"),
            place_cell_id().label(PLACE_COLUMN),
        )
        if "cell_id" in cols:
            stmt = stmt.join(Cell, Cell.id == cols.cell_id)
        else:  # a contact visit sits where its household does
            stmt = stmt.join(Household, Household.id == cols.household_id).join(
                Cell, Cell.id == Household.cell_id
            )
    stmt = stmt.where(table.c.id == pk)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=table)
    # Row is variadic in SQLAlchemy 2.1; callers read it by column name.
    return cast("Row[Any] | None", (await session.execute(stmt)).first())


async def active_deed_of_need(session: AsyncSession, need_id: int) -> int | None:
    return await session.scalar(
        select(Deed.id).where(Deed.need_id == need_id, Deed.status.in_(ACTIVE_DEED))
    )


async def units_committed(session: AsyncSession, resource_id: int) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(DeedResource.quantity), 0))
        .join(Deed, Deed.id == DeedResource.deed_id)
        .where(DeedResource.resource_id == resource_id, Deed.status.in_(ACTIVE_DEED))
    )
    return int(total or 0)


async def active_deeds_of_person(session: AsyncSession, person_id: int) -> int:
    led = select(Deed.id).where(Deed.lead_id == person_id, Deed.status.in_(ACTIVE_DEED))
    joined = (
        select(Deed.id)
        .join(DeedMember, DeedMember.deed_id == Deed.id)
        .where(
            DeedMember.person_id == person_id,
            DeedMember.role == DeedRole.TEAM,
            Deed.status.in_(ACTIVE_DEED),
        )
    )
    total = await session.scalar(select(func.count()).select_from(led.union(joined).subquery()))
    return int(total or 0)


async def household_code_taken(session: AsyncSession, code: str, except_id: int | None) -> bool:
    """Whether another household already has this code (codes are unique)."""
    stmt = select(Household.id).where(Household.code == code)
    if except_id is not None:
        stmt = stmt.where(Household.id != except_id)
    return await session.scalar(stmt.limit(1)) is not None


async def cells_led_by(session: AsyncSession, person_id: int) -> list[str]:
    """Codes of the cells whose secretary or group leader this person is."""
    return list(await session.scalars(select(Cell.code).where(Cell.leader_id == person_id)))


async def stamp_once(
    session: AsyncSession,
    stamp: InstrumentedAttribute[Any],
    where: ColumnElement[bool],
    **values: Any,
) -> bool:
    """Write `values` to the row `where` picks while its `stamp` column is still NULL; True when
    this call wrote them. A conditional write: of two concurrent calls exactly one wins (a
    comment hidden, a code used, a token revoked, a decision done, a pin lifted)."""
    result = await session.execute(
        update(stamp.class_).where(where, stamp.is_(None)).values(**values)
    )
    return bool(getattr(result, "rowcount", 0) == 1)
