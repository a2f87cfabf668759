"""Who may move a deed: the role a caller acts in, and which roles each step allows.

The roles are the names of the roles interface (`Role` in `sandan.db.enums` once the accounts
work lands). Until a viewer carries a role, a staff token acts in the role that matches the
level of the cell its scope names: the whole grid or a town → TOWN_ADMIN, a village →
VILLAGE_STAFF, a branch or a group → BRANCH_SECRETARY.
"""

from __future__ import annotations

import enum

from sandan.db.enums import Level
from sandan.db.reader import Reader
from sandan.db.repositories.deeds_lifecycle import Actor, DeedFacts, level_of_path
from sandan.schema.context import Viewer

TOWN_ADMIN = "TOWN_ADMIN"
VILLAGE_STAFF = "VILLAGE_STAFF"
BRANCH_SECRETARY = "BRANCH_SECRETARY"
DEED_LEAD = "DEED_LEAD"  # not an account role: the member who leads this deed
HOUSEHOLD = "HOUSEHOLD"  # not an account role: the household rating with its one-time code

_ROLE_OF_LEVEL = {
    Level.DISTRICT: TOWN_ADMIN,
    Level.TOWN: TOWN_ADMIN,
    Level.VILLAGE: VILLAGE_STAFF,
    Level.BRANCH: BRANCH_SECRETARY,
    Level.GROUP: BRANCH_SECRETARY,
}


class Step(enum.StrEnum):
    APPROVE = "APPROVE"
    PUBLISH = "PUBLISH"
    PROGRESS = "PROGRESS"  # start, report monthly progress, complete, edit the plan
    CANCEL = "CANCEL"


# Village-level approval (the important-matters list) comes from these roles only.
VILLAGE_LEVEL = frozenset({TOWN_ADMIN, VILLAGE_STAFF})

ALLOWED: dict[Step, frozenset[str]] = {
    Step.APPROVE: VILLAGE_LEVEL,
    Step.PUBLISH: VILLAGE_LEVEL,
    Step.PROGRESS: frozenset({BRANCH_SECRETARY, DEED_LEAD}),
    Step.CANCEL: frozenset({TOWN_ADMIN, VILLAGE_STAFF, BRANCH_SECRETARY}),
}


async def role_for(session: Reader, viewer: Viewer, deed: DeedFacts) -> str | None:
    """The role the viewer acts in on this deed; None when they have none here (the public,
    staff of another part of the grid)."""
    person_pk = getattr(viewer, "person_pk", None)
    if person_pk is not None and person_pk == deed.lead_pk:
        return DEED_LEAD
    if not viewer.staff or not viewer.write.covers(deed.cell_path):
        return None
    role = getattr(viewer, "role", None)
    if role is not None:
        return str(role)
    paths = viewer.write.paths
    if paths is None:
        return TOWN_ADMIN
    covering = min((p for p in paths if deed.cell_path.startswith(p)), key=len)
    level = await level_of_path(session, covering)
    return None if level is None else _ROLE_OF_LEVEL[Level(level)]


def actor_of(viewer: Viewer, role: str) -> Actor:
    return Actor(
        role=role,
        person_pk=getattr(viewer, "person_pk", None),
        account_pk=getattr(viewer, "account_pk", None),
    )
