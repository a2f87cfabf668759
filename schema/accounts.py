"""Accounts in the API: `viewer` (who am I), `accounts` (a town admin's list) and the
createAccount / createToken / revokeToken mutations. The logic is sandan.resolvers.accounts;
these are the types and thin fields over it, mixed into Query and Mutation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry

from sandan.db.enums import Role
from sandan.resolvers import accounts as logic
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.schema.context import Context, Viewer
from sandan.schema.errors import UserError
from sandan.schema.ids import BadGlobalId, from_global_id, to_global_id
from sandan.schema.types.fields import RowType, column, public_field, related
from sandan.schema.types.grid import Cell
from sandan.schema.types.members import Organisation


def scope_cell_pk(path: str | None) -> int | None:
    """The scope cell's primary key: the last id of its ancestry path."""
    return None if path is None else int(path.strip("/").split("/")[-1])


@strawberry.type(description="An API token of an account (never the token itself).")
class ApiToken(RowType):
    id: strawberry.ID = strawberry.field(description="The token's id: pass it to revokeToken.")
    label: str | None = column(description="What the token is for, as its maker said.")
    created_at: datetime = column(description="When it was made.")
    expires_at: datetime | None = column(
        description="After this it is refused (HTTP 401); null: never expires."
    )
    last_used_at: datetime | None = column(
        description="When it was last presented (to the minute; null: never used)."
    )
    revoked_at: datetime | None = column(
        description="When it was revoked (refused from then on); null: not revoked."
    )


@strawberry.type(description="Someone who signs in with API tokens: a role within a scope.")
class Account:
    id: strawberry.ID = strawberry.field(description="The account's id: pass it to createToken.")
    display_name: str = strawberry.field(
        description="The name shown for the account.",
        metadata=public_field(
            "an account is read only by its own holder (viewer) and by town admins managing it "
            "(accounts, createAccount): never by the public or another account"
        ),
    )
    role: Role = strawberry.field(description="What the account may do (see Role).")
    active: bool = strawberry.field(description="False once disabled: its tokens are refused.")
    created_at: datetime = strawberry.field(description="When the account was made.")
    tokens: list[ApiToken] = strawberry.field(
        description="The account's tokens, oldest first, revoked and expired ones included."
    )
    pk: strawberry.Private[int]
    cell_pk: strawberry.Private[int | None]
    organisation_pk: strawberry.Private[int | None]

    scope: Cell | None = related(
        "cell_by_id",
        "cell_pk",
        description="The cell whose subtree the account works in (a partner: its "
        "organisation's cell); null: the whole grid.",
    )
    organisation: Organisation | None = related(
        "organisation_by_id",
        "organisation_pk",
        description="A partner's organisation; null for the other roles.",
    )

    @classmethod
    def from_row(cls, row: Any, tokens: list[Any]) -> Account:
        return cls(
            id=to_global_id("Account", row.id),
            display_name=row.name,
            role=row.role,
            active=row.active,
            created_at=row.created_at,
            tokens=[ApiToken.from_row(t) for t in tokens],
            pk=row.id,
            cell_pk=row.cell_id,
            organisation_pk=row.organisation_id,
        )


@strawberry.type(description="Who is asking: the account of the token sent, or the public.")
class ViewerInfo:
    account: Account | None = strawberry.field(
        description="The token's account; null for the public and for configured bootstrap "
        "tokens (SANDAN_STAFF_TOKENS), which belong to no account."
    )
    role: Role | None = strawberry.field(
        description="What the caller may do; null for the public (no token): reads only."
    )
    scope_pk: strawberry.Private[int | None]

    scope: Cell | None = related(
        "cell_by_id",
        "scope_pk",
        description="The cell whose subtree the caller manages; null for the whole grid (or, "
        "with a null role, for the public, which manages nothing).",
    )


async def viewer_info(ctx: Context) -> ViewerInfo:
    viewer: Viewer = ctx.viewer
    account = None
    if viewer.account_pk is not None:
        row, tokens = await logic.account_and_tokens(ctx, viewer.account_pk)
        account = Account.from_row(row, tokens) if row is not None else None
    return ViewerInfo(account=account, role=viewer.role, scope_pk=scope_cell_pk(viewer.scope_path))


def global_pk(
    global_id: str | None, type_name: str, field_name: str, problems: list[Problem]
) -> int | None:
    """The primary key of a global id of `type_name`; a problem (and None) if it is not one."""
    if global_id is None:
        return None
    try:
        return from_global_id(global_id, expect=type_name)[1]
    except BadGlobalId as e:
        problems.append(Problem(ErrorCode.INVALID_ID, field_name, str(e)))
        return None


def errors_of(problems: list[Problem]) -> list[UserError]:
    return [UserError(code=p.code, field=p.field, message=p.message) for p in problems]
