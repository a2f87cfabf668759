"""Types of the monthly joint meeting (党建暨驻点联系专题联席会议): its agenda of key and
difficult items grouped by branch, and the decisions it records."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import Described
from sandan.schema.context import Info
from sandan.schema.enums import described_enum
from sandan.schema.types.deed_lifecycle import ProgressReport
from sandan.schema.types.fields import RowType, column, key, related

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.lists import Need
    from sandan.schema.types.members import Person

_DEEDS = "sandan.schema.types.deeds"
_GRID = "sandan.schema.types.grid"
_LISTS = "sandan.schema.types.lists"
_MEMBERS = "sandan.schema.types.members"


class AgendaReason(Described):
    """Why an item is on the joint meeting's agenda."""

    OVERDUE = ("OVERDUE", "A month passed without a report, or a milestone is late.")
    STALLED = ("STALLED", "The percent did not move between its last two reports.")
    MAJOR = ("MAJOR", "A major matter (important-matters list) still open.")
    LOW_RATING = ("LOW_RATING", "The household rated it 2 or lower.")
    UNMATCHED = ("UNMATCHED", "A need still unmatched after an optimisation run.")


described_enum(AgendaReason)


def _is_set(value: object) -> bool:
    return value is not None


@strawberry.type(description="What the joint meeting decided about an agenda item.")
class MeetingDecision(RowType):
    id: strawberry.ID = strawberry.field(description="Its id, for `markMeetingDecisionDone`.")
    month: date = column(description="The meeting's month (its first day).")
    decision: str = column(description="What was decided.")
    due_on: date | None = column(description="By when; null: no date set.")
    done_on: date | None = column(description="When it was done; null while open.")
    done: bool = column(
        "done_on", description="Whether it was done (shown at the next meeting).", convert=_is_set
    )
    recorded_at: datetime = column(description="When it was recorded (UTC).")
    owner_pk: strawberry.Private[int | None] = key("owner_id")
    deed_pk: strawberry.Private[int | None] = key("deed_id")
    owner: Annotated[Person, strawberry.lazy(_MEMBERS)] | None = related(
        "person_by_id", "owner_pk", description="Who follows it up; null if nobody was named."
    )
    deed: Annotated[Deed, strawberry.lazy(_DEEDS)] | None = related(
        "deed_by_id", "deed_pk", description="The deed it is about; null for a need's item."
    )


@strawberry.type(description="A key and difficult item of the joint meeting.")
class AgendaItem:
    id: strawberry.ID = strawberry.field(
        description="The item's id, for `recordMeetingDecision` (it names the month too)."
    )
    reasons: list[AgendaReason] = strawberry.field(description="Why it is on the agenda.")
    unmatched_reason: str | None = strawberry.field(
        description="For an unmatched need: why the run could not match it."
    )
    decisions: list[MeetingDecision] = strawberry.field(
        description="What earlier meetings decided about it, oldest first, with whether each "
        "was done."
    )
    deed_pk: strawberry.Private[int | None]
    need_pk: strawberry.Private[int | None]

    @strawberry.field(description="The deed; null for an unmatched need.")
    async def deed(self, info: Info) -> Annotated[Deed, strawberry.lazy(_DEEDS)] | None:
        if self.deed_pk is None:
            return None
        return await info.context.loaders.deed_by_id.load(self.deed_pk)

    @strawberry.field(description="The unmatched need; null for a deed.")
    async def need(self, info: Info) -> Annotated[Need, strawberry.lazy(_LISTS)] | None:
        if self.need_pk is None:
            return None
        return await info.context.loaders.need_by_id.load(self.need_pk)

    @strawberry.field(description="The deed's responsible lead; null if none or a need.")
    async def lead(self, info: Info) -> Annotated[Person, strawberry.lazy(_MEMBERS)] | None:
        if self.deed_pk is None:
            return None
        deed = await info.context.loaders.deed_by_id.load(self.deed_pk)
        if deed is None or deed.lead_pk is None:
            return None
        return await info.context.loaders.person_by_id.load(deed.lead_pk)

    @strawberry.field(description="The deed's latest monthly report; null before the first.")
    async def last_report(self, info: Info) -> ProgressReport | None:
        if self.deed_pk is None:
            return None
        reports = await info.context.loaders.reports_by_deed_id.load(self.deed_pk)
        return reports[-1] if reports else None


@strawberry.type(description="A branch's items on the agenda.")
class AgendaBranch:
    items: list[AgendaItem] = strawberry.field(description="Its items, deeds by id.")
    cell_pk: strawberry.Private[int]

    @strawberry.field(description="The branch (or the meeting's cell for items above it).")
    async def branch(self, info: Info) -> Annotated[Cell, strawberry.lazy(_GRID)] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)


@strawberry.type(description="The agenda of a cell's monthly joint meeting.")
class JointMeetingAgenda:
    month: date = strawberry.field(description="The meeting's month (its first day).")
    branches: list[AgendaBranch] = strawberry.field(
        description="The items grouped by branch, branches in grid order; branches without "
        "items are left out."
    )
    follow_ups: list[MeetingDecision] = strawberry.field(
        description="The previous month's decisions, with whether each was done."
    )
