"""Every statement of partner work: tasks open to partners, claims and their history.

Claims are decided by the database, never by a check made before a separate write: a claim
runs in a write transaction that first locks the claiming organisation's row and then the
task's row (PostgreSQL `SELECT … FOR UPDATE`; SQLite `BEGIN IMMEDIATE`, one writer at a time),
so two claims of one task, or two claims of one organisation, run one after the other. The
partial unique index on (task, slot) of held claims backs this up. Expiry is a comparison of
`expires_at` with the current time in every statement that counts claims: an unconfirmed claim
past its expiry holds nothing, with no scheduled job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import (
    Category,
    ClaimEvent,
    ClaimStatus,
    DeedStatus,
    NeedStatus,
    TaskKind,
)
from sandan.db.models import (
    Cell,
    Deed,
    Need,
    Organisation,
    PartnerClaim,
    PartnerClaimEvent,
    PartnerTask,
    ServedCell,
)
from sandan.db.place import PLACE_COLUMN, place_cell_id, placed_within
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records
from sandan.db.scope import Scope

# Deeds whose team a partner may join.
JOINABLE_DEED = (DeedStatus.APPROVED, DeedStatus.IN_PROGRESS)


def holds(now: datetime) -> ColumnElement[bool]:
    """A claim that holds its slot at `now`: confirmed, or claimed and not yet expired."""
    return or_(
        PartnerClaim.status == ClaimStatus.CONFIRMED,
        and_(PartnerClaim.status == ClaimStatus.CLAIMED, PartnerClaim.expires_at > now),
    )


def pending(now: datetime) -> ColumnElement[bool]:
    """A claim waiting for staff: claimed and not expired (these count against the cap)."""
    return and_(PartnerClaim.status == ClaimStatus.CLAIMED, PartnerClaim.expires_at > now)


def shown_status(now: datetime) -> ColumnElement[Any]:
    """The status a reader sees: a CLAIMED claim past its expiry reads EXPIRED."""
    return case(
        (
            and_(PartnerClaim.status == ClaimStatus.CLAIMED, PartnerClaim.expires_at <= now),
            ClaimStatus.EXPIRED.value,
        ),
        else_=PartnerClaim.status,
    )


# ---- tasks ---------------------------------------------------------------------------------


def _task_need() -> Any:
    """The need a task is about: its own, or its deed's."""
    return func.coalesce(PartnerTask.need_id, Deed.need_id)


def _held_count(now: datetime) -> Any:
    return (
        select(func.count())
        .where(PartnerClaim.task_id == PartnerTask.id, holds(now))
        .correlate(PartnerTask)
        .scalar_subquery()
    )


def task_rows(now: datetime) -> Select[Any]:
    """Every task with what a partner needs to decide on it (no household data: the need's
    public text, category, skills, hours, window and place), and its free slots at `now`."""
    held = _held_count(now)
    columns: list[Any] = [
        PartnerTask.id,
        PartnerTask.kind,
        PartnerTask.slots,
        PartnerTask.until,
        PartnerTask.need_id,
        PartnerTask.deed_id,
        PartnerTask.cell_id,
        Cell.path.label("cell_path"),
        place_cell_id().label(PLACE_COLUMN),
        Need.id.label("task_need_id"),
        Need.title,
        Need.description,
        Need.category,
        Need.skills,
        Need.hours,
        Need.volunteers,
        Need.window_from,
        Need.window_to,
        (PartnerTask.slots - held).label("free_slots"),
    ]
    stmt: Select[Any] = (
        select(*columns)
        .outerjoin(Deed, Deed.id == PartnerTask.deed_id)
        .join(Need, Need.id == _task_need())
        .join(Cell, Cell.id == PartnerTask.cell_id)
    )
    return stmt


