"""Accounts (who may sign in, with a role and a scope) and their API tokens.

A token is stored only as a keyed hash (sandan.tokens): the raw token is shown once, when it is
made, and a copy of the database does not let anyone sign in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, Timestamped, enum_column
from sandan.db.enums import Role


class Account(Timestamped, Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # shown to people: "Sanshan village office"
    role: Mapped[Role] = mapped_column(enum_column(Role, "account_role"))
    # The cell whose subtree the account works in; null only for a town admin of the whole grid.
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("cells.id"), index=True)
    # The member the account belongs to (a branch secretary, a group leader, a deed's lead).
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    # A partner's organisation.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    # A disabled account's tokens are refused; the row stays for the audit trail.
    active: Mapped[bool] = mapped_column(default=True)


class ApiToken(Timestamped, Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    # HMAC-SHA-256 of the raw token under the server key, hex (SECURITY.md says why).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str | None] = mapped_column(String(120))  # "laptop", "monthly import"
    expires_at: Mapped[datetime | None]  # null: never expires
    last_used_at: Mapped[datetime | None]  # written at most once a minute per token
    revoked_at: Mapped[datetime | None]


class ServedCell(Base):
    """The cells a partner organisation serves (its tasks and claims are limited to them)."""

    __tablename__ = "served_cells"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    cell_id: Mapped[int] = mapped_column(ForeignKey("cells.id"), primary_key=True, index=True)
