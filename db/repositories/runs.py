"""The runs table as a queue: insert, claim, heartbeat, reap, finish, and the reads of runs.

Every state change is one conditional UPDATE (or a row lock): the database decides who owns a
run, never a check in Python followed by a write. A worker's writes name the attempt it took
(`attempts`), so a worker that was presumed dead and comes back cannot overwrite the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from sandan.db.models import Account, Cell
from sandan.db.models.runs import (
    TAKEABLE,
    CancelRequest,
    OptimisationRun,
    OptimisationRunFile,
    RunStatus,
)
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, columns_of, records, rows_grouped_by_key

RUNS_CHANNEL = "sandan_runs"
# Any constant: claims on PostgreSQL serialise on this transaction-level advisory lock, so two
# workers can never both see "nothing overlapping is RUNNING" and take overlapping runs.
CLAIM_LOCK = 7_310_001

Run = OptimisationRun


def utcnow() -> datetime:
    return datetime.now(UTC)


def _is_postgres(session: Reader) -> bool:
    bind = session.get_bind() if isinstance(session, AsyncSession) else session
    return bind.dialect.name == "postgresql"


def run_columns() -> Any:
    """A run's columns, its cell's code, and the name and role of the account that started it
    (null for a bootstrap token)."""
    return (
        columns_of(Run)
        .add_columns(
            Cell.code.label("cell_code"),
            Account.name.label("starter_name"),
            Account.role.label("starter_role"),
        )
        .join(Cell, Cell.id == Run.cell_id)
        .outerjoin(Account, Account.id == Run.started_by_account_id)
    )


async def insert_run(session: AsyncSession, values: dict[str, Any]) -> int:
    pk = await session.scalar(insert(Run).values(**values).returning(Run.id))
    assert pk is not None
    if _is_postgres(session):
        # Delivered at commit: idle workers wake at once instead of at their next poll.
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": RUNS_CHANNEL})
    return int(pk)


async def run_by_id(session: Reader, pk: int) -> Record | None:
    rows = records(await session.execute(run_columns().where(Run.id == pk)))
    return rows[0] if rows else None


async def runs_by_ids(
    session: Reader, keys: Sequence[int], scope: ColumnElement[bool]
) -> dict[int, Record]:
    """The runs of these ids that lie in the caller's scope (the others are missing)."""
    stmt = run_columns().where(Run.id.in_(list(keys)), scope)
    return {int(row.id): row for row in records(await session.execute(stmt))}


def filtered_runs(
    *, cell_id: int | None, statuses: Sequence[RunStatus], scope: ColumnElement[bool]
) -> Any:
    """Runs in the caller's scope, of one cell and in some states when asked (unordered)."""
    stmt = run_columns().where(scope)
    if cell_id is not None:
        stmt = stmt.where(Run.cell_id == cell_id)
    if statuses:
        stmt = stmt.where(Run.status.in_(statuses))
    return stmt


async def runs_by_cell_ids(session: Reader, keys: Sequence[int]) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(session, run_columns(), Run.cell_id, keys, Run.id.desc())


def _overlaps(a: Any, b: Any) -> ColumnElement[bool]:
    """Runs a and b share a cell: one subtree holds the other.

    Periods are not compared: a need whose window spans both periods is in both instances, and
    two runs proposing a deed for it must not both write (the second one's answer would be
    refused by the one-live-deed-per-need index after minutes of solving)."""
    return or_(
        func.substr(a.cell_path, 1, func.length(b.cell_path)) == b.cell_path,
        func.substr(b.cell_path, 1, func.length(a.cell_path)) == a.cell_path,
    )


async def claim(session: AsyncSession, worker: str) -> Record | None:
    """Take the oldest takeable run whose subtree meets no RUNNING run's and no older waiting
    run's.

    Overlapping runs therefore run one after the other, in the order they were started.
    Commits (the claim must be visible to the others at once)."""
    other = aliased(Run)
    blocked = exists().where(
        other.id != Run.id,
        or_(other.status == RunStatus.RUNNING, and_(other.status.in_(TAKEABLE), other.id < Run.id)),
        _overlaps(Run, other),
    )
    stmt = select(Run.id).where(Run.status.in_(TAKEABLE), ~blocked).order_by(Run.id).limit(1)
    if _is_postgres(session):
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLAIM_LOCK})
        stmt = stmt.with_for_update(skip_locked=True, of=Run)
    pk = await session.scalar(stmt)
    if pk is None:
        await session.commit()
        return None
    now = utcnow()
    # Conditional as well: SQLite has no row locks, and two server processes on one SQLite
    # file may both have read this id; only one UPDATE finds it still takeable.
    taken = await session.execute(
        update(Run)
        .where(Run.id == pk, Run.status.in_(TAKEABLE))
        .values(
            status=RunStatus.RUNNING,
            attempts=Run.attempts + 1,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
            progress=None,
            updated_at=now,
        )
    )
    await session.commit()
    if not getattr(taken, "rowcount", 0):
        return None
    return await run_by_id(session, pk)


