"""Resource pins: staff pin `quantity` units of a resource to a need before re-running.

The contract (shared/contract/matching.md) has person pins only, so a resource pin is kept
within it by the server:

- When a run's instance is built (`reserve`), the pinned units are **reserved**: taken off the
  resource's capacity and off the need's request of that kind, so the solver allocates only the
  rest. The reservations are listed in the instance's extra field `resource_pins` (readers of
  the contract ignore it), so a downloaded instance shows them and replays as solved.
- When the results are written (`with_pinned`), a fulfilled need's deed gets the pinned
  resource use added, with an explanation line saying staff pinned it. An unfulfilled need
  gets nothing: the reservation then holds nothing after the run.
- A pin that no longer fits when the instance is built (its need or resource is not in the
  instance, the resource stopped being eligible, the units are no longer free or no longer
  requested) is left out and counted in the run's `constraintsSkipped`; so a reservation never
  takes more than the resource has: capacity is never over-committed.

A resource pin does not force its need to be fulfilled (a person pin does): the solver still
weighs the need against the others. The mutation that records a pin, with its checks, is
resolvers/runs/pin_resource.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sandan.db.enums import LEVEL_ORDER
from sandan.db.repositories.batch import Record

DEPTH = {str(level): i for i, level in enumerate(LEVEL_ORDER)}


# ---- building the instance ------------------------------------------------------------------


class _Tree:
    """The instance's cells, for the contract's reach rule."""

    def __init__(self, cells: Sequence[dict[str, Any]]):
        self.parent: dict[str, str | None] = {c["id"]: c["parent"] for c in cells}
        self.depth: dict[str, int] = {c["id"]: DEPTH[c["level"]] for c in cells}

    def reach_cell(self, cell: str, reach: str | None) -> str | None:
        """The lowest cell on the chain at or above level `reach` (the root when there is
        none); None: the whole tree."""
        if reach is None:
            return None
        at = cell
        while self.depth[at] > DEPTH[reach]:
            up = self.parent[at]
            if up is None:
                break
            at = up
        return at

    def within(self, cell: str, top: str | None) -> bool:
        at: str | None = cell
        while at is not None and at != top:
            at = self.parent[at]
        return top is None or at == top


def _overlap(a: list[str] | None, b: list[str] | None) -> bool:
    return a is None or b is None or (a[0] <= b[1] and b[0] <= a[1])


def _eligible(tree: _Tree, resource: dict[str, Any], need: dict[str, Any]) -> bool:
    """The contract's eligibility rules for a resource (reach, category, time)."""
    categories = resource.get("categories") or []
    return (
        tree.within(need["cell"], tree.reach_cell(resource["cell"], resource.get("reach")))
        and (not categories or need["category"] in categories)
        and _overlap(resource.get("available"), need.get("window"))
    )


def _take(need: dict[str, Any], kind: str, quantity: int) -> bool:
    """Take `quantity` units of `kind` off the need's requests (all or nothing)."""
    items = [item for item in need["resources"] if item["kind"] == kind]
    if sum(int(item["quantity"]) for item in items) < quantity:
        return False
    left = quantity
    for item in items:
        taken = min(left, int(item["quantity"]))
        item["quantity"] = int(item["quantity"]) - taken
        left -= taken
    need["resources"] = [item for item in need["resources"] if item["quantity"] > 0]
    return True


def reserve(instance: dict[str, Any], pins: Sequence[Record]) -> int:
    """Reserve the resource pins (need_id, resource_id, quantity; oldest first) in the
    instance; sets its `resource_pins` and returns how many pins were left out."""
    needs = {n["id"]: n for n in instance["needs"]}
    resources = {r["id"]: r for r in instance["resources"]}
    tree = _Tree(instance["cells"])
    reserved: list[dict[str, Any]] = []
    skipped = 0
    for pin in pins:
        need, resource = needs.get(f"n{pin.need_id}"), resources.get(f"r{pin.resource_id}")
        quantity = int(pin.quantity)
        if (
            need is None
            or resource is None
            or resource["capacity"] < quantity
            or not _eligible(tree, resource, need)
            or not _take(need, resource["kind"], quantity)
        ):
            skipped += 1
            continue
        resource["capacity"] -= quantity
        reserved.append(
            {
                "need": need["id"],
                "resource": resource["id"],
                "kind": resource["kind"],
                "quantity": quantity,
            }
        )
    instance["resource_pins"] = reserved
    return skipped


# ---- writing the results --------------------------------------------------------------------


def with_pinned(deeds: Sequence[Any], reservations: Sequence[dict[str, Any]]) -> list[Any]:
    """The solver's deeds with their needs' reserved units added (a ProposedDeed each), and
    one explanation line per pinned resource. Needs left unmatched get nothing."""
    by_need: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in reservations:
        by_need[int(str(r["need"])[1:])].append(r)
    out = []
    for deed in deeds:
        pinned = by_need.get(deed.need_id)
        if not pinned:
            out.append(deed)
            continue
        units: dict[int, int] = dict.fromkeys((pk for pk, _ in deed.resources), 0)
        for pk, quantity in deed.resources:
            units[pk] += quantity
        lines = list(deed.explanation)
        for r in pinned:
            pk = int(str(r["resource"])[1:])
            units[pk] = units.get(pk, 0) + int(r["quantity"])
            lines.append(
                f"Pinned by staff: {r['quantity']} x {r['resource']} ({r['kind']}), reserved "
                "for this need before the solve."
            )
        out.append(replace(deed, resources=list(units.items()), explanation=lines))
    return out
