"""Whether one person or resource may serve one need: reach, category, time, household, forbid.

Interpretations where the contract leaves room (kept here, in ``reach_root``):

- the reach cell of an entity is the nearest cell at or above the ``reach`` level on the path from
  the entity's cell to its root (its own cell when it already sits at or above that level; the
  root of its tree when no cell on the path is high enough); ``reach: null`` means its whole tree;
- the distance between cells of different trees is undefined, so such an assignment fails ``REACH``.
"""

from __future__ import annotations

from .model import LEVEL_RANK, Entity, Instance, Interval, Need
from .report import Rule

# The message of each eligibility rule; {what} names the entity ("lead p1", "resource r2").
RULE_TEXT = {
    Rule.REACH: "the need's cell {need_cell} is outside the reach of {what} in {cell} "
    "(reach {reach})",
    Rule.CATEGORY: "{what} does not serve category {category}",
    Rule.TIME: "{what} is not available in the need's window",
    Rule.CONFLICT_OF_INTEREST: "{what} belongs to the need's household {household}",
    Rule.FORBID: "the pair is forbidden",
}


def reach_root(inst: Instance, entity: Entity) -> str:
    """The highest cell the entity reaches: every need in its subtree is within reach."""
    path = inst.paths[entity.cell]
    if entity.reach is None:
        return path[-1]
    limit = LEVEL_RANK[entity.reach]
    for cid in path:
        if LEVEL_RANK[inst.cells[cid].level] <= limit:
            return cid
    return path[-1]


def distance(inst: Instance, a: str, b: str) -> int | None:
    """Tree edges between two cells; None when they lie in different trees."""
    pa, pb = inst.paths[a], inst.paths[b]
    ia = {cid: i for i, cid in enumerate(pa)}
    for j, cid in enumerate(pb):
        if cid in ia:
            return ia[cid] + j
    return None


def overlap(a: Interval | None, b: Interval | None) -> bool:
    """Two date intervals share a day; a missing interval means always."""
    if a is None or b is None:
        return True
    return a[0] <= b[1] and b[0] <= a[1]


def eligibility(inst: Instance, entity: Entity, need: Need, *, is_person: bool) -> list[Rule]:
    """The eligibility rules the entity breaks for the need (empty: it may serve it)."""
    broken: list[Rule] = []
    if reach_root(inst, entity) not in inst.paths[need.cell]:
        broken.append(Rule.REACH)
    if entity.categories and need.category not in entity.categories:
        broken.append(Rule.CATEGORY)
    if not overlap(entity.available, need.window):
        broken.append(Rule.TIME)
    if is_person:
        if need.household is not None and entity.household == need.household:
            broken.append(Rule.CONFLICT_OF_INTEREST)
        if (need.id, entity.id) in inst.forbid:
            broken.append(Rule.FORBID)
    return broken
