"""Accounts and tokens: creating, listing, revoking, with the checks both the GraphQL mutations
and the `sandan accounts|tokens` commands run (the command line acts as a town admin of the
whole grid). Every refusal is a `Problem`; nothing is written when there is one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db import models
from sandan.db.enums import Level, Role
from sandan.db.repositories import accounts as repo
from sandan.db.repositories.writes import located_row
from sandan.resolvers.errors import ErrorCode, Problem, QueryError, QueryErrorCode
from sandan.resolvers.permissions import Action, may, within_reach
from sandan.schema.context import Context, Viewer
from sandan.tokens import new_token, token_hash

# The level of the cell each role's account is scoped to (a partner's is its organisation's).
ROLE_LEVELS: dict[Role, frozenset[Level]] = {
    Role.TOWN_ADMIN: frozenset({Level.DISTRICT, Level.TOWN}),
    Role.VILLAGE_STAFF: frozenset({Level.VILLAGE}),
    Role.BRANCH_SECRETARY: frozenset({Level.BRANCH}),
    Role.GROUP_LEADER: frozenset({Level.GROUP}),
    Role.PARTNER: frozenset(Level),
}
MAX_NAME = 120
MAX_LABEL = 120
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650
MAX_SERVED_CELLS = 200
NOT_YOURS = "lies outside the part of the grid you manage"


def manages(viewer: Viewer, cell_path: str | None) -> bool:
    """Whether the viewer manages accounts scoped to this cell (None: the whole grid)."""
    if cell_path is None:
        return may(viewer, Action.MANAGE_ACCOUNTS) and viewer.write.is_everything
    return may(viewer, Action.MANAGE_ACCOUNTS, cell_path)


def _forbidden() -> list[Problem]:
    return [Problem(ErrorCode.FORBIDDEN, None, "only a town admin may manage accounts and tokens")]


@dataclass
class NewAccount:
    name: str
    role: Role
    cell_pk: int | None = None
    organisation_pk: int | None = None
    person_pk: int | None = None
    served_cell_pks: list[int] = field(default_factory=list)


async def create_account(
    session: AsyncSession, viewer: Viewer, new: NewAccount
) -> tuple[int | None, list[Problem]]:
    """A new account, checked against the caller's scope; (its pk, []) or (None, problems)."""
    if not may(viewer, Action.MANAGE_ACCOUNTS):
        return None, _forbidden()
    problems: list[Problem] = []
    name = new.name.strip()
    if not name:
        problems.append(Problem(ErrorCode.REQUIRED, "displayName", "must not be blank"))
    elif len(name) > MAX_NAME:
        problems.append(
            Problem(
                ErrorCode.TOO_LONG, "displayName", f"is {len(name)} characters; at most {MAX_NAME}"
            )
        )
    cell_pk = new.cell_pk
    if new.role is Role.PARTNER:
        organisation, org_problems = await _organisation(session, viewer, new.organisation_pk)
        problems += org_problems
        cell_pk = organisation.cell_id if organisation is not None else None
        problems += await _served_cells(session, viewer, new.served_cell_pks)
    else:
        if new.organisation_pk is not None:
            problems.append(
                Problem(ErrorCode.INVALID, "organisation", "only a partner account has one")
            )
        if new.served_cell_pks:
            problems.append(Problem(ErrorCode.INVALID, "servedCells", "only partners serve cells"))
        problems += await _scope_cell(session, viewer, new.role, new.cell_pk)
    if new.person_pk is not None:
        problems += await _linked(session, viewer, models.Person, new.person_pk, "person")
    if problems:
        return None, problems
    pk = await repo.insert_account(
        session,
        name=name,
        role=new.role,
        cell_id=cell_pk,
        person_id=new.person_pk,
        organisation_id=new.organisation_pk,
    )
    if new.role is Role.PARTNER and new.organisation_pk is not None:
        await repo.add_served_cells(session, new.organisation_pk, new.served_cell_pks)
    return pk, []


async def _scope_cell(
    session: AsyncSession, viewer: Viewer, role: Role, cell_pk: int | None
) -> list[Problem]:
    if cell_pk is None:
        if role is not Role.TOWN_ADMIN:
            return [Problem(ErrorCode.REQUIRED, "cell", f"a {role.value} account needs a cell")]
        if not manages(viewer, None):
            return [Problem(ErrorCode.FORBIDDEN, "cell", "only an admin of the whole grid may")]
        return []
    row = await located_row(session, models.Cell, cell_pk)
    if row is None:
        return [Problem(ErrorCode.NOT_FOUND, "cell", "no cell has this id")]
    if row.level not in ROLE_LEVELS[role]:
        wanted = ", ".join(sorted(level.value for level in ROLE_LEVELS[role]))
        return [
            Problem(
                ErrorCode.WRONG_LEVEL,
                "cell",
                f"is a {row.level.value} cell; a {role.value} account takes one at {wanted}",
            )
        ]
    if not manages(viewer, row.path):
        return [Problem(ErrorCode.FORBIDDEN, "cell", NOT_YOURS)]
    return []


