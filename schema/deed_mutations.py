"""Mutations of the deed lifecycle: approve, publish, start, complete, cancel, monthly reports
and the household's rating. Each is a thin field over `sandan.resolvers.deeds`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry

from sandan.resolvers.deeds import comments, feedback
from sandan.resolvers.deeds import plan as plan_steps
from sandan.resolvers.deeds import transitions as t
from sandan.resolvers.deeds.clock import today
from sandan.resolvers.deeds.reports import ReportInput
from sandan.resolvers.deeds.reports import report_progress as report
from sandan.resolvers.mutations.engine import Outcome
from sandan.schema.context import Info
from sandan.schema.errors import UserError
from sandan.schema.payloads import ERRORS, payload, user_errors
from sandan.schema.types.deeds import Deed

DeedId = Annotated[
    strawberry.ID,
    strawberry.argument(description="The `id` of the deed to move, as the API gave it out."),
]
Note = Annotated[
    str | None,
    strawberry.argument(description="Why, shown in the deed's history (at most 1000 characters)."),
]
_STEP = (
    " Recorded in `Deed.history`. A deed in another state gets ILLEGAL_TRANSITION naming its "
    "state; a deed moved by someone else meanwhile gets CONFLICT."
)


@strawberry.type(description="The answer of the deed lifecycle's mutations.")
class DeedPayload:
    deed: Deed | None = strawberry.field(
        description="The deed as saved (after the step); null when `errors` is not empty."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


async def _step(info: Info, id: str, move: t.Move, note: str | None, field: str) -> DeedPayload:
    if note is not None and len(note) > t.NOTE_LIMIT:
        return payload(DeedPayload, Outcome(None, [t.too_long(field, t.NOTE_LIMIT)]))
    return payload(DeedPayload, await t.transition(info.context, id, move, note=note))


def _step_field(move: t.Move, description: str) -> Any:
    """The mutation taking a deed one step (`move`), with an optional note for its history."""

    async def step(info: Info, id: DeedId, note: Note = None) -> DeedPayload:
        return await _step(info, id, move, note, "note")

    return strawberry.mutation(resolver=step, description=description + _STEP)


@strawberry.input(description="A step of an implementation plan.")
class MilestoneInput:
    title: str = strawberry.field(description="What the step is (1 to 200 characters).")
    due_on: date | None = strawberry.field(
        default=None, description="The day it is due; null: no date yet."
    )


@strawberry.type(description="The answer of completeDeed.")
class CompleteDeedPayload:
    deed: Deed | None = strawberry.field(
        description="The deed as saved (COMPLETED); null when `errors` is not empty."
    )
    feedback_code: str | None = strawberry.field(
        description="The household's one-time code for `rateDeed` (10 letters and digits). "
        "Shown only in this answer and never stored readable: print it or pass it on to the "
        "household that raised the need now. Null when `errors` is not empty."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="Steps of the deed lifecycle.")
class DeedMutation:
    approve_deed = _step_field(
        t.APPROVE,
        "Approve a PROPOSED deed (village staff or a town admin; a major deed or one above the "
        "funding threshold needs exactly these village-level roles).",
    )
    publish_deed = _step_field(
        t.PUBLISH,
        "Publish an APPROVED deed for residents' supervision: it appears on the public board "
        "(village staff or a town admin).",
    )
    start_deed = _step_field(
        t.START,
        "Start work on a PUBLISHED deed (the branch secretary of its branch or its lead); "
        "monthly reports are due from then on.",
    )

    @strawberry.mutation(
        description="Complete a deed IN_PROGRESS (the branch secretary of its branch or its "
        "lead); its need becomes DONE, and the answer carries the one-time feedback code to "
        "hand to the household that raised the need." + _STEP
    )
    async def complete_deed(self, info: Info, id: DeedId, note: Note = None) -> CompleteDeedPayload:
        if note is not None and len(note) > t.NOTE_LIMIT:
            problems = [t.too_long("note", t.NOTE_LIMIT)]
            return CompleteDeedPayload(deed=None, feedback_code=None, errors=user_errors(problems))
        outcome, code = await feedback.complete(info.context, id, note)
        return CompleteDeedPayload(
            deed=outcome.result, feedback_code=code, errors=user_errors(outcome.problems)
        )

    @strawberry.mutation(
        description="Cancel an open deed (PROPOSED, APPROVED, PUBLISHED or IN_PROGRESS) with a "
        "reason (staff whose part of the grid holds it); its need is OPEN again." + _STEP
    )
    async def cancel_deed(
        self,
        info: Info,
        id: DeedId,
        reason: Annotated[
            str,
            strawberry.argument(
                description="Why it is cancelled, shown in its history (1 to 1000 characters)."
            ),
        ],
    ) -> DeedPayload:
        if not reason.strip():
            return payload(DeedPayload, Outcome(None, [t.required("reason")]))
        return await _step(info, id, t.CANCEL, reason.strip(), "reason")

    @strawberry.mutation(
        description="File the monthly progress report of a deed IN_PROGRESS (the branch "
        "secretary of its branch or its lead). One report per deed and month: a second one for "
        "the same month replaces the first, and the history records both figures. A percent "
        "lower than the one reported before needs `lowerReason`."
    )
    async def report_progress(
        self,
        info: Info,
        deed: Annotated[
            strawberry.ID, strawberry.argument(description="The `id` of the deed reported on.")
        ],
        month: Annotated[
            str,
            strawberry.argument(
                description="The month reported on as YYYY-MM (China time); not a future month."
            ),
        ],
        percent: Annotated[
            int, strawberry.argument(description="How far the deed has come, 0 to 100.")
        ],
        text: Annotated[
            str,
            strawberry.argument(description="What was done this month (1 to 2000 characters)."),
        ],
        photo_urls: Annotated[
            list[str] | None,
            strawberry.argument(
                description="Up to 10 http(s) links to photos of the work; null: none."
            ),
        ] = None,
        lower_reason: Annotated[
            str | None,
            strawberry.argument(
                description="Why the percent is lower than the one reported before (required "
                "then, at most 500 characters); ignored otherwise."
            ),
        ] = None,
    ) -> DeedPayload:
        inp = ReportInput(deed, month, percent, text, photo_urls or [], lower_reason)
        return payload(DeedPayload, await report(info.context, inp, today()))

    @strawberry.mutation(
        description="The household's rating of its COMPLETED deed, with the one-time feedback "
        "code it received: satisfaction 1 to 5 and a comment. No token needed; the code works "
        "once. The deed becomes EVALUATED and its rating shows on the public board."
    )
    async def rate_deed(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="The feedback code handed to the household (case, spaces and "
                "dashes do not matter)."
            ),
        ],
        rating: Annotated[
            int, strawberry.argument(description="Satisfaction, 1 (very poor) to 5 (very good).")
        ],
        comment: Annotated[
            str | None,
            strawberry.argument(
                description="What the household says about it (at most 500 characters); shown "
                "to staff, not on the public board."
            ),
        ] = None,
    ) -> DeedPayload:
        return payload(DeedPayload, await feedback.rate(info.context, code, rating, comment))

    @strawberry.mutation(
        description="Rewrite a deed's implementation plan (text and milestones) before it is "
        "published (PROPOSED or APPROVED): by its branch secretary or lead. "
        "After publication change single milestones with `updateMilestone`."
    )
    async def set_deed_plan(
        self,
        info: Info,
        id: DeedId,
        plan: Annotated[
            str | None,
            strawberry.argument(description="The plan's text (at most 4000 characters)."),
        ],
        milestones: Annotated[
            list[MilestoneInput],
            strawberry.argument(description="The steps in order (at most 20); replaces all."),
        ],
    ) -> DeedPayload:
        steps = [plan_steps.Step(m.title, m.due_on) for m in milestones]
        return payload(DeedPayload, await plan_steps.set_plan(info.context, id, plan, steps))

    @strawberry.mutation(
        description="Move a milestone's due date or mark it done. On a published deed "
        "(PUBLISHED or IN_PROGRESS) the change is recorded in its public history, and moving "
        "a date needs a reason: residents see that a date moved and why."
    )
    async def update_milestone(
        self,
        info: Info,
        deed: Annotated[strawberry.ID, strawberry.argument(description="The deed's `id`.")],
        seq: Annotated[int, strawberry.argument(description="The milestone's `seq`.")],
        due_on: Annotated[
            date | None, strawberry.argument(description="The new due date; null: unchanged.")
        ] = None,
        done_on: Annotated[
            date | None, strawberry.argument(description="The day it was done; null: unchanged.")
        ] = None,
        reason: Annotated[
            str | None,
            strawberry.argument(
                description="Why the date moved (required on a published deed; at most 500)."
            ),
        ] = None,
    ) -> DeedPayload:
        outcome = await plan_steps.update_milestone(
            info.context, deed, seq, due_on, done_on, reason
        )
        return payload(DeedPayload, outcome)

    @strawberry.mutation(
        description="A resident's public comment on a published deed: no token needed, "
        "nothing about the writer is stored; a few per client address, then one a minute "
        "(RATE_LIMITED)."
    )
    async def comment_on_deed(
        self,
        info: Info,
        deed: Annotated[strawberry.ID, strawberry.argument(description="The deed's `id`.")],
        text: Annotated[str, strawberry.argument(description="The comment (1 to 500 characters).")],
    ) -> DeedPayload:
        return payload(DeedPayload, await comments.comment(info.context, deed, text))

    @strawberry.mutation(
        description="Hide an abusive comment (staff whose part of the grid holds the deed); "
        "the deed's history records that a comment was hidden and why."
    )
    async def hide_deed_comment(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="`DeedComment.id`.")],
        reason: Annotated[
            str, strawberry.argument(description="Why (1 to 500 characters), shown in history.")
        ],
    ) -> DeedPayload:
        return payload(DeedPayload, await comments.hide(info.context, id, reason))