def is_open(now: datetime, *, unfilled: bool = True) -> ColumnElement[bool]:
    """A task takes claims: its `until` and its need's window have not passed, the need is
    still open (NEED) or the deed still joinable (SLOT), and (`unfilled`) a slot is free."""
    today = now.date()
    still = and_(
        or_(PartnerTask.until.is_(None), PartnerTask.until > now),
        or_(Need.window_to.is_(None), Need.window_to >= today),
        or_(
            and_(PartnerTask.kind == TaskKind.NEED, Need.status == NeedStatus.OPEN),
            and_(PartnerTask.kind == TaskKind.SLOT, Deed.status.in_(JOINABLE_DEED)),
        ),
    )
    return and_(still, PartnerTask.slots > _held_count(now)) if unfilled else still


@dataclass(frozen=True)
class TaskFilter:
    categories: tuple[Category, ...] = ()
    skills: tuple[str, ...] = ()
    under_path: str | None = None
    window_from: date | None = None
    window_to: date | None = None
    kind: TaskKind | None = None


def available_tasks(served: Scope, flt: TaskFilter, now: datetime, personal: Scope) -> Select[Any]:
    """Open tasks in the cells a partner serves, filtered; `under` is where the caller sees a
    task (sandan.db.place: a group's task is at its branch outside the personal scope)."""
    stmt = task_rows(now).where(is_open(now), served.clause(Cell.path))
    if flt.categories:
        stmt = stmt.where(Need.category.in_(flt.categories))
    if flt.skills:
        # Skills are a JSON array of strings; its text holds each as "skill" on both engines.
        text = cast(Need.skills, String)
        stmt = stmt.where(or_(*(text.contains(f'"{s}"') for s in flt.skills)))
    if flt.under_path is not None:
        stmt = stmt.where(placed_within(Scope.subtrees([flt.under_path]), personal))
    if flt.window_from is not None:
        stmt = stmt.where(or_(Need.window_to.is_(None), Need.window_to >= flt.window_from))
    if flt.window_to is not None:
        stmt = stmt.where(or_(Need.window_from.is_(None), Need.window_from <= flt.window_to))
    if flt.kind is not None:
        stmt = stmt.where(PartnerTask.kind == flt.kind)
    return stmt


async def task_is_open(session: AsyncSession, task_id: int, now: datetime) -> bool:
    """Whether the task's window, closing time and need or deed still let it take claims
    (whether a slot is free is the caller's next question)."""
    found = await session.scalar(
        task_rows(now)
        .with_only_columns(PartnerTask.id)
        .where(PartnerTask.id == task_id, is_open(now, unfilled=False))
    )
    return found is not None


async def served_paths(session: Reader, organisation_id: int) -> list[str]:
    rows = await session.execute(
        select(Cell.path)
        .join(ServedCell, ServedCell.cell_id == Cell.id)
        .where(ServedCell.organisation_id == organisation_id)
    )
    return list(rows.scalars())


async def task_by_id(session: Reader, task_id: int, now: datetime) -> Record | None:
    rows = records(await session.execute(task_rows(now).where(PartnerTask.id == task_id)))
    return rows[0] if rows else None


async def tasks_by_ids(session: Reader, ids: Sequence[int], now: datetime) -> dict[int, Record]:
    rows = records(await session.execute(task_rows(now).where(PartnerTask.id.in_(ids))))
    return {r.id: r for r in rows}


async def task_for(session: AsyncSession, *, need_id: int | None, deed_id: int | None) -> Any:
    column = PartnerTask.need_id if need_id is not None else PartnerTask.deed_id
    return await session.scalar(select(PartnerTask.id).where(column == (need_id or deed_id)))


async def insert_task(session: AsyncSession, **values: Any) -> int:
    return int(
        (
            await session.execute(insert(PartnerTask).values(**values).returning(PartnerTask.id))
        ).scalar_one()
    )


async def update_task(session: AsyncSession, task_id: int, **values: Any) -> None:
    await session.execute(update(PartnerTask).where(PartnerTask.id == task_id).values(**values))


# ---- claims --------------------------------------------------------------------------------


