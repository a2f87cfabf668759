"""The audit trail: who read whose personal data and who changed what (append-only).

A row is written once and never changed: the database refuses UPDATE and DELETE on the table
(triggers, `sandan.db.audit_guard`); only `sandan audit prune` removes rows past the retention
period, and it records that it did.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)
    # Who: the account and token (null for the public and for configured bootstrap tokens),
    # and the role the request ran as ("PUBLIC" without a token).
    account_id: Mapped[int | None] = mapped_column(index=True)
    token_id: Mapped[int | None]
    role: Mapped[str] = mapped_column(String(32))
    client: Mapped[str | None] = mapped_column(String(64))  # the client's address
    # The operation's name, or its root fields when it has none (cut to 200 characters).
    operation: Mapped[str] = mapped_column(String(200), index=True)
    # Records changed: [{"type", "id", "fields": {name: [before, after]}, "personal": [names]}]:
    # personal fields are named, never their values.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    # Households whose personal data the request read or changed, as ",12,40," (a text column
    # both engines search with LIKE '%,12,%').
    households: Mapped[str] = mapped_column(Text, default=",")
