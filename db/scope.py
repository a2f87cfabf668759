"""What part of the grid a caller may see: every repository query takes one.

A scope is a set of subtrees given by their ancestry paths. Everyone may read the grid and the
lists; personal data (residents' names, phones, addresses, vulnerability flags) is read through a
second, usually narrower scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, true
from sqlalchemy.orm import InstrumentedAttribute

from sandan.db.models.grid import subtree_upper


@dataclass(frozen=True)
class Scope:
    # None means the whole grid; an empty tuple means nothing at all.
    paths: tuple[str, ...] | None

    @classmethod
    def everything(cls) -> Scope:
        return cls(None)

    @classmethod
    def nothing(cls) -> Scope:
        return cls(())

    @classmethod
    def subtrees(cls, paths: Iterable[str]) -> Scope:
        return cls(tuple(sorted(set(paths))))

    @property
    def is_everything(self) -> bool:
        return self.paths is None

    def covers(self, path: str) -> bool:
        if self.paths is None:
            return True
        return any(path.startswith(p) for p in self.paths)

    def clause(
        self, path_column: InstrumentedAttribute[str] | ColumnElement[str]
    ) -> ColumnElement[bool]:
        """SQL that keeps rows whose cell path lies in the scope (index-friendly ranges)."""
        if self.paths is None:
            return true()
        if not self.paths:
            return false()
        return or_(*(and_(path_column >= p, path_column < subtree_upper(p)) for p in self.paths))
