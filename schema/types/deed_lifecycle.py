"""Types of the deed lifecycle: history entries and monthly reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import DeedStatus, HistoryKind
from sandan.schema.context import Info
from sandan.schema.types.fields import RowType, column, key, related

if TYPE_CHECKING:
    from sandan.schema.types.members import Organisation


@strawberry.type(
    description="One dated entry of a deed's history: a state change, a moved milestone date, "
    "a replaced report or a hidden comment; residents see it on the board."
)
class DeedHistoryEntry(RowType):
    at: datetime = column(description="When it happened (UTC).")
    kind: HistoryKind = column(description="What kind of change it records.")
    from_status: DeedStatus | None = column(
        description="The state before a state change; null for other kinds."
    )
    to_status: DeedStatus | None = column(
        description="The state after a state change; null for other kinds."
    )
    actor_role: str = column(
        description="The role the change was made in: TOWN_ADMIN, VILLAGE_STAFF, "
        "BRANCH_SECRETARY, DEED_LEAD or HOUSEHOLD (never a person's name)."
    )
    note: str | None = column(
        description="Why, or what changed: a cancellation's reason, a date moved from and to."
    )


@strawberry.type(description="A monthly progress report of a deed (one per month).")
class ProgressReport(RowType):
    month: date = column(description="The first day of the month it reports on.")
    percent: int = column(description="How far the deed has come, 0 to 100.")
    text: str = column(description="What was done this month.")
    photo_urls: list[str] = column(description="Photos of the work, as links.")
    lower_reason: str | None = column(
        description="Why the figure is lower than the previous report's; null when it is not."
    )
    reported_at: datetime = column(description="When it was filed (UTC); a replacement's time.")
    deed_pk: strawberry.Private[int] = key("deed_id")

    @strawberry.field(
        description="What partner organisations reported on their claims of this deed in the "
        "same month (reportClaimProgress), one entry per organisation, by organisation id."
    )
    async def partner_contributions(self, info: Info) -> list[PartnerContribution]:
        every = await info.context.loaders.partner_contributions_by_deed_id.load(self.deed_pk)
        return [c for c in every if c.month == self.month]


@strawberry.type(
    description="What one partner organisation reported on its claims of a deed in one month."
)
class PartnerContribution:
    month: date = strawberry.field(description="The first day of the month.")
    hours: int = strawberry.field(description="Hours the organisation reported in that month.")
    percent: int = strawberry.field(
        description="Its claim's progress, 0 to 100, at its last report of that month."
    )
    reports: int = strawberry.field(description="How many reports it filed in that month.")
    organisation_pk: strawberry.Private[int]

    organisation: Annotated[Organisation, strawberry.lazy("sandan.schema.types.members")] | None = (
        related("organisation_by_id", "organisation_pk", description="The partner organisation.")
    )


@strawberry.type(
    description="Where a deed stands against its monthly reports and plan, computed when read."
)
class DeedProgress:
    percent: int | None = strawberry.field(
        description="The percent of the latest monthly report; null before the first report."
    )
    last_report_month: date | None = strawberry.field(
        description="The month of the latest report (its first day); null before the first."
    )
    overdue: bool = strawberry.field(
        description="IN_PROGRESS and a month passed without a report, or a milestone's due "
        "date passed while it is not done (PUBLISHED or IN_PROGRESS)."
    )
    stalled: bool = strawberry.field(
        description="IN_PROGRESS and the latest report gives the same percent as the one before it."
    )


@strawberry.type(description="A resident's public comment on a published deed (anonymous).")
class DeedComment(RowType):
    id: strawberry.ID = strawberry.field(description="Its id, for `hideDeedComment` (staff).")
    body: str = column(description="What the resident wrote.")
    created_at: datetime = column(description="When it was written (UTC).")
