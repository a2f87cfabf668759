"""The per-request context: who is asking, the sessionmaker, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sandan.db.scope import Scope
from sandan.settings import Settings

if TYPE_CHECKING:
    from sandan.resolvers.loaders import Loaders


@dataclass(frozen=True)
class Viewer:
    """The caller. `read` bounds what they see at all, `write` what they may change, and
    `personal` whose personal data (residents' names, phones, addresses, flags) they see."""

    read: Scope
    write: Scope
    personal: Scope
    staff: bool

    @classmethod
    def public(cls) -> Viewer:
        return cls(
            read=Scope.everything(), write=Scope.nothing(), personal=Scope.nothing(), staff=False
        )

    @classmethod
    def staff_of(cls, scope: Scope) -> Viewer:
        """Staff manage, and see personal data in, their own subtree; they read everything."""
        return cls(read=Scope.everything(), write=scope, personal=scope, staff=True)


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]  # units of work (mutations)
    read_engine: AsyncEngine  # autocommit reads (pages, counts, loaders)
    settings: Settings
    viewer: Viewer
    loaders: Loaders


Info: TypeAlias = strawberry.Info[Context, None]
