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
    related,
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

    cell: Annotated[Cell, strawberry.lazy("sandan.schema.types.grid")] | None = related(
        "cell_by_id",
        "cell_pk",
        description="Where the work is: the need's cell (a branch or a group). " + PLACE_SENTENCE,
    )
    deed: Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None = related(
        "deed_by_id",
        "deed_pk",
        description="The deed whose team slots these are; null for a whole need.",
    )


def _account_id(pk: int | None) -> str | None:
    return None if pk is None else to_global_id("Account", pk)


def _pks(values: Any) -> list[int]:
    return [int(v) for v in values]


@strawberry.type(description="One step of a claim's history.")
class ClaimHistoryEntry(RowType):
    event: ClaimEvent = column(description="What happened.")
    at: datetime = column(description="When (an expiry: the claim's expiry time).")
    by_account: strawberry.ID | None = column(
        "account_id",
        description="The account that acted (an Account id); null for an expiry.",
        convert=_account_id,
    )
    note: str | None = column(description="The note or reason given, if any.")
    hours: int | None = column(description="Hours reported (PROGRESS only).")
    progress: int | None = column(description="Percent done reported (PROGRESS only).")


async def _task(root: PartnerClaim, info: Info) -> PartnerTask | None:
    task: PartnerTask | None = await info.context.loaders.claims.task_by_id.load(root.task_pk)
    return task


@strawberry.type(description="A partner organisation's claim on a task.")
class PartnerClaim(RowType):
    id: strawberry.ID = strawberry.field(
        description="The claim's id: pass it to releaseClaim, confirmClaim, declineClaim or "
        "reportClaimProgress."
    )
    status: ClaimStatus = column(
        description="Where it stands now (EXPIRED is computed from `expiresAt`).",
        convert=ClaimStatus,
    )
    slot: int = column(description="Which of the task's slots it holds (from 1).")
    note: str | None = column(description="The partner's note when claiming.")
    claimed_at: datetime = column("created_at", description="When it was claimed.")
    expires_at: datetime = column(
        description="Unless confirmed by then, it expires and frees its slot."
    )
    hours: int = column(description="Hours the partner reported on it in total.")
    progress: int = column(description="Percent done, as last reported.")
    pk: strawberry.Private[int] = key("id")
    task_pk: strawberry.Private[int] = key("task_id")
    organisation_pk: strawberry.Private[int] = key("organisation_id")
    people_pks: strawberry.Private[list[int]] = key("people", convert=_pks)
    deed_pk: strawberry.Private[int | None] = key("deed_id")

    task: PartnerTask | None = strawberry.field(resolver=_task, description="The task claimed.")
    organisation: Annotated[Organisation, strawberry.lazy("sandan.schema.types.members")] | None = (
        related("organisation_by_id", "organisation_pk", description="The claiming organisation.")
    )
    people: list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]] = related(
        "person_by_id",
        "people_pks",
        "many",
        description="The organisation's people who would do the work.",
    )
    deed: Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")] | None = related(
        "deed_by_id", "deed_pk", description="The deed the work is part of, once confirmed."
    )

    @strawberry.field(description="Every step so far, oldest first, with who acted.")
    async def history(self, info: Info) -> list[ClaimHistoryEntry]:
        entries: list[
            ClaimHistoryEntry
        ] = await info.context.loaders.claims.events_by_claim_id.load(self.pk)
        return entries


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
