"""`sandan accounts` and `sandan tokens`: make, list, disable accounts; make, list, revoke tokens.

    sandan accounts create --name NAME --role ROLE [--cell CODE] [--organisation ID]
                           [--person ID] [--serves CODE ...]
    sandan accounts list | disable ID | enable ID
    sandan tokens create ACCOUNT_ID [--label TEXT] [--days N]
    sandan tokens list [--account ID] | revoke TOKEN_ID

All take --database-url. The command line acts as a town admin of the whole grid and runs the
same checks as the GraphQL mutations (sandan.resolvers.accounts). A made token is printed once,
on stdout; it cannot be shown again. Errors: a message on stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.engine import in_one_transaction
from sandan.db.enums import Level, Role
from sandan.db.repositories import accounts as repo
from sandan.db.repositories.grid import cells_by_codes
from sandan.db.scope import Scope
from sandan.resolvers import accounts as logic
from sandan.resolvers.errors import Problem
from sandan.schema.context import Viewer
from sandan.settings import Settings
from sandan.tokens import server_key

CONSOLE = Viewer.staff_of(Scope.everything())  # whoever may run commands on the server


class Refused(Exception):
    """What the user must fix; printed as `error: …`, exit status 1."""


def _refused(problems: list[Problem]) -> Refused:
    return Refused("; ".join(f"{p.field or 'request'}: {p.message}" for p in problems))


async def cell_pks(session: AsyncSession, codes: list[str]) -> list[int]:
    cells = await cells_by_codes(session, codes, Scope.everything())
    unknown = [c for c in codes if c not in cells]
    if unknown:
        raise Refused(f"no cell has code {unknown[0]!r}")
    return [cells[c].id for c in codes]


async def make_account(session: AsyncSession, new: logic.NewAccount) -> int:
    pk, problems = await logic.create_account(session, CONSOLE, new)
    if pk is None:
        raise _refused(problems)
    return pk


async def make_token(
    session: AsyncSession, settings: Settings, account: int, label: str | None, days: int | None
) -> logic.MadeToken:
    made, problems = await logic.create_token(
        session, CONSOLE, server_key(settings), account, label=label, days=days
    )
    if made is None:
        raise _refused(problems)
    return made


def _accounts_create(args: argparse.Namespace, settings: Settings) -> Any:
    async def work(session: AsyncSession) -> str:
        cell = (await cell_pks(session, [args.cell]))[0] if args.cell else None
        new = logic.NewAccount(
            name=args.name,
            role=Role(args.role),
            cell_pk=cell,
            organisation_pk=args.organisation,
            person_pk=args.person,
            served_cell_pks=await cell_pks(session, args.serves or []),
        )
        return f"account {await make_account(session, new)} created"

    return work


def _accounts_list(args: argparse.Namespace, settings: Settings) -> Any:
    async def work(session: AsyncSession) -> str:
        rows = await repo.all_accounts(session, Scope.everything())
        lines = ["id\trole\tscope\tactive\tname"]
        lines += [
            f"{r.id}\t{r.role.value}\t{r.cell_code or '*'}\t{'yes' if r.active else 'no'}\t{r.name}"
            for r in rows
        ]
        print("\n".join(lines))
        return ""

    return work


def _accounts_active(active: bool) -> Callable[[argparse.Namespace, Settings], Any]:
    def command(args: argparse.Namespace, settings: Settings) -> Any:
        async def work(session: AsyncSession) -> str:
            problems = await logic.set_account_active(session, CONSOLE, args.id, active)
            if problems:
                raise _refused(problems)
            return f"account {args.id} {'enabled' if active else 'disabled'}"

        return work

    return command


def _tokens_create(args: argparse.Namespace, settings: Settings) -> Any:
    async def work(session: AsyncSession) -> str:
        made = await make_token(session, settings, args.account, args.label, args.days)
        print(made.token)  # stdout, alone: `TOKEN=$(sandan tokens create 3)` works
        return f"token {made.token_pk} created, expires {made.expires_at:%Y-%m-%d %H:%M} UTC"

    return work


def _tokens_list(args: argparse.Namespace, settings: Settings) -> Any:
    async def work(session: AsyncSession) -> str:
        accounts = None if args.account is None else [args.account]
        rows = await repo.tokens_of(session, account_ids=accounts)
        lines = ["id\taccount\tstate\texpires\tlast used\tlabel"]
        for r in rows:
            state = "revoked" if r.revoked_at is not None else "valid"
            lines.append(
                f"{r.id}\t{r.account_id}\t{state}\t{_day(r.expires_at)}\t{_day(r.last_used_at)}"
                f"\t{r.label or ''}"
            )
        print("\n".join(lines))
        return ""

    return work


def _day(moment: Any) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _tokens_revoke(args: argparse.Namespace, settings: Settings) -> Any:
    async def work(session: AsyncSession) -> str:
        problems = await logic.revoke_token(session, CONSOLE, args.id)
        if problems:
            raise _refused(problems)
        return f"token {args.id} revoked"

    return work


def _run(args: argparse.Namespace) -> int:
    overrides: dict[str, object] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    settings = Settings.from_env(**overrides)
    try:
        message = asyncio.run(in_one_transaction(settings.database_url, args.work(args, settings)))
    except Refused as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except SQLAlchemyError as e:
        reason = type(getattr(e, "orig", None) or e).__name__
        print(
            f"error: the database cannot be used ({reason}); run `sandan migrate`?", file=sys.stderr
        )
        return 1
    if message:
        print(message, file=sys.stderr)
    return 0


DEMO_TOKEN_DAYS = 30
# The sample scope of each role in the demo town: (level of the scope cell, child of the last).
DEMO_LEVELS = {
    Role.TOWN_ADMIN: Level.TOWN,
    Role.VILLAGE_STAFF: Level.VILLAGE,
    Role.BRANCH_SECRETARY: Level.BRANCH,
    Role.GROUP_LEADER: Level.GROUP,
}


async def demo_tokens(settings: Settings) -> list[str]:
    """One account per role in the demo town (made once, found again on later starts) and a
    fresh token for each, as lines to print: role, scope and token."""

    async def work(session: AsyncSession) -> str:
        existing = {
            (r.role, r.name): r.id for r in await repo.all_accounts(session, Scope.everything())
        }
        lines: list[str] = []
        scopes: dict[Role, Any] = {}
        for role in Role:
            name = f"demo {role.value.lower().replace('_', ' ')}"
            new = logic.NewAccount(name=name, role=role)
            if role is Role.PARTNER:
                # An organisation of the demo town, serving the demo village.
                village, town = scopes[Role.VILLAGE_STAFF], scopes[Role.TOWN_ADMIN]
                new.organisation_pk = await repo.first_organisation(session, town.path)
                new.served_cell_pks = [village.id]
                scope = f"org {new.organisation_pk}, serves {village.code}"
            else:
                cell = await repo.first_cell(session, DEMO_LEVELS[role], _last_path(scopes))
                if cell is None:
                    raise Refused(f"the demo has no {DEMO_LEVELS[role].value} cell")
                new.cell_pk, scopes[role], scope = cell.id, cell, cell.code
            account = existing.get((role, name)) or await make_account(session, new)
            made = await make_token(session, settings, account, "serve --demo", DEMO_TOKEN_DAYS)
            lines.append(f"  {role.value:<17} {scope:<24} Authorization: Bearer {made.token}")
        return "\n".join(lines)

    return (await in_one_transaction(settings.database_url, work)).splitlines()


def _last_path(scopes: dict[Role, Any]) -> str | None:
    """Each sample scope lies inside the one before it (the group in the branch, ...)."""
    return list(scopes.values())[-1].path if scopes else None


def _verb(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help: str, work: Any
) -> argparse.ArgumentParser:
    parser = verbs.add_parser(name, help=help)
    parser.add_argument("--database-url", help="default: DATABASE_URL or the SQLite file")
    parser.set_defaults(work=work, func=_run)
    return parser


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `accounts` and `tokens` to the `sandan` command's subparsers."""
    accounts = subparsers.add_parser("accounts", help="make, list and disable accounts")
    verbs = accounts.add_subparsers(dest="verb", required=True)
    create = _verb(verbs, "create", "make an account", _accounts_create)
    create.add_argument("--name", required=True, help="the name shown for the account")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--cell", metavar="CODE", help="scope cell (omit: whole grid, admins)")
    create.add_argument("--organisation", type=int, metavar="ID", help="a partner's organisation")
    create.add_argument("--person", type=int, metavar="ID", help="the member it belongs to")
    create.add_argument("--serves", nargs="*", metavar="CODE", help="cells a partner serves")
    _verb(verbs, "list", "list accounts", _accounts_list)
    for verb, active in (("disable", False), ("enable", True)):
        _verb(verbs, verb, f"{verb} an account (its tokens follow)", _accounts_active(active))
        verbs.choices[verb].add_argument("id", type=int, metavar="ACCOUNT_ID")

    tokens = subparsers.add_parser("tokens", help="make, list and revoke API tokens")
    verbs = tokens.add_subparsers(dest="verb", required=True)
    create = _verb(verbs, "create", "make a token (printed once)", _tokens_create)
    create.add_argument("account", type=int, metavar="ACCOUNT_ID")
    create.add_argument("--label", help="what it is for")
    create.add_argument("--days", type=int, help="days until it expires (default 90)")
    listing = _verb(verbs, "list", "list tokens (never the tokens themselves)", _tokens_list)
    listing.add_argument("--account", type=int, metavar="ACCOUNT_ID")
    revoke = _verb(verbs, "revoke", "revoke a token", _tokens_revoke)
    revoke.add_argument("id", type=int, metavar="TOKEN_ID")
