"""The resource list (善治资源清单) and the needs list (群众需求清单), kept per branch."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped, Versioned, enum_column
from sandan.db.enums import (
    Category,
    Level,
    MatterScale,
    NeedChannel,
    NeedStatus,
    ResourceKind,
    ResourceStatus,
    Urgency,
)


class Resource(Versioned, Timestamped, Base):
    __tablename__ = "resources"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    kind: Mapped[ResourceKind] = mapped_column(enum_column(ResourceKind, "resource_kind"))
    categories: Mapped[list[str]] = mapped_column(default=list)
    capacity: Mapped[int] = mapped_column(default=1)
    unit: Mapped[str | None] = mapped_column(String(30))
    reach: Mapped[Level | None] = mapped_column(enum_column(Level, "resource_reach"))
    available_from: Mapped[date | None]
    available_to: Mapped[date | None]
    provider_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    provider_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ResourceStatus] = mapped_column(
        enum_column(ResourceStatus, "resource_status"), default=ResourceStatus.ACTIVE
    )
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
        Index("ix_resources_kind_status", "kind", "status"),
    )


class Need(Versioned, Timestamped, Base):
    __tablename__ = "needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    # Personal link: the household the need came from, if any.
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # Free text written during the household visit: personal (see schema/types/lists.py).
    description: Mapped[str | None] = mapped_column(String(4000))
    # What staff wrote for publication: what partners and the public read instead.
    public_text: Mapped[str | None] = mapped_column(String(2000))
    category: Mapped[Category] = mapped_column(enum_column(Category, "category"))
    channel: Mapped[NeedChannel] = mapped_column(enum_column(NeedChannel, "need_channel"))
    scale: Mapped[MatterScale] = mapped_column(enum_column(MatterScale, "matter_scale"))
    urgency: Mapped[Urgency] = mapped_column(enum_column(Urgency, "urgency"))
    status: Mapped[NeedStatus] = mapped_column(
        enum_column(NeedStatus, "need_status"), default=NeedStatus.OPEN
    )
    # What fulfilling it takes (the optimiser's contract fields).
    needs_lead: Mapped[bool] = mapped_column(default=True)
    volunteers: Mapped[int] = mapped_column(default=0)
    hours: Mapped[int] = mapped_column(default=0)
    skills: Mapped[list[str]] = mapped_column(default=list)
    resource_requests: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    window_from: Mapped[date | None]
    window_to: Mapped[date | None]
    reported_on: Mapped[date]
    reported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        CheckConstraint("volunteers >= 0", name="volunteers_nonnegative"),
        CheckConstraint("hours >= 0", name="hours_nonnegative"),
        Index("ix_needs_status_category", "status", "category"),
        # Pages of one category in id order under a cell: walked in order, the cell joined from
        # the index; the page's COUNT reads the index alone.
        Index("ix_needs_category_id_cell_id", "category", "id", "cell_id"),
    )
