"""Root fields of the monthly joint meeting: its agenda, and the decisions it records (staff
whose part of the grid holds the meeting's cell)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry

from sandan.resolvers.deeds import meeting
from sandan.schema.context import Info
from sandan.schema.errors import UserError
from sandan.schema.payloads import ERRORS, payload
from sandan.schema.types.meeting import JointMeetingAgenda, MeetingDecision


@strawberry.type(description="The answer of recordMeetingDecision and markMeetingDecisionDone.")
class MeetingDecisionPayload:
    decision: MeetingDecision | None = strawberry.field(
        description="The decision as saved; null when `errors` is not empty."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The joint meeting's agenda.")
class MeetingQuery:
    @strawberry.field(
        description="The key and difficult items for a cell's monthly joint meeting (usually a "
        "village's): overdue, stalled, major and poorly rated (≤ 2) deeds, and needs unmatched "
        "after a run, grouped by branch, each with its lead, last report and earlier "
        "decisions; plus the previous month's decisions with whether they were done. Staff "
        "whose part of the grid holds the cell only (FORBIDDEN otherwise)."
    )
    async def joint_meeting_agenda(
        self,
        info: Info,
        cell: Annotated[strawberry.ID, strawberry.argument(description="The meeting's cell.")],
        month: Annotated[str, strawberry.argument(description="The meeting's month as YYYY-MM.")],
    ) -> JointMeetingAgenda:
        return await meeting.agenda(info.context, cell, month)


@strawberry.type(description="Decisions of the joint meeting.")
class MeetingMutation:
    @strawberry.mutation(
        description="Record what the joint meeting decided about an agenda item: the "
        "decision, who follows it up and by when. The next month's agenda shows it with "
        "whether it was done."
    )
    async def record_meeting_decision(
        self,
        info: Info,
        agenda_item: Annotated[
            strawberry.ID,
            strawberry.argument(description="`AgendaItem.id` from `jointMeetingAgenda`."),
        ],
        decision: Annotated[
            str, strawberry.argument(description="What was decided (1 to 1000 characters).")
        ],
        owner: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The member who follows it up; null: nobody named."),
        ] = None,
        due_on: Annotated[
            date | None, strawberry.argument(description="By when; null: no date.")
        ] = None,
    ) -> MeetingDecisionPayload:
        outcome = await meeting.record_decision(info.context, agenda_item, decision, owner, due_on)
        return payload(MeetingDecisionPayload, outcome)

    @strawberry.mutation(
        description="Mark a meeting decision done (today); the next agenda shows it as done."
    )
    async def mark_meeting_decision_done(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="`MeetingDecision.id`.")],
    ) -> MeetingDecisionPayload:
        return payload(MeetingDecisionPayload, await meeting.mark_done(info.context, id))