async def lock_claimant(session: AsyncSession, organisation_id: int, task_id: int) -> bool:
    """Lock the organisation's row, then the task's (always in this order: no deadlocks).
    False when the task does not exist."""
    await session.execute(
        select(Organisation.id).where(Organisation.id == organisation_id).with_for_update()
    )
    found = await session.scalar(
        select(PartnerTask.id).where(PartnerTask.id == task_id).with_for_update()
    )
    return found is not None


async def expire_stale(session: AsyncSession, task_id: int, now: datetime) -> None:
    """Record the expiry of the task's unconfirmed claims past their time (history, and so the
    unique index of held slots frees them). Readers already see them as EXPIRED."""
    stale = (
        await session.execute(
            update(PartnerClaim)
            .where(
                PartnerClaim.task_id == task_id,
                PartnerClaim.status == ClaimStatus.CLAIMED,
                PartnerClaim.expires_at <= now,
            )
            .values(status=ClaimStatus.EXPIRED)
            .returning(PartnerClaim.id, PartnerClaim.expires_at)
        )
    ).all()
    if stale:
        await session.execute(
            insert(PartnerClaimEvent),
            [{"claim_id": c, "event": ClaimEvent.EXPIRED, "at": at} for c, at in stale],
        )


async def pending_count(session: AsyncSession, organisation_id: int, now: datetime) -> int:
    count = await session.scalar(
        select(func.count()).where(PartnerClaim.organisation_id == organisation_id, pending(now))
    )
    return int(count or 0)


async def held_slots(session: AsyncSession, task_id: int, now: datetime) -> set[int]:
    rows = await session.execute(
        select(PartnerClaim.slot).where(PartnerClaim.task_id == task_id, holds(now))
    )
    return set(rows.scalars())


async def insert_claim(session: AsyncSession, *, account_id: int | None, **values: Any) -> int:
    result = await session.execute(
        insert(PartnerClaim)
        .values(claimed_by_account_id=account_id, status=ClaimStatus.CLAIMED, **values)
        .returning(PartnerClaim.id)
    )
    pk = int(result.scalar_one())
    at, note = values["created_at"], values.get("note")
    await add_event(session, pk, ClaimEvent.CLAIMED, at, account_id, note)
    return pk


async def add_event(
    session: AsyncSession,
    claim_id: int,
    event: ClaimEvent,
    at: datetime,
    account_id: int | None,
    note: str | None = None,
    *,
    hours: int | None = None,
    progress: int | None = None,
) -> None:
    await session.execute(
        insert(PartnerClaimEvent).values(
            claim_id=claim_id,
            event=event,
            at=at,
            account_id=account_id,
            note=note,
            hours=hours,
            progress=progress,
        )
    )


async def move_claim(
    session: AsyncSession,
    claim_id: int,
    now: datetime,
    *,
    to: ClaimStatus,
    organisation_id: int | None = None,
    **values: Any,
) -> bool:
    """Move a pending claim (claimed, not expired) to `to` in one conditional UPDATE: of a
    confirmation, a release and an expiry racing each other exactly one outcome wins."""
    stmt = update(PartnerClaim).where(PartnerClaim.id == claim_id, pending(now))
    if organisation_id is not None:
        stmt = stmt.where(PartnerClaim.organisation_id == organisation_id)
    result = await session.execute(stmt.values(status=to, **values).returning(PartnerClaim.id))
    return result.first() is not None


async def add_progress(
    session: AsyncSession, claim_id: int, organisation_id: int, hours: int, progress: int
) -> bool:
    """Add reported hours and set the progress of a confirmed claim of the organisation."""
    result = await session.execute(
        update(PartnerClaim)
        .where(
            PartnerClaim.id == claim_id,
            PartnerClaim.organisation_id == organisation_id,
            PartnerClaim.status == ClaimStatus.CONFIRMED,
        )
        .values(hours=PartnerClaim.hours + hours, progress=progress)
        .returning(PartnerClaim.id)
    )
    return result.first() is not None


async def move_claim_deed(session: AsyncSession, claim_id: int, deed_id: int) -> None:
    await session.execute(
        update(PartnerClaim).where(PartnerClaim.id == claim_id).values(deed_id=deed_id)
    )
