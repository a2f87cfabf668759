"""The deed lifecycle's records: its history of transitions and date changes, monthly progress
reports, the household's rating (through a one-time feedback code) and stored notifications."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, enum_column
from sandan.db.enums import DeedStatus, HistoryKind


class DeedHistory(Base):
    """One dated entry of a deed's public history: who (by role), when, from, to, and a note."""

    __tablename__ = "deed_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    kind: Mapped[HistoryKind] = mapped_column(enum_column(HistoryKind, "history_kind"))
    from_status: Mapped[DeedStatus | None] = mapped_column(
        enum_column(DeedStatus, "history_from_status")
    )
    to_status: Mapped[DeedStatus | None] = mapped_column(
        enum_column(DeedStatus, "history_to_status")
    )
    # Who acted: the role they acted in (public), and their member and account when known.
    actor_role: Mapped[str] = mapped_column(String(40))
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL")
    )
    actor_account_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(1000))


class DeedReport(Base):
    """A monthly progress report; one per deed and month (a second one replaces it)."""

    __tablename__ = "deed_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    month: Mapped[date]  # the first day of the month reported on
    percent: Mapped[int]
    text: Mapped[str] = mapped_column(String(2000))
    photo_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Why the figure is lower than the previous report's (required when it is).
    lower_reason: Mapped[str | None] = mapped_column(String(500))
    reported_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        UniqueConstraint("deed_id", "month", name="uq_deed_reports_deed_month"),
        CheckConstraint("percent >= 0 AND percent <= 100", name="percent_range"),
    )


class DeedFeedbackCode(Base):
    """The one-time code handed to the household when its deed is completed; only its hash is
    kept, so the database alone cannot be used to rate in the household's name."""

    __tablename__ = "deed_feedback_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), unique=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]


class DeedFeedback(Base):
    """The household's satisfaction (1 to 5) with a completed deed, and its comment."""

    __tablename__ = "deed_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), unique=True)
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(String(1000))
    rated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (CheckConstraint("rating >= 1 AND rating <= 5", name="rating_range"),)


class Notification(Base):
    """A stored notice to a member about a deed they are on (or whose household they contact)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    read_at: Mapped[datetime | None]


class MeetingDecision(Base):
    """What the monthly joint meeting decided about an agenda item (a deed or an unmatched
    need): who follows it up by when, and when it was done."""

    __tablename__ = "meeting_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)  # the meeting's
    month: Mapped[date]  # the first day of the meeting's month
    deed_id: Mapped[int | None] = mapped_column(
        ForeignKey("deeds.id", ondelete="CASCADE"), index=True
    )
    need_id: Mapped[int | None] = mapped_column(
        ForeignKey("needs.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[str] = mapped_column(String(1000))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (
        CheckConstraint("(deed_id IS NULL) <> (need_id IS NULL)", name="one_subject"),
    )


class DeedComment(Base):
    """A resident's public comment on a published deed. Anonymous: nothing about the writer is
    stored. Staff may hide an abusive one (recorded in the deed's history)."""

    __tablename__ = "deed_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    hidden_at: Mapped[datetime | None]