async def _linked(
    session: AsyncSession, viewer: Viewer, model: Any, pk: int, field_name: str
) -> list[Problem]:
    """A linked person or organisation must lie in the caller's subtree or above it."""
    row = await located_row(session, model, pk)
    if row is None:
        return [Problem(ErrorCode.NOT_FOUND, field_name, f"no {field_name} has this id")]
    if not within_reach(viewer, row.cell_path):
        return [Problem(ErrorCode.FORBIDDEN, field_name, NOT_YOURS)]
    return []


async def _organisation(
    session: AsyncSession, viewer: Viewer, pk: int | None
) -> tuple[Any, list[Problem]]:
    if pk is None:
        return None, [Problem(ErrorCode.REQUIRED, "organisation", "a partner account needs one")]
    problems = await _linked(session, viewer, models.Organisation, pk, "organisation")
    if problems:
        return None, problems
    return await located_row(session, models.Organisation, pk), []


async def _served_cells(session: AsyncSession, viewer: Viewer, pks: list[int]) -> list[Problem]:
    if len(pks) > MAX_SERVED_CELLS:
        return [Problem(ErrorCode.OUT_OF_RANGE, "servedCells", f"at most {MAX_SERVED_CELLS} cells")]
    for pk in dict.fromkeys(pks):
        row = await located_row(session, models.Cell, pk)
        if row is None:
            return [Problem(ErrorCode.NOT_FOUND, "servedCells", "no cell has one of these ids")]
        if not viewer.write.covers(row.path):
            return [Problem(ErrorCode.FORBIDDEN, "servedCells", NOT_YOURS)]
    return []


@dataclass(frozen=True)
class MadeToken:
    token: str  # the raw token: shown once, never stored
    token_pk: int
    expires_at: datetime


async def create_token(
    session: AsyncSession,
    viewer: Viewer,
    key: bytes,
    account_pk: int,
    *,
    label: str | None = None,
    days: int | None = None,
) -> tuple[MadeToken | None, list[Problem]]:
    if not may(viewer, Action.MANAGE_ACCOUNTS):
        return None, _forbidden()
    account = await repo.account_by_id(session, account_pk)
    if account is None or not manages(viewer, account.cell_path):
        return None, [Problem(ErrorCode.NOT_FOUND, "account", "no account has this id")]
    problems: list[Problem] = []
    if not account.active:
        problems.append(Problem(ErrorCode.ALREADY_CLOSED, "account", "the account is disabled"))
    label = label.strip() or None if label is not None else None
    if label is not None and len(label) > MAX_LABEL:
        problems.append(Problem(ErrorCode.TOO_LONG, "label", f"at most {MAX_LABEL} characters"))
    days = DEFAULT_TOKEN_DAYS if days is None else days
    if not 1 <= days <= MAX_TOKEN_DAYS:
        problems.append(
            Problem(ErrorCode.OUT_OF_RANGE, "expiresInDays", f"must be from 1 to {MAX_TOKEN_DAYS}")
        )
    if problems:
        return None, problems
    token = new_token()
    expires_at = datetime.now(UTC) + timedelta(days=days)
    pk = await repo.insert_token(
        session,
        account_id=account_pk,
        token_hash=token_hash(key, token),
        label=label,
        expires_at=expires_at,
    )
    return MadeToken(token, pk, expires_at), []


async def revoke_token(session: AsyncSession, viewer: Viewer, token_pk: int) -> list[Problem]:
    if not may(viewer, Action.MANAGE_ACCOUNTS):
        return _forbidden()
    token = await repo.token_by_id(session, token_pk)
    if token is None or not manages(viewer, token.cell_path):
        return [Problem(ErrorCode.NOT_FOUND, "id", "no token has this id")]
    if not await repo.revoke_token(session, token_pk, datetime.now(UTC)):
        return [Problem(ErrorCode.ALREADY_CLOSED, "id", "the token is revoked already")]
    return []


async def set_account_active(
    session: AsyncSession, viewer: Viewer, account_pk: int, active: bool
) -> list[Problem]:
    """Disable (or enable again) an account: a disabled account's tokens are all refused."""
    if not may(viewer, Action.MANAGE_ACCOUNTS):
        return _forbidden()
    account = await repo.account_by_id(session, account_pk)
    if account is None or not manages(viewer, account.cell_path):
        return [Problem(ErrorCode.NOT_FOUND, "id", "no account has this id")]
    await repo.set_account_active(session, account_pk, active)
    return []


async def account_rows(ctx: Context) -> tuple[Select[Any], Any]:
    """The `accounts` root's rows: the accounts scoped inside the caller's subtree."""
    if not may(ctx.viewer, Action.MANAGE_ACCOUNTS):
        raise QueryError(
            QueryErrorCode.FORBIDDEN, "accounts", "only a town admin may list accounts"
        )
    return repo.accounts_in(ctx.viewer.write), models.Account.id


async def account_and_tokens(ctx: Context, account_pk: int) -> tuple[Any, list[Any]]:
    """An account's row (None if gone) and its tokens' rows."""
    async with ctx.read_engine.connect() as conn:
        row = await repo.account_by_id(conn, account_pk)
        return row, await repo.tokens_of(conn, account_ids=[account_pk])


async def token_rows(
    ctx: Context, *, account_ids: list[int] | None = None, token_ids: list[int] | None = None
) -> list[Any]:
    async with ctx.read_engine.connect() as conn:
        return await repo.tokens_of(conn, account_ids=account_ids, token_ids=token_ids)
