"""Partner work: tasks staff open to partner organisations, the claims partners make on them,
and each claim's history.

A task is either a whole need (kind NEED: the partner takes it on and leads it) or team slots of
an approved deed (kind SLOT). A claim holds one slot of a task for an organisation until staff
confirm or decline it, the partner releases it, or it expires (`expires_at`, compared with the
current time when read: no scheduled job is needed). The partial unique index
`uq_partner_claims_task_slot_held` makes "one holder per slot" a property of the database, not
of the code that checks it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped, enum_column
from sandan.db.enums import ClaimEvent, ClaimStatus, TaskKind


class PartnerTask(Timestamped, Base):
    __tablename__ = "partner_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind, "task_kind"))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id"), unique=True)
    deed_id: Mapped[int | None] = mapped_column(ForeignKey("deeds.id"), unique=True)
    # Where the work is: the need's cell (so scope and "served cells" checks need no join).
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    slots: Mapped[int] = mapped_column(default=1)
    until: Mapped[datetime | None]  # closes to new claims after this; null: the window decides
    opened_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )

    __table_args__ = (
        CheckConstraint("slots >= 1", name="slots_positive"),
        CheckConstraint("(need_id IS NULL) <> (deed_id IS NULL)", name="need_or_deed"),
    )


class PartnerClaim(Timestamped, Base):
    __tablename__ = "partner_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("partner_tasks.id"), index=True)
    slot: Mapped[int]  # 1..task.slots: which slot the claim holds
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    people: Mapped[list[str]] = mapped_column(default=list)  # person ids, as JSON
    note: Mapped[str | None] = mapped_column(String(1000))
    # Stored CLAIMED until someone acts; a CLAIMED row past `expires_at` reads as EXPIRED.
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "claim_status"))
    expires_at: Mapped[datetime]
    claimed_by_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL")
    )
    deed_id: Mapped[int | None] = mapped_column(ForeignKey("deeds.id"), index=True)
    hours: Mapped[int] = mapped_column(default=0)  # reported by the partner
    progress: Mapped[int] = mapped_column(default=0)  # percent, reported by the partner

    __table_args__ = (
        CheckConstraint("slot >= 1", name="slot_positive"),
        CheckConstraint("hours >= 0", name="hours_nonnegative"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),
        # One holder per slot: stale CLAIMED rows are marked EXPIRED before a new claim is
        # inserted (under the task's lock), so this index never blocks a free slot.
        Index(
            "uq_partner_claims_task_slot_held",
            "task_id",
            "slot",
            unique=True,
            postgresql_where=text("status IN ('CLAIMED', 'CONFIRMED')"),
            sqlite_where=text("status IN ('CLAIMED', 'CONFIRMED')"),
        ),
        Index("ix_partner_claims_organisation_id_status", "organisation_id", "status"),
    )


class PartnerClaimEvent(Base):
    """One step of a claim's history: who did what, when (and hours for progress reports)."""

    __tablename__ = "partner_claim_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("partner_claims.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[ClaimEvent] = mapped_column(enum_column(ClaimEvent, "claim_event"))
    at: Mapped[datetime]
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(1000))
    hours: Mapped[int | None]
    progress: Mapped[int | None]
