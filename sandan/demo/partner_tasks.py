"""Partner work in the demo: some needs and deeds of the cells the demo partner serves are
opened to partners (through the same logic as `openToPartners`), so `serve --demo` shows a
partner something to claim. Made once; later starts find them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.engine import in_one_transaction
from sandan.db.enums import NeedStatus
from sandan.db.models import Cell, Deed, Need, PartnerTask, Person, ServedCell
from sandan.db.repositories.claims import JOINABLE_DEED
from sandan.db.scope import Scope
from sandan.resolvers.claims import open_to_partners
from sandan.schema.context import Viewer
from sandan.settings import Settings

PER_KIND = 3  # needs offered whole, and deeds offering team slots
WINDOW_DAYS = 60


async def open_demo_tasks(settings: Settings) -> str:
    """Open a few tasks in the served cells; a line saying what there is."""
    return await in_one_transaction(settings.database_url, _open)


async def _open(session: AsyncSession) -> str:
    existing = await session.scalar(select(PartnerTask.id).limit(1))
    if existing is not None:
        return "partner tasks: opened on an earlier start"
    served = (
        await session.execute(
            select(ServedCell.organisation_id, Cell.path).join(Cell, Cell.id == ServedCell.cell_id)
        )
    ).first()
    if served is None:
        return "partner tasks: no partner serves any cell"
    organisation, path = served
    within = Scope.subtrees([path]).clause(Cell.path)
    needs = (
        await session.scalars(
            select(Need.id)
            .join(Cell, Cell.id == Need.cell_id)
            .where(within, Need.status == NeedStatus.OPEN, ~Need.id.in_(select(Deed.need_id)))
            .order_by(Need.id)
            .limit(PER_KIND)
        )
    ).all()
    deeds = (
        await session.scalars(
            select(Deed.id)
            .join(Cell, Cell.id == Deed.cell_id)
            .where(within, Deed.status.in_(JOINABLE_DEED))
            .order_by(Deed.id)
            .limit(PER_KIND)
        )
    ).all()
    # The demo's windows lie in its planning period; keep these open from today.
    deed_needs = select(Deed.need_id).where(Deed.id.in_(deeds))
    await session.execute(
        update(Need)
        .where(Need.id.in_(needs) | Need.id.in_(deed_needs))
        .values(window_to=date.today() + timedelta(days=WINDOW_DAYS))
    )
    admin = Viewer.staff_of(Scope.everything())
    until = datetime.now(UTC) + timedelta(days=WINDOW_DAYS)
    for need in needs:
        await open_to_partners(session, admin, need_pk=need, deed_pk=None, slots=1, until=until)
    for deed in deeds:
        await open_to_partners(session, admin, need_pk=None, deed_pk=deed, slots=2, until=until)
    # The partner's people: two members of the served cells join the organisation.
    people = (
        await session.scalars(
            select(Person.id)
            .join(Cell, Cell.id == Person.cell_id)
            .where(within, Person.organisation_id.is_(None))
            .order_by(Person.id)
            .limit(2)
        )
    ).all()
    await session.execute(
        update(Person).where(Person.id.in_(people)).values(organisation_id=organisation)
    )
    return (
        f"partner tasks: {len(needs)} needs and {len(deeds)} deeds open to partners; "
        f"organisation {organisation} has {len(people)} people to claim with"
    )
