"""What runs write and staff review: proposed deeds, unmatched needs, pins and forbids."""

from __future__ import annotations

import re
import typing
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import DeedRole, DeedStatus
from sandan.db.models import Cell, Deed, DeedMember, DeedResource, Need
from sandan.db.models.grid import subtree_upper
from sandan.db.models.runs import (
    OptimisationRun,
    RunConstraint,
    RunProposal,
    RunUnmatched,
)
from sandan.db.place import PLACE_COLUMN, place_cell_id
from sandan.db.reader import Reader
from sandan.db.repositories.batch import CHUNK, Record, columns_of, records, rows_grouped_by_key
from sandan.db.repositories.writes import stamp_once

# Rows per INSERT: well under the drivers' bound-parameter limits for these narrow tables.
BATCH = 2000
REASON_CODE = re.compile(r"^[A-Z_]{1,60}$")


def _chunks(items: Sequence[Any], size: int = CHUNK) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


async def replaceable_deeds(
    session: AsyncSession, cell_id: int, start: date, end: date
) -> list[int]:
    """Deeds still PROPOSED by earlier runs over the same cell and period: a new successful
    run replaces them (approved and rejected ones stay)."""
    stmt = (
        select(RunProposal.deed_id)
        .join(OptimisationRun, OptimisationRun.id == RunProposal.run_id)
        .join(Deed, Deed.id == RunProposal.deed_id)
        .where(
            OptimisationRun.cell_id == cell_id,
            OptimisationRun.period_from == start,
            OptimisationRun.period_to == end,
            Deed.status == DeedStatus.PROPOSED,
        )
    )
    return [int(pk) for pk in (await session.scalars(stmt)).all()]


async def delete_deeds(session: AsyncSession, ids: Sequence[int]) -> None:
    # Members, resource uses and the proposal rows go with them (ON DELETE CASCADE).
    for chunk in _chunks(list(ids)):
        await session.execute(delete(Deed).where(Deed.id.in_(chunk)))


