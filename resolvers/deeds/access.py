"""Who may move a deed: the caller's role (`sandan.resolvers.permissions`), the deed's place in
the grid, and the deed's lead, who reports progress on their own deed whatever their role."""

from __future__ import annotations

from sandan.db.enums import Role
from sandan.db.repositories.deeds_lifecycle import Actor, DeedFacts
from sandan.resolvers.permissions import Action, may
from sandan.schema.context import Viewer

DEED_LEAD = "DEED_LEAD"  # not an account role: the member who leads this deed
HOUSEHOLD = "HOUSEHOLD"  # not an account role: the household rating with its one-time code

# Village-level approval (the important-matters list) comes from these roles only.
VILLAGE_LEVEL = frozenset({Role.TOWN_ADMIN, Role.VILLAGE_STAFF})


def role_for(viewer: Viewer, action: Action, deed: DeedFacts) -> str | None:
    """The role the viewer acts in for this action on this deed; None when they may not."""
    lead = viewer.person_pk is not None and viewer.person_pk == deed.lead_pk
    if action is Action.REPORT_PROGRESS and lead:
        return DEED_LEAD
    if viewer.role is not None and may(viewer, action, deed.cell_path):
        return viewer.role.value
    return None


def actor_of(viewer: Viewer, role: str) -> Actor:
    return Actor(role=role, person_pk=viewer.person_pk, account_pk=viewer.account_pk)
