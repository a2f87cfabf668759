"""The instance a run solves: the existing export, with the staff's pins and forbids added
and their resource pins reserved (resolvers/runs/resource_pins.py).

A new run over the same cell and period replaces the earlier runs' unapproved proposals, so
those must not count as held capacity in its instance. The export runs inside a transaction
that first deletes them and is then rolled back: the export itself (resolvers/instance.py)
stays the one place that decides what an instance holds, and nothing changes until the new run
succeeds (its results are written in one transaction that deletes them for real).

Approved deeds are not in the instance at all (the export leaves out needs with a live deed and
takes their people's and resources' share off capacity), so a re-run can never move them: that
is the contract's pin, enforced before the solver sees the instance.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from sandan.db.models.runs import ConstraintKind
from sandan.db.repositories import run_results
from sandan.db.repositories.batch import Record
from sandan.resolvers.instance import export_instance
from sandan.resolvers.runs.resource_pins import reserve


async def prepare_instance(
    sessionmaker: async_sessionmaker[AsyncSession], run: Record
) -> tuple[dict[str, Any], int]:
    """(instance, constraints left out because their need or person is not in it).

    `run` has cell_id, cell_code, cell_path, period_from and period_to (a run row, or the
    solve_process.Job the child process gets)."""
    async with sessionmaker() as session:
        try:
            replaced = await run_results.replaceable_deeds(
                session, run.cell_id, run.period_from, run.period_to
            )
            await run_results.delete_deeds(session, replaced)
            instance = await export_instance(session, run.cell_code, run.period_from, run.period_to)
            constraints = await run_results.constraints_for_run(
                session, run.cell_path, run.period_from, run.period_to
            )
        finally:
            await session.rollback()
    people = [c for c in constraints if c.resource_id is None]
    skipped = add_constraints(instance, people)
    skipped += reserve(instance, [c for c in constraints if c.resource_id is not None])
    return instance, skipped


def add_constraints(instance: dict[str, Any], constraints: list[Record]) -> int:
    """Person pins and forbids whose need and person are both in the instance; the count left
    out."""
    needs = {n["id"] for n in instance["needs"]}
    people = {p["id"] for p in instance["people"]}
    pins: list[dict[str, str]] = []
    forbid: list[dict[str, str]] = []
    skipped = 0
    seen: set[tuple[str, str, str]] = set()
    for c in constraints:
        need, person = f"n{c.need_id}", f"p{c.person_id}"
        if need not in needs or person not in people:
            skipped += 1
            continue
        key = (str(c.kind), need, person)
        if key in seen:
            continue
        seen.add(key)
        if c.kind == ConstraintKind.PIN:
            pins.append({"need": need, "person": person, "role": str(c.role)})
        else:
            forbid.append({"need": need, "person": person})
    instance["pins"] = pins
    instance["forbid"] = forbid
    return skipped