async def need_titles(session: AsyncSession, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
    out: dict[int, tuple[str, int]] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = await session.execute(
            select(Need.id, Need.title, Need.cell_id).where(Need.id.in_(chunk))
        )
        out.update({int(r.id): (str(r.title), int(r.cell_id)) for r in rows})
    return out


async def insert_proposals(session: AsyncSession, run_id: int, deeds: Sequence[Any]) -> int:
    """Write each solver deed (need, lead, team, resources, explanation) as a PROPOSED deed.

    `deeds` holds objects with need_id, title, cell_id, lead_id, team, resources, explanation.
    Bulk INSERT ... RETURNING keeps this to a few statements per thousand deeds."""
    written = 0
    for chunk in _chunks(list(deeds), BATCH):
        result = await session.execute(
            insert(Deed).returning(Deed.id, sort_by_parameter_order=True),
            [
                {
                    "need_id": d.need_id,
                    "cell_id": d.cell_id,
                    "title": d.title,
                    "status": DeedStatus.PROPOSED,
                    "lead_id": d.lead_id,
                }
                for d in chunk
            ],
        )
        ids = [int(row[0]) for row in result]
        members: list[dict[str, Any]] = []
        uses: list[dict[str, Any]] = []
        for pk, d in zip(ids, chunk, strict=True):
            if d.lead_id is not None:
                members.append({"deed_id": pk, "person_id": d.lead_id, "role": DeedRole.LEAD})
            members += [{"deed_id": pk, "person_id": p, "role": DeedRole.TEAM} for p in d.team]
            uses += [{"deed_id": pk, "resource_id": r, "quantity": q} for r, q in d.resources]
        proposals = [
            {"deed_id": pk, "run_id": run_id, "explanation": d.explanation}
            for pk, d in zip(ids, chunk, strict=True)
        ]
        await session.execute(insert(RunProposal), proposals)
        for rows, model in ((members, DeedMember), (uses, DeedResource)):
            for part in _chunks(rows, BATCH):
                await session.execute(insert(model), list(part))
        written += len(ids)
    return written


async def insert_unmatched(
    session: AsyncSession, run_id: int, rows: Sequence[tuple[int, list[str]]]
) -> None:
    for chunk in _chunks(list(rows), BATCH):
        await session.execute(
            insert(RunUnmatched),
            [{"run_id": run_id, "need_id": n, "reasons": reasons} for n, reasons in chunk],
        )


def _proposal_columns() -> Any:
    return (
        columns_of(Deed)
        .add_columns(RunProposal.explanation, RunProposal.run_id, RunProposal.rejected_reason)
        .add_columns(Cell.path.label("cell_path"), place_cell_id().label(PLACE_COLUMN))
        .join(RunProposal, RunProposal.deed_id == Deed.id)
        .join(Cell, Cell.id == Deed.cell_id)
    )


async def proposals_page(
    session: Reader, run_id: int, after: int | None, limit: int
) -> list[Record]:
    stmt = _proposal_columns().where(RunProposal.run_id == run_id).order_by(Deed.id).limit(limit)
    if after is not None:
        stmt = stmt.where(Deed.id > after)
    return records(await session.execute(stmt))


async def count_proposals(session: Reader, run_id: int) -> int:
    stmt = select(func.count()).select_from(RunProposal).where(RunProposal.run_id == run_id)
    return int(await session.scalar(stmt) or 0)


def _reason_clause(reason: str | None) -> Any:
    if reason is None:
        return true()
    # Codes are checked against REASON_CODE first, so the pattern holds no wildcard.
    return cast(RunUnmatched.reasons, String).like(f'%"{reason}%')


async def unmatched_page(
    session: Reader, run_id: int, reason: str | None, after: int | None, limit: int
) -> list[Record]:
    stmt = (
        columns_of(RunUnmatched)
        .where(RunUnmatched.run_id == run_id, _reason_clause(reason))
        .order_by(RunUnmatched.id)
        .limit(limit)
    )
    if after is not None:
        stmt = stmt.where(RunUnmatched.id > after)
    return records(await session.execute(stmt))


async def count_unmatched(session: Reader, run_id: int, reason: str | None) -> int:
    stmt = select(func.count()).where(RunUnmatched.run_id == run_id, _reason_clause(reason))
    return int(await session.scalar(stmt) or 0)


async def latest_reasons(session: Reader, need_ids: Sequence[int]) -> dict[int, list[str]]:
    """Per need, the reasons of the latest successful run that covered it (empty if that run
    proposed a deed for it)."""
    unmatched = await rows_grouped_by_key(
        session,
        typing.cast("Select[Any]", select(RunUnmatched.run_id, RunUnmatched.reasons)),
        RunUnmatched.need_id,
        need_ids,
        RunUnmatched.run_id.desc(),
    )
    proposed = await rows_grouped_by_key(
        session,
        select(func.max(RunProposal.run_id).label("run_id"))
        .join(Deed, Deed.id == RunProposal.deed_id)
        .group_by(Deed.need_id),
        Deed.need_id,
        need_ids,
    )
    out: dict[int, list[str]] = {}
    for need_id, rows in unmatched.items():
        latest_proposal = max((r.run_id for r in proposed.get(need_id, ())), default=0)
        if rows and rows[0].run_id > latest_proposal:
            out[need_id] = list(rows[0].reasons)
    return out


# ------------------------------------------------------------------ review


async def proposals_for_review(session: AsyncSession, ids: Sequence[int]) -> dict[int, Record]:
    """Deeds with their run's period and their cell's path, locked for the review."""
    stmt = (
        select(
            Deed.id,
            Deed.status,
            Deed.need_id,
            Deed.lead_id,
            Deed.cell_id,
            Cell.path.label("cell_path"),
            RunProposal.run_id,
            OptimisationRun.period_from,
            OptimisationRun.period_to,
        )
        .join(Cell, Cell.id == Deed.cell_id)
        .outerjoin(RunProposal, RunProposal.deed_id == Deed.id)
        .outerjoin(OptimisationRun, OptimisationRun.id == RunProposal.run_id)
        .where(Deed.id.in_(list(ids)))
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Deed)
    return {int(r.id): r for r in records(await session.execute(stmt))}


async def mark_reviewed(
    session: AsyncSession, ids: Sequence[int], who: str, now: Any, **extra: Any
) -> None:
    """Who reviewed these proposals and when (their deeds' steps are the lifecycle's)."""
    await session.execute(
        update(RunProposal)
        .where(RunProposal.deed_id.in_(list(ids)))
        .values(reviewed_by=who, reviewed_at=now, **extra)
    )


async def insert_constraint(session: AsyncSession, values: dict[str, Any]) -> int:
    pk = await session.scalar(insert(RunConstraint).values(**values).returning(RunConstraint.id))
    assert pk is not None
    return int(pk)


async def constraint_by_id(session: Reader, pk: int) -> Record | None:
    stmt = (
        columns_of(RunConstraint)
        .add_columns(Cell.path.label("cell_path"))
        .join(Cell, Cell.id == RunConstraint.cell_id)
        .where(RunConstraint.id == pk)
    )
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


async def lift_constraint(session: AsyncSession, pk: int, who: str, now: Any) -> bool:
    constraint = RunConstraint.id == pk
    return await stamp_once(
        session, RunConstraint.lifted_at, constraint, lifted_by=who, lifted_at=now
    )


def _period_meets(start: date, end: date) -> Any:
    return and_(
        or_(RunConstraint.period_from.is_(None), RunConstraint.period_from <= end),
        or_(RunConstraint.period_to.is_(None), RunConstraint.period_to >= start),
    )


async def constraints_for_run(
    session: Reader, root_path: str, start: date, end: date
) -> list[Record]:
    """Unlifted pins (of people and resources) and forbids on needs in the subtree whose period
    meets the run's, oldest first."""
    stmt = (
        select(
            RunConstraint.kind,
            RunConstraint.need_id,
            RunConstraint.person_id,
            RunConstraint.role,
            RunConstraint.resource_id,
            RunConstraint.quantity,
        )
        .join(Cell, Cell.id == RunConstraint.cell_id)
        .where(
            RunConstraint.lifted_at.is_(None),
            Cell.path >= root_path,
            Cell.path < subtree_upper(root_path),
            _period_meets(start, end),
        )
        .order_by(RunConstraint.id)
    )
    return records(await session.execute(stmt))


async def constraints_by_ids(
    session: Reader, keys: Sequence[int], scope: ColumnElement[bool]
) -> dict[int, Record]:
    """The pins and forbids of these ids on needs in the caller's scope (the others are missing)."""
    stmt = (
        columns_of(RunConstraint)
        .add_columns(Cell.path.label("cell_path"))
        .join(Cell, Cell.id == RunConstraint.cell_id)
        .where(RunConstraint.id.in_(list(keys)), scope)
    )
    return {int(row.id): row for row in records(await session.execute(stmt))}


def constraints_of_cell(path: str, include_lifted: bool) -> Select[Any]:
    """Pins and forbids on needs in the cell's subtree (unordered; lifted ones when asked)."""
    stmt = (
        columns_of(RunConstraint)
        .add_columns(Cell.path.label("cell_path"))
        .join(Cell, Cell.id == RunConstraint.cell_id)
        .where(Cell.path >= path, Cell.path < subtree_upper(path))
    )
    if not include_lifted:
        stmt = stmt.where(RunConstraint.lifted_at.is_(None))
    return stmt
