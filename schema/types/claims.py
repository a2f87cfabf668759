"""Partner work in the API: tasks open to partners, claims, their history and a partner's
figures. A task shows the need's public text only: never the household it came from."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from sandan.db.enums import Category, ClaimEvent, ClaimStatus, TaskKind
from sandan.schema.context import Info
from sandan.schema.ids import to_global_id
from sandan.schema.types.fields import (
    PLACE_SENTENCE,
    RowType,
    column,
    key,
    place_key,
    via,
)

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.grid import Cell
    from sandan.schema.types.members import Organisation, Person


def _listed(value: Any) -> list[str]:
    return list(value or [])


def _not_negative(value: int) -> int:
    return max(value, 0)


@strawberry.type(
    description="Work open to partner organisations: a whole need, or team slots of a deed."
)
class PartnerTask(RowType):
    id: strawberry.ID = strawberry.field(description="The task's id: pass it to claimTask.")
    kind: TaskKind = column(description="A whole need or a deed's team slots.")
    title: str = column(description="What is to be done (the need's title).")
    description: str | None = column(
        description="The need's public text.",
        public="the public needs-list text; the household is never shown",
    )
    category: Category = column(description="The service domain of the work.")
    skills: list[str] = column(description="Skills asked of the people who do it.", convert=_listed)
    hours: int = column(description="Hours of work the need asks for in total.")
    volunteers: int = column(description="People the need asks for in total.")
    window_from: date | None = column(description="Earliest day to do it; null: any.")
    window_to: date | None = column(
        description="Last day to do it (the task closes after it); null: open-ended."
    )
    slots: int = column(description="How many claims the task takes in all.")
    free_slots: int = column(
        description="Slots not held now (expired claims free theirs); 0: the task is filled.",
        convert=_not_negative,
    )
    until: datetime | None = column(
        description="Claims are taken until then; null: until the window ends."
    )
    cell_pk: strawberry.Private[int] = place_key()
    deed_pk: strawberry.Private[int | None] = key("deed_id")

    @strawberry.field(
        description="Where the work is: the need's cell (a branch or a group). " + PLACE_SENTENCE,
        metadata=via("cell_by_id", "cell_pk"),
    )
    async def cell(
        self, info: Info
    ) -> Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None:
        return await info.context.loaders.cell_by_id.load(self.cell_pk)

    @strawberry.field(
        description="The deed whose team slots these are; null for a whole need.",
        metadata=via("deed_by_id", "deed_pk"),
    )
    async def deed(
        self, info: Info
    ) -> Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None:
        if self.deed_pk is None:
            return None
        return await info.context.loaders.deed_by_id.load(self.deed_pk)


@strawberry.type(description="One step of a claim's history.")
class ClaimHistoryEntry:
    event: ClaimEvent = strawberry.field(description="What happened.")
    at: datetime = strawberry.field(description="When (an expiry: the claim's expiry time).")
    by_account: strawberry.ID | None = strawberry.field(
        description="The account that acted (an Account id); null for an expiry."
    )
    note: str | None = strawberry.field(description="The note or reason given, if any.")
    hours: int | None = strawberry.field(description="Hours reported (PROGRESS only).")
    progress: int | None = strawberry.field(description="Percent done reported (PROGRESS only).")

    @classmethod
    def from_row(cls, row: Any) -> ClaimHistoryEntry:
        by = None if row.account_id is None else to_global_id("Account", row.account_id)
        return cls(
            event=row.event,
            at=row.at,
            by_account=by,
            note=row.note,
            hours=row.hours,
            progress=row.progress,
        )


@strawberry.type(description="A partner organisation's claim on a task.")
class PartnerClaim:
    id: strawberry.ID = strawberry.field(
        description="The claim's id: pass it to releaseClaim, confirmClaim, declineClaim or "
        "reportClaimProgress."
    )
    status: ClaimStatus = strawberry.field(
        description="Where it stands now (EXPIRED is computed from `expiresAt`)."
    )
    slot: int = strawberry.field(description="Which of the task's slots it holds (from 1).")
    note: str | None = strawberry.field(description="The partner's note when claiming.")
    claimed_at: datetime = strawberry.field(description="When it was claimed.")
    expires_at: datetime = strawberry.field(
        description="Unless confirmed by then, it expires and frees its slot."
    )
    hours: int = strawberry.field(description="Hours the partner reported on it in total.")
    progress: int = strawberry.field(description="Percent done, as last reported.")
    pk: strawberry.Private[int]
    task_pk: strawberry.Private[int]
    organisation_pk: strawberry.Private[int]
    people_pks: strawberry.Private[list[int]]
    deed_pk: strawberry.Private[int | None]

    @strawberry.field(description="The task claimed.")
    async def task(self, info: Info) -> PartnerTask | None:
        task: PartnerTask | None = await info.context.loaders.claims.task_by_id.load(self.task_pk)
        return task

    @strawberry.field(description="The claiming organisation.")
    async def organisation(
        self, info: Info
    ) -> Annotated[Organisation, strawberry.lazy("sandan.schema.types.members")] | None:
        return await info.context.loaders.organisation_by_id.load(self.organisation_pk)

    @strawberry.field(description="The organisation's people who would do the work.")
    async def people(
        self, info: Info
    ) -> list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]]:
        found = await info.context.loaders.person_by_id.load_many(self.people_pks)
        return [p for p in found if p is not None]

    @strawberry.field(description="The deed the work is part of, once confirmed.")
    async def deed(
        self, info: Info
    ) -> Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None:
        if self.deed_pk is None:
            return None
        return await info.context.loaders.deed_by_id.load(self.deed_pk)

    @strawberry.field(description="Every step so far, oldest first, with who acted.")
    async def history(self, info: Info) -> list[ClaimHistoryEntry]:
        entries: list[
            ClaimHistoryEntry
        ] = await info.context.loaders.claims.events_by_claim_id.load(self.pk)
        return entries

    @classmethod
    def from_row(cls, row: Any) -> PartnerClaim:
        return cls(
            id=to_global_id("PartnerClaim", row.id),
            status=ClaimStatus(row.status),
            slot=row.slot,
            note=row.note,
            claimed_at=row.created_at,
            expires_at=row.expires_at,
            hours=row.hours,
            progress=row.progress,
            pk=row.id,
            task_pk=row.task_id,
            organisation_pk=row.organisation_id,
            people_pks=[int(p) for p in row.people],
            deed_pk=row.deed_id,
        )


@strawberry.type(description="A partner organisation's record on the tasks it claimed.")
class PartnerClaimStats:
    claims: int = strawberry.field(description="Claims made, whatever became of them.")
    pending: int = strawberry.field(description="Claims waiting for staff now (not expired).")
    confirmed: int = strawberry.field(description="Claims staff confirmed.")
    completed: int = strawberry.field(description="Confirmed claims reported 100% done.")
    completion_rate: float | None = strawberry.field(
        description="completed / confirmed, 0 to 1; null before any claim is confirmed."
    )
    hours: int = strawberry.field(description="Hours reported on all its claims.")

    @classmethod
    def from_row(cls, row: Any) -> PartnerClaimStats:
        if row is None:
            return cls(claims=0, pending=0, confirmed=0, completed=0, completion_rate=None, hours=0)
        rate = row.completed / row.confirmed if row.confirmed else None
        return cls(
            claims=row.claims,
            pending=row.pending,
            confirmed=row.confirmed,
            completed=row.completed,
            completion_rate=rate,
            hours=int(row.hours),
        )
