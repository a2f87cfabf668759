"""Idempotency keys of create mutations: a retried create returns the record the first made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose key it is (the caller's staff scope), so two callers' keys never collide.
    owner: Mapped[str] = mapped_column(String(400))
    key: Mapped[str] = mapped_column(String(100))
    type_name: Mapped[str] = mapped_column(String(40))
    # A digest of the input: the same key sent with a different input is refused.
    input_digest: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    __table_args__ = (UniqueConstraint("owner", "key", name="uq_idempotency_keys_owner_key"),)
