"""What staff write when they open work to partners or confirm a claim: the checks of the need
or deed offered, and the partner's people joining a deed's team or leading a new deed; and
what releasing a confirmed claim undoes (its people leave the team)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.enums import (
    ClaimStatus,
    DeedRole,
    DeedStatus,
    NeedStatus,
)
from sandan.db.models import (
    Cell,
    Deed,
    DeedMember,
    Need,
    PartnerClaim,
    Person,
)
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records


async def partner_people(
    session: Reader, organisation_id: int, person_ids: Sequence[int]
) -> list[int]:
    """Of these people, the active ones who belong to the organisation."""
    rows = await session.execute(
        select(Person.id).where(
            Person.id.in_(person_ids),
            Person.organisation_id == organisation_id,
            Person.active.is_(True),
        )
    )
    return list(rows.scalars())


async def join_team(session: AsyncSession, deed_id: int, person_ids: Sequence[int]) -> None:
    """Add people to a deed's team (those already on it stay as they are)."""
    present = set(
        (
            await session.execute(select(DeedMember.person_id).where(DeedMember.deed_id == deed_id))
        ).scalars()
    )
    new = [p for p in person_ids if p not in present]
    if new:
        await session.execute(
            insert(DeedMember),
            [{"deed_id": deed_id, "person_id": p, "role": DeedRole.TEAM} for p in new],
        )


async def deed_for_need(
    session: AsyncSession, need_id: int, lead_id: int, team: Sequence[int], now: datetime
) -> int:
    """An APPROVED deed for a whole need taken by a partner: its first person leads, the rest
    are the team; the need is MATCHED. The live-deed index refuses a second deed."""
    need = (await session.execute(select(Need.cell_id, Need.title).where(Need.id == need_id))).one()
    result = await session.execute(
        insert(Deed)
        .values(
            need_id=need_id,
            cell_id=need.cell_id,
            title=need.title,
            status=DeedStatus.APPROVED,
            lead_id=lead_id,
            approved_at=now,
        )
        .returning(Deed.id)
    )
    deed_id = int(result.scalar_one())
    await session.execute(
        insert(DeedMember),
        [{"deed_id": deed_id, "person_id": lead_id, "role": DeedRole.LEAD}]
        + [{"deed_id": deed_id, "person_id": p, "role": DeedRole.TEAM} for p in team],
    )
    await session.execute(update(Need).where(Need.id == need_id).values(status=NeedStatus.MATCHED))
    return deed_id


async def openable_need(session: AsyncSession, need_id: int) -> Record | None:
    """A need that may be offered whole, with its status and its cell's path (whether it is
    OPEN, with no live deed, the caller checks)."""
    return await _status_and_place(session, Need, need_id)


async def openable_deed(session: AsyncSession, deed_id: int) -> Record | None:
    """A deed whose team slots may be offered, with its status and its cell's path."""
    return await _status_and_place(session, Deed, deed_id)


async def _status_and_place(
    session: AsyncSession, model: type[Need | Deed], pk: int
) -> Record | None:
    stmt = (
        select(model.id, model.cell_id, model.status, Cell.path.label("cell_path"))
        .join(Cell, Cell.id == model.cell_id)
        .where(model.id == pk)
    )
    rows = records(await session.execute(stmt))
    return rows[0] if rows else None


# ---- releasing a confirmed claim -----------------------------------------------------------


async def lock_claim(session: AsyncSession, claim_id: int) -> bool:
    """Lock the claim's row for the rest of the unit of work (PostgreSQL `FOR UPDATE`; SQLite's
    unit of work is already the only writer): a confirmation, a progress report or another
    release of the claim waits, then sees what this one decided. False: no such claim."""
    found = await session.scalar(
        select(PartnerClaim.id).where(PartnerClaim.id == claim_id).with_for_update()
    )
    return found is not None


async def release_confirmed(session: AsyncSession, claim_id: int) -> bool:
    """CONFIRMED → RELEASED in one conditional UPDATE; False when it was not CONFIRMED."""
    result = await session.execute(
        update(PartnerClaim)
        .where(PartnerClaim.id == claim_id, PartnerClaim.status == ClaimStatus.CONFIRMED)
        .values(status=ClaimStatus.RELEASED)
        .returning(PartnerClaim.id)
    )
    return result.first() is not None


async def leave_team(
    session: AsyncSession, deed_id: int, claim_id: int, person_ids: Sequence[int]
) -> list[int]:
    """Take a released claim's people off the deed's team, except those another confirmed
    claim on the deed still names; the people taken off."""
    others = await session.execute(
        select(PartnerClaim.people).where(
            PartnerClaim.deed_id == deed_id,
            PartnerClaim.id != claim_id,
            PartnerClaim.status == ClaimStatus.CONFIRMED,
        )
    )
    kept = {int(p) for people in others.scalars() for p in people}
    leaving = [p for p in person_ids if p not in kept]
    if leaving:
        await session.execute(
            delete(DeedMember).where(
                DeedMember.deed_id == deed_id,
                DeedMember.role == DeedRole.TEAM,
                DeedMember.person_id.in_(leaving),
            )
        )
    return leaving
