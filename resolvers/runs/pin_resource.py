"""The pinResource mutation: staff pin `quantity` units of a resource to a need for later runs.

What a pin does to a run is resolvers/runs/resource_pins.py. Here the pin is checked against
the lists as they are now: the need and the resource both in the caller's scope; the need open
with no deed past proposal (a PROPOSED deed is replaced by the next run); the resource active
and eligible for the need (reach, category, time, a kind the need requests); the quantity
within what the need requests (less what other pins cover) and within the resource's free
units (less what approved and later deeds hold and other pins reserve). A refusal writes
nothing. The run's instance checks again with what every active deed holds then, and leaves
out a pin that no longer fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sandan.db.enums import NeedStatus, ResourceStatus
from sandan.db.models import Resource
from sandan.db.models.runs import ConstraintKind
from sandan.db.repositories import resource_pins as repo
from sandan.resolvers.permissions import Action, may
from sandan.resolvers.runs.review import (
    located_need_and_target,
    need_and_target_ids,
    record_constraint,
    terms_problems,
)
from sandan.resolvers.runs.service import STAFF_ONLY, RunErrorCode, RunProblem, who
from sandan.schema.context import Context

MAX_QUANTITY = 10_000


@dataclass(frozen=True)
class ResourcePinInput:
    need: str
    resource: str
    quantity: int
    period_from: date | None
    period_to: date | None
    reason: str | None


def _input_problems(data: ResourcePinInput) -> list[RunProblem]:
    problems = terms_problems(data.reason, data.period_from, data.period_to)
    if not 1 <= data.quantity <= MAX_QUANTITY:
        problems.insert(
            0, RunProblem(RunErrorCode.OUT_OF_RANGE, "quantity", f"give 1 to {MAX_QUANTITY} units")
        )
    return problems


def _requested(need: Any, kind: str) -> int:
    return sum(
        int(item.get("quantity", 1))
        for item in need.resource_requests or []
        if str(item["kind"]) == kind
    )


def _not_eligible(field: str, message: str) -> list[RunProblem]:
    return [RunProblem(RunErrorCode.NOT_ELIGIBLE, field, message)]


async def _eligibility(session: Any, need: Any, resource: Any, quantity: int) -> list[RunProblem]:
    """Why the resource cannot give `quantity` units to the need now (empty: it can)."""
    kind = str(resource.kind)
    if need.status != NeedStatus.OPEN or await repo.has_committed_deed(session, need.id):
        return _not_eligible("need", "the need is not open, or a deed for it is approved already")
    if resource.status != ResourceStatus.ACTIVE:
        return _not_eligible("resource", "the resource is closed")
    requested = _requested(need, kind)
    if requested == 0:
        return _not_eligible("resource", f"the need requests no {kind}")
    if resource.categories and str(need.category) not in resource.categories:
        return _not_eligible("resource", f"the resource does not serve {need.category}")
    window = (need.window_from, need.window_to)
    if not _dates_meet((resource.available_from, resource.available_to), window):
        return _not_eligible("resource", "the resource is not available in the need's window")
    if not await repo.reaches(session, need.cell_path, resource.id):
        return _not_eligible("resource", "the need's cell is outside the resource's reach")
    pinned = await repo.pinned_units(session, need.id, kind)
    if quantity > requested - pinned:
        return [
            RunProblem(
                RunErrorCode.OUT_OF_RANGE,
                "quantity",
                f"the need requests {requested} {kind} unit(s) and {pinned} are pinned already",
            )
        ]
    free = resource.capacity - await repo.taken_units(session, resource.id)
    if quantity > free:
        return [
            RunProblem(
                RunErrorCode.NOT_ENOUGH_CAPACITY,
                "quantity",
                f"the resource has {max(free, 0)} unit(s) free "
                "(approved deeds and other pins hold the rest)",
            )
        ]
    return []


def _dates_meet(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    return (a[0] is None or b[1] is None or a[0] <= b[1]) and (
        b[0] is None or a[1] is None or b[0] <= a[1]
    )


async def pin_resource(ctx: Context, data: ResourcePinInput) -> tuple[int | None, list[RunProblem]]:
    """Record a resource pin on a need, both in the caller's scope, after checking that the
    resource can serve the need with that many units now."""
    if not may(ctx.viewer, Action.REVIEW_PROPOSALS):
        return None, [STAFF_ONLY]
    target = (data.resource, "Resource", "resource")
    pks, problems = need_and_target_ids(data.need, target, _input_problems(data))
    if pks is None:
        return None, problems
    resource_pk = pks[1]
    creator = await who(ctx)
    async with ctx.sessionmaker() as session:
        # Both rows locked (PostgreSQL; SQLite's unit of work is one writer): two pins of one
        # resource are checked one after the other.
        need, resource, problems = await located_need_and_target(session, ctx, pks, Resource)
        if resource is None or not ctx.viewer.write.covers(resource.cell_path):
            problems.append(
                RunProblem(RunErrorCode.NOT_FOUND, "resource", "no resource you manage")
            )
        if not problems and need is not None and resource is not None:
            problems = await _eligibility(session, need, resource, data.quantity)
        if problems or need is None:
            await session.rollback()
            return None, problems
        terms = (data.period_from, data.period_to, data.reason)
        pk = await record_constraint(
            session,
            ConstraintKind.PIN,
            need,
            creator,
            terms,
            resource_id=resource_pk,
            quantity=data.quantity,
        )
        await session.commit()
    return pk, []
