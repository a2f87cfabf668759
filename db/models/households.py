"""Households contacted by group members, and the contact visits (personal data lives here)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped


class Household(Timestamped, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # Personal data: shown only to staff whose grid scope covers the household's cell.
    head_name: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    elderly_alone: Mapped[bool] = mapped_column(default=False)
    disability: Mapped[bool] = mapped_column(default=False)
    low_income: Mapped[bool] = mapped_column(default=False)
    size: Mapped[int] = mapped_column(default=1)
    # The member who looks after this household (党员联系户).
    contact_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)


class ContactVisit(Timestamped, Base):
    __tablename__ = "contact_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    visited_on: Mapped[date]
    # The level-3 duties: policies explained, difficulties heard, evaluations heard.
    topics: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[str | None] = mapped_column(String(4000))
