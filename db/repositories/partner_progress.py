"""SQL of partners' progress reports on deeds: what a deed's monthly report shows of them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from sandan.db.enums import ClaimEvent
from sandan.db.models import PartnerClaim, PartnerClaimEvent
from sandan.db.reader import Reader
from sandan.db.repositories.batch import Record, records


async def progress_by_deed_ids(session: Reader, deed_ids: Sequence[int]) -> dict[int, list[Record]]:
    """Every progress report filed on a claim of each deed, oldest first: the deed, the
    organisation, when, the hours added and the claim's percent then."""
    stmt = (
        select(
            PartnerClaim.deed_id,
            PartnerClaim.organisation_id,
            PartnerClaimEvent.at,
            PartnerClaimEvent.hours,
            PartnerClaimEvent.progress,
        )
        .join(PartnerClaim, PartnerClaim.id == PartnerClaimEvent.claim_id)
        .where(
            PartnerClaimEvent.event == ClaimEvent.PROGRESS,
            PartnerClaim.deed_id.in_(list(deed_ids)),
        )
        .order_by(PartnerClaimEvent.at, PartnerClaimEvent.id)
    )
    grouped: dict[int, list[Record]] = {}
    for row in records(await session.execute(stmt)):
        grouped.setdefault(int(row.deed_id), []).append(row)
    return grouped
