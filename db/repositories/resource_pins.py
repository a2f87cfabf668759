"""Reads behind a resource pin (a resource and a quantity pinned to a need): whether the
resource reaches the need, what committed deeds and other pins already hold of it, and what the
need's other pins already cover. The checks themselves are resolvers/runs/pin_resource.py.

"Committed" deeds are the active ones past proposal: a PROPOSED deed is replaced by the next run
over its cell and period, so it neither blocks a pin nor holds units against one (the run's
instance then decides with what every active deed holds, and skips a pin that no longer fits).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import DeedStatus, NeedStatus
from sandan.db.models import Cell, Deed, DeedResource, Need, Resource
from sandan.db.models.runs import RunConstraint
from sandan.db.repositories.instance import reach_rule
from sandan.db.repositories.writes import ACTIVE_DEED

COMMITTED = tuple(s for s in ACTIVE_DEED if s != DeedStatus.PROPOSED)


async def reaches(session: AsyncSession, need_path: str, resource_id: int) -> bool:
    """The resource's reach cell holds the need's cell (the contract's reach rule)."""
    rule = await reach_rule(session, need_path)
    found = await session.scalar(
        select(Resource.id)
        .join(Cell, Cell.id == Resource.cell_id)
        .where(Resource.id == resource_id, rule.clause(Cell.path, Resource.cell_id, Resource.reach))
    )
    return found is not None


async def has_committed_deed(session: AsyncSession, need_id: int) -> bool:
    found = await session.scalar(
        select(Deed.id).where(Deed.need_id == need_id, Deed.status.in_(COMMITTED)).limit(1)
    )
    return found is not None


def _pending_pins() -> Any:
    """Unlifted resource pins whose need is still waiting for a committed deed: their units are
    reserved in the next run (a need with a committed deed holds its units through the deed)."""
    live = exists().where(Deed.need_id == RunConstraint.need_id, Deed.status.in_(COMMITTED))
    return (
        select(func.coalesce(func.sum(RunConstraint.quantity), 0))
        .join(Need, Need.id == RunConstraint.need_id)
        .where(
            RunConstraint.resource_id.is_not(None),
            RunConstraint.lifted_at.is_(None),
            Need.status == NeedStatus.OPEN,
            ~live,
        )
    )


async def taken_units(session: AsyncSession, resource_id: int) -> int:
    """Units of the resource held by committed deeds or reserved by other pending pins."""
    held = await session.scalar(
        select(func.coalesce(func.sum(DeedResource.quantity), 0))
        .join(Deed, Deed.id == DeedResource.deed_id)
        .where(DeedResource.resource_id == resource_id, Deed.status.in_(COMMITTED))
    )
    reserved = await session.scalar(_pending_pins().where(RunConstraint.resource_id == resource_id))
    return int(held or 0) + int(reserved or 0)


async def pinned_units(session: AsyncSession, need_id: int, kind: str) -> int:
    """Units of one kind already pinned to the need (unlifted pins)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(RunConstraint.quantity), 0))
        .join(Resource, Resource.id == RunConstraint.resource_id)
        .where(
            RunConstraint.need_id == need_id,
            RunConstraint.lifted_at.is_(None),
            Resource.kind == kind,
        )
    )
    return int(total or 0)
