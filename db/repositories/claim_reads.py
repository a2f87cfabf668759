"""Reads of partner claims for the API: claims as a partner or staff member sees them, their
history (with expiries computed, not only recorded), each organisation's figures and members."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)

from sandan.db.enums import (
    ClaimEvent,
    ClaimStatus,
)
from sandan.db.models import (
    Cell,
    PartnerClaim,
    PartnerClaimEvent,
    PartnerTask,
    Person,
)
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records
from sandan.db.repositories.claims import pending, shown_status
from sandan.db.repositories.members import person_select
from sandan.db.scope import Scope


def claim_rows(now: datetime) -> Select[Any]:
    return (
        select(
            PartnerClaim.id,
            PartnerClaim.task_id,
            PartnerClaim.slot,
            PartnerClaim.organisation_id,
            PartnerClaim.people,
            PartnerClaim.note,
            shown_status(now).label("status"),
            PartnerClaim.expires_at,
            PartnerClaim.created_at,
            PartnerClaim.deed_id,
            PartnerClaim.hours,
            PartnerClaim.progress,
            Cell.path.label("cell_path"),
        )
        .join(PartnerTask, PartnerTask.id == PartnerClaim.task_id)
        .join(Cell, Cell.id == PartnerTask.cell_id)
    )


async def claim_by_id(session: Reader, claim_id: int, now: datetime) -> Record | None:
    rows = records(await session.execute(claim_rows(now).where(PartnerClaim.id == claim_id)))
    return rows[0] if rows else None


def claims_seen_by(organisation_id: int | None, staff_scope: Scope, now: datetime) -> Select[Any]:
    """A partner's own claims, or the claims on tasks in a staff member's scope."""
    stmt = claim_rows(now)
    if organisation_id is not None:
        return stmt.where(PartnerClaim.organisation_id == organisation_id)
    return stmt.where(staff_scope.clause(Cell.path))


async def claims_by_organisation_ids(
    session: Reader, keys: Sequence[int], now: datetime
) -> dict[int, list[Record]]:
    rows = records(
        await session.execute(
            claim_rows(now).where(PartnerClaim.organisation_id.in_(keys)).order_by(PartnerClaim.id)
        )
    )
    grouped: dict[int, list[Record]] = {}
    for row in rows:
        grouped.setdefault(row.organisation_id, []).append(row)
    return grouped


async def events_by_claim_ids(
    session: Reader, keys: Sequence[int], now: datetime
) -> dict[int, list[Record]]:
    """Each claim's history in time order, with the expiry of a claim that expired unrecorded
    (computed: nobody has claimed its slot since)."""
    columns = (
        PartnerClaimEvent.claim_id,
        PartnerClaimEvent.event,
        PartnerClaimEvent.at,
        PartnerClaimEvent.account_id,
        PartnerClaimEvent.note,
        PartnerClaimEvent.hours,
        PartnerClaimEvent.progress,
    )
    rows = records(
        await session.execute(
            select(*columns)
            .where(PartnerClaimEvent.claim_id.in_(keys))
            .order_by(PartnerClaimEvent.at, PartnerClaimEvent.id)
        )
    )
    grouped: dict[int, list[Record]] = {}
    for row in rows:
        grouped.setdefault(row.claim_id, []).append(row)
    unrecorded = await session.execute(
        select(PartnerClaim.id, PartnerClaim.expires_at).where(
            PartnerClaim.id.in_(keys),
            PartnerClaim.status == ClaimStatus.CLAIMED,
            PartnerClaim.expires_at <= now,
        )
    )
    for claim_id, at in unrecorded:
        grouped.setdefault(claim_id, []).append(
            _Event(claim_id, ClaimEvent.EXPIRED, at, None, None, None, None)
        )
    return grouped


_Event = namedtuple("_Event", "claim_id event at account_id note hours progress")


async def stats_by_organisation_ids(
    session: Reader, keys: Sequence[int], now: datetime
) -> dict[int, Record]:
    """Per organisation: claims made, held now, confirmed, completed (progress 100), hours."""
    confirmed = PartnerClaim.status == ClaimStatus.CONFIRMED
    rows = records(
        await session.execute(
            select(
                PartnerClaim.organisation_id,
                func.count().label("claims"),
                func.count().filter(pending(now)).label("pending"),
                func.count().filter(confirmed).label("confirmed"),
                func.count().filter(confirmed, PartnerClaim.progress == 100).label("completed"),
                func.coalesce(func.sum(PartnerClaim.hours), 0).label("hours"),
            )
            .where(PartnerClaim.organisation_id.in_(keys))
            .group_by(PartnerClaim.organisation_id)
        )
    )
    return {r.organisation_id: r for r in rows}


async def people_by_organisation_ids(
    session: Reader, keys: Sequence[int]
) -> dict[int, list[Record]]:
    """Each organisation's active members, in id order (person columns and their cell path)."""
    rows = records(
        await session.execute(
            person_select(Scope.everything())
            .where(Person.organisation_id.in_(keys), Person.active.is_(True))
            .order_by(Person.id)
        )
    )
    grouped: dict[int, list[Record]] = {}
    for row in rows:
        grouped.setdefault(row.organisation_id, []).append(row)
    return grouped
