"""The deeds list (为民办实事清单): needs joined to a lead, a team, resources and a plan."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped, Versioned, enum_column
from sandan.db.enums import DeedRole, DeedStatus


class Deed(Versioned, Timestamped, Base):
    __tablename__ = "deeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[DeedStatus] = mapped_column(
        enum_column(DeedStatus, "deed_status"), default=DeedStatus.PROPOSED
    )
    lead_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    plan: Mapped[str | None] = mapped_column(String(4000))
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]

    __table_args__ = (
        # One live deed per need; a need whose deed was cancelled may be taken on again.
        Index(
            "uq_deeds_need_id_live",
            "need_id",
            unique=True,
            postgresql_where=text("status <> 'CANCELLED'"),
            sqlite_where=text("status <> 'CANCELLED'"),
        ),
    )


class DeedMember(Base):
    __tablename__ = "deed_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[DeedRole] = mapped_column(enum_column(DeedRole, "deed_role"))

    __table_args__ = (UniqueConstraint("deed_id", "person_id", name="uq_deed_members_person"),)


class DeedResource(Base):
    __tablename__ = "deed_resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"), index=True)
    quantity: Mapped[int]

    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class DeedMilestone(Base):
    __tablename__ = "deed_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    deed_id: Mapped[int] = mapped_column(ForeignKey("deeds.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None]
    done_on: Mapped[date | None]
