"""Declarative base, naming convention and the column types shared by every model."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints keep Alembic migrations identical on PostgreSQL and SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 - SQLAlchemy reads it as a class attribute
        list[str]: JSON,
        list[dict[str, Any]]: JSON,
        datetime: DateTime(timezone=True),
    }


# Ancestry paths are compared byte-wise (a subtree is a half-open string range), so PostgreSQL
# must not apply a locale collation to them; SQLite compares bytes already.
PathString = String(400).with_variant(String(400, collation="C"), "postgresql")


def enum_column(enum_type: type[enum.StrEnum], name: str) -> Any:
    """A portable enum stored as its string value, with a named CHECK constraint."""
    from sqlalchemy import Enum

    return Enum(
        enum_type,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_type) + 4,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class Versioned:
    """Optimistic concurrency: every update and close writes `version + 1` where the version is
    still the one it read, so of two writers that read the same row only the first lands."""

    version: Mapped[int] = mapped_column(default=1, server_default="1")
