"""Group members (party members, in-service members, volunteers, deputies) and organisations."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped, enum_column
from sandan.db.enums import Level, OrganisationKind, PersonKind, PersonRole


class Organisation(Timestamped, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "org_kind"))
    # The cell it registered with or serves; towns own town-level units.
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(60))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(String(2000))
    active: Mapped[bool] = mapped_column(default=True)


class Person(Timestamped, Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Home cell: the household-contact group for most members.
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    phone: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[PersonKind] = mapped_column(enum_column(PersonKind, "person_kind"))
    role: Mapped[PersonRole] = mapped_column(enum_column(PersonRole, "person_role"))
    party_member: Mapped[bool] = mapped_column(default=False)
    # In-service members report from an agency or unit.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    skills: Mapped[list[str]] = mapped_column(default=list)
    categories: Mapped[list[str]] = mapped_column(default=list)
    hours: Mapped[int] = mapped_column(default=0)
    max_deeds: Mapped[int] = mapped_column(default=1)
    max_lead: Mapped[int] = mapped_column(default=0)
    reach: Mapped[Level | None] = mapped_column(enum_column(Level, "person_reach"))
    available_from: Mapped[date | None]
    available_to: Mapped[date | None]
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    active: Mapped[bool] = mapped_column(default=True)
