"""The page queries of the partner-work roots (`availableTasks`, `partnerClaims`), registered in
`sandan.resolvers.pages.PAGE_ROWS` like every connection root: arguments checked, the caller's
scope applied, nothing read yet."""

from __future__ import annotations

from typing import Any

from sandan.db.models import PartnerClaim, PartnerTask
from sandan.db.repositories import claim_reads, claims
from sandan.resolvers.claims import claims_visible, now, partner_scope
from sandan.resolvers.paging import Rows, cell_path
from sandan.schema.context import Context


async def available_tasks(ctx: Context, *, filter: Any = None) -> Rows:
    """Open tasks in the cells the caller's organisation serves (partners only)."""
    _, served = await partner_scope(ctx, "availableTasks")
    flt = claims.TaskFilter(
        categories=tuple(getattr(filter, "category", None) or ()),
        skills=tuple(getattr(filter, "skills", None) or ()),
        under_path=await cell_path(ctx, getattr(filter, "under", None), "filter.under"),
        window_from=getattr(filter, "from_", None),
        window_to=getattr(filter, "to", None),
        kind=getattr(filter, "kind", None),
    )
    return claims.available_tasks(served, flt, now(), ctx.viewer.personal), PartnerTask.id


async def partner_claims(ctx: Context) -> Rows:
    """A partner's own claims, or those in a staff member's subtree."""
    organisation, scope = claims_visible(ctx.viewer)
    return claim_reads.claims_seen_by(organisation, scope, now()), PartnerClaim.id
