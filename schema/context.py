"""The per-request context: who is asking, the sessionmaker, and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import strawberry
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from sandan.db.enums import Role
from sandan.db.scope import Scope
from sandan.ratelimit import RateLimiter
from sandan.settings import Settings

if TYPE_CHECKING:
    from sandan.resolvers.loaders import Loaders


@dataclass(frozen=True)
class Viewer:
    """The caller. `read` bounds what they see at all, `write` what they may change, and
    `personal` whose personal data (residents' names, phones, addresses, flags) they see.
    `role` is None for the public; what each role may do is sandan.resolvers.permissions."""

    read: Scope
    write: Scope
    personal: Scope
    staff: bool
    role: Role | None = None
    account_pk: int | None = None  # None for the public and configured bootstrap tokens
    token_pk: int | None = None
    # The path of the account's scope cell; None with a role means the whole grid.
    scope_path: str | None = None
    organisation_pk: int | None = None  # a partner's organisation
    person_pk: int | None = None  # the member the account belongs to

    @classmethod
    def public(cls) -> Viewer:
        return cls(
            read=Scope.everything(), write=Scope.nothing(), personal=Scope.nothing(), staff=False
        )

    @classmethod
    def staff_of(cls, scope: Scope) -> Viewer:
        """A town admin of a subtree (or of everything): manages, and sees personal data in,
        that subtree; reads everything."""
        path = None if scope.paths is None else (scope.paths[0] if scope.paths else None)
        return cls(
            read=Scope.everything(),
            write=scope,
            personal=scope,
            staff=True,
            role=Role.TOWN_ADMIN,
            scope_path=path,
        )

    @classmethod
    def of_role(
        cls,
        role: Role,
        scope_path: str | None,
        *,
        account_pk: int | None = None,
        token_pk: int | None = None,
        organisation_pk: int | None = None,
        person_pk: int | None = None,
    ) -> Viewer:
        """The viewer of an account: staff roles change and see personal data in the subtree
        of their scope cell; a partner changes nothing and sees no personal data."""
        if role is Role.PARTNER:
            write = personal = Scope.nothing()
        else:
            write = personal = (
                Scope.everything() if scope_path is None else Scope.subtrees([scope_path])
            )
        return cls(
            read=Scope.everything(),
            write=write,
            personal=personal,
            staff=role is not Role.PARTNER,
            role=role,
            account_pk=account_pk,
            token_pk=token_pk,
            scope_path=scope_path,
            organisation_pk=organisation_pk,
            person_pk=person_pk,
        )


@dataclass
class Context:
    sessionmaker: async_sessionmaker[AsyncSession]  # units of work (mutations)
    read_engine: AsyncEngine  # autocommit reads (pages, counts, loaders)
    settings: Settings
    viewer: Viewer
    loaders: Loaders
    # A websocket's connection_init payload (strawberry sets it): where its token comes from.
    connection_params: dict[str, object] | None = None
    client: str = "unknown"  # the caller's address, for per-caller limits of public writes
    comment_limiter: RateLimiter | None = None  # residents' public comments (per process)


Info: TypeAlias = strawberry.Info[Context, None]
