"""The three-level grid: district → town → village/community → branch → household-contact group."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from sandan.db.base import Base, PathString, Timestamped, enum_column
from sandan.db.enums import CellKind, Level


class Cell(Timestamped, Base):
    __tablename__ = "cells"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[Level] = mapped_column(enum_column(Level, "level"))
    kind: Mapped[CellKind] = mapped_column(enum_column(CellKind, "cell_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cells.id"), index=True)
    # "/1/7/42/": the ids from the root down to this cell. A subtree is every path in the
    # half-open range [path, path[:-1] + "0"), which a plain b-tree index answers on both engines.
    path: Mapped[str] = mapped_column(PathString)
    # Secretary (village, branch) or group leader / grid worker (group).
    leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    __table_args__ = (Index("ix_cells_path", "path", unique=True),)


def subtree_upper(path: str) -> str:
    """The exclusive upper bound of a subtree's path range ('/' + 1 == '0')."""
    return path[:-1] + "0"