def _owned(pk: int, attempt: int) -> ColumnElement[bool]:
    return and_(Run.id == pk, Run.attempts == attempt, Run.status == RunStatus.RUNNING)


async def heartbeat(
    session: AsyncSession, pk: int, attempt: int, progress: dict[str, Any] | None
) -> tuple[bool, CancelRequest | None]:
    """Renew the lease (and publish progress): (still ours, the cancel request if any)."""
    values: dict[str, Any] = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
        values["updated_at"] = values["heartbeat_at"]
    stmt = update(Run).where(_owned(pk, attempt)).values(**values).returning(Run.cancel_request)
    row = (await session.execute(stmt)).first()
    if row is not None and progress is not None and _is_postgres(session):
        await session.execute(
            text("SELECT pg_notify(:channel, :id)"), {"channel": RUNS_CHANNEL, "id": str(pk)}
        )
    await session.commit()
    return (row is not None, None if row is None else row[0])


async def finish(
    session: AsyncSession, pk: int, attempt: int, status: RunStatus, **values: Any
) -> bool:
    """Move an owned RUNNING run to its final state; False when it is no longer ours."""
    now = utcnow()
    fields = {"status": status, "finished_at": now, "updated_at": now, **values}
    result = await session.execute(update(Run).where(_owned(pk, attempt)).values(**fields))
    return bool(getattr(result, "rowcount", 0))


async def cancel(session: AsyncSession, pk: int, request: CancelRequest) -> RunStatus | None:
    """Cancel a waiting run at once, or ask its worker to stop; the run's status after."""
    now = utcnow()
    done = await session.execute(
        update(Run)
        .where(Run.id == pk, Run.status.in_(TAKEABLE))
        .values(status=RunStatus.CANCELLED, finished_at=now, updated_at=now)
    )
    if not getattr(done, "rowcount", 0):
        await session.execute(
            update(Run)
            .where(Run.id == pk, Run.status == RunStatus.RUNNING)
            .values(cancel_request=request, updated_at=now)
        )
    status = await session.scalar(select(Run.status).where(Run.id == pk))
    return None if status is None else RunStatus(status)


def dead_worker_message(lease: float) -> str:
    return (
        f"the worker solving this run stopped twice (no heartbeat for {lease:g} s); the run "
        "was not retried again. Start a new run; if it fails the same way, ask the operator "
        "to look at the worker machines' memory and logs."
    )


async def reap(session: AsyncSession, lease_seconds: float) -> int:
    """Runs whose worker went silent for a lease: queued again once (INTERRUPTED), then FAILED.

    Commits; returns how many runs changed."""
    now = utcnow()
    stale = and_(
        Run.status == RunStatus.RUNNING,
        Run.heartbeat_at < now - timedelta(seconds=lease_seconds),
    )
    failed = await session.execute(
        update(Run)
        .where(stale, Run.attempts >= 2)
        .values(
            status=RunStatus.FAILED,
            failure=dead_worker_message(lease_seconds),
            finished_at=now,
            updated_at=now,
        )
    )
    requeued = await session.execute(
        update(Run).where(stale).values(status=RunStatus.INTERRUPTED, progress=None, updated_at=now)
    )
    changed = int(getattr(failed, "rowcount", 0)) + int(getattr(requeued, "rowcount", 0))
    if changed and _is_postgres(session):
        await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": RUNS_CHANNEL})
    await session.commit()
    return changed


async def save_file(session: AsyncSession, pk: int, **files: str) -> None:
    """Store the instance or the solution text of a run (one row per run)."""
    exists_ = await session.scalar(
        select(OptimisationRunFile.run_id).where(OptimisationRunFile.run_id == pk)
    )
    if exists_ is None:
        await session.execute(insert(OptimisationRunFile).values(run_id=pk, **files))
    else:
        await session.execute(
            update(OptimisationRunFile).where(OptimisationRunFile.run_id == pk).values(**files)
        )


async def run_file(session: Reader, pk: int, which: str) -> str | None:
    column = getattr(OptimisationRunFile, which)
    value = await session.scalar(select(column).where(OptimisationRunFile.run_id == pk))
    return None if value is None else str(value)


async def cell_by_pk(session: Reader, pk: int) -> Record | None:
    stmt = select(Cell.id, Cell.code, Cell.path, Cell.level).where(Cell.id == pk)
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


async def cell_codes_by_paths(session: Reader, paths: Sequence[str]) -> list[str]:
    result = await session.execute(select(Cell.code).where(Cell.path.in_(list(paths))))
    return [str(code) for code in result.scalars()]
