"""The account fields of Query and Mutation (mixed in), with their inputs and payloads."""

from __future__ import annotations

from typing import Annotated

import strawberry

from sandan.db.enums import Role
from sandan.resolvers import accounts as logic
from sandan.resolvers.errors import Problem
from sandan.resolvers.paging import page_query
from sandan.resolvers.queries import read_page
from sandan.schema.accounts import (
    Account,
    ApiToken,
    ViewerInfo,
    errors_of,
    global_pk,
    viewer_info,
)
from sandan.schema.connections import After, Connection, First
from sandan.schema.context import Info
from sandan.schema.errors import UserError
from sandan.tokens import server_key

ERRORS = "Why it was refused, all problems at once; empty on success (then nothing was written)."


@strawberry.input(description="A new account: who it is, its role and where it works.")
class CreateAccountInput:
    display_name: str = strawberry.field(description="The name shown for it (1-120 characters).")
    role: Role = strawberry.field(description="What it may do (see Role).")
    cell: strawberry.ID | None = strawberry.field(
        default=None,
        description="The cell it works in, at its role's level (TOWN_ADMIN: a town or the "
        "district; VILLAGE_STAFF: a village; BRANCH_SECRETARY: a branch; GROUP_LEADER: a "
        "group). Null only for a TOWN_ADMIN of the whole grid; ignored for a PARTNER.",
    )
    organisation: strawberry.ID | None = strawberry.field(
        default=None, description="A PARTNER's organisation (required for partners only)."
    )
    person: strawberry.ID | None = strawberry.field(
        default=None, description="The group member the account belongs to, if any."
    )
    served_cells: list[strawberry.ID] | None = strawberry.field(
        default=None, description="A PARTNER's organisation serves these cells (at most 200)."
    )


@strawberry.type(description="The answer of createAccount.")
class AccountPayload:
    account: Account | None = strawberry.field(description="The account; null on errors.")
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of createToken: the only time the token is shown.")
class CreateTokenPayload:
    token: str | None = strawberry.field(
        description="The token itself: send it as `Authorization: Bearer <token>`. It is shown "
        "only now (the server keeps a keyed hash); null on errors."
    )
    api_token: ApiToken | None = strawberry.field(
        description="The token's record (id for revokeToken, expiry); null on errors."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="The answer of revokeToken.")
class RevokeTokenPayload:
    api_token: ApiToken | None = strawberry.field(
        description="The token's record, now revoked; null on errors."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type
class AccountQuery:
    @strawberry.field(description="Who is asking: account, role and scope (public: nulls).")
    async def viewer(self, info: Info) -> ViewerInfo:
        return await viewer_info(info.context)

    @strawberry.field(
        description="Accounts whose scope lies in the caller's subtree (town admins only; "
        "others get a FORBIDDEN error). Relay paging: `first` (capped by the server) items "
        "after cursor `after`, oldest first."
    )
    async def accounts(
        self,
        info: Info,
        first: First = None,
        after: After = None,
    ) -> Connection[Account]:
        ctx = info.context
        query = await page_query(ctx, logic.account_rows, first=first, after=after)
        page = await read_page(ctx, query, lambda row: Account.from_row(row, []))
        tokens = await logic.token_rows(ctx, account_ids=[a.pk for a in page.nodes])
        for account in page.nodes:
            account.tokens = [ApiToken.from_row(t) for t in tokens if t.account_id == account.pk]
        return page


@strawberry.type
class AccountMutation:
    @strawberry.mutation(description="Make an account in your subtree (town admins only).")
    async def create_account(
        self,
        info: Info,
        input: Annotated[CreateAccountInput, strawberry.argument(description="The account.")],
    ) -> AccountPayload:
        ctx = info.context
        problems: list[Problem] = []
        new = logic.NewAccount(
            name=input.display_name,
            role=input.role,
            cell_pk=global_pk(input.cell, "Cell", "cell", problems),
            organisation_pk=global_pk(input.organisation, "Organisation", "organisation", problems),
            person_pk=global_pk(input.person, "Person", "person", problems),
            served_cell_pks=[
                pk
                for cell in input.served_cells or []
                if (pk := global_pk(cell, "Cell", "servedCells", problems)) is not None
            ],
        )
        if problems:
            return AccountPayload(account=None, errors=errors_of(problems))
        async with ctx.sessionmaker() as session, session.begin():
            pk, problems = await logic.create_account(session, ctx.viewer, new)
        if pk is None:
            return AccountPayload(account=None, errors=errors_of(problems))
        row, _ = await logic.account_and_tokens(ctx, pk)
        return AccountPayload(account=Account.from_row(row, []), errors=[])

    @strawberry.mutation(
        description="Make a token for an account in your subtree (town admins only). The "
        "token is in the answer once and never again: hand it over now."
    )
    async def create_token(
        self,
        info: Info,
        account: Annotated[strawberry.ID, strawberry.argument(description="The account's id.")],
        label: Annotated[
            str | None, strawberry.argument(description="What it is for (at most 120 characters).")
        ] = None,
        expires_in_days: Annotated[
            int | None,
            strawberry.argument(description="Days until it expires: 1 to 3650 (default 90)."),
        ] = None,
    ) -> CreateTokenPayload:
        ctx = info.context
        problems: list[Problem] = []
        pk = global_pk(account, "Account", "account", problems)
        if pk is None:
            return CreateTokenPayload(token=None, api_token=None, errors=errors_of(problems))
        key = server_key(ctx.settings)
        async with ctx.sessionmaker() as session, session.begin():
            made, problems = await logic.create_token(
                session, ctx.viewer, key, pk, label=label, days=expires_in_days
            )
        if made is None:
            return CreateTokenPayload(token=None, api_token=None, errors=errors_of(problems))
        (row,) = await logic.token_rows(ctx, token_ids=[made.token_pk])
        return CreateTokenPayload(token=made.token, api_token=ApiToken.from_row(row), errors=[])

    @strawberry.mutation(
        description="Revoke a token of an account in your subtree (town admins only): it is "
        "refused (HTTP 401) from the next request on."
    )
    async def revoke_token(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The token's id.")],
    ) -> RevokeTokenPayload:
        ctx = info.context
        problems: list[Problem] = []
        pk = global_pk(id, "ApiToken", "id", problems)
        if pk is None:
            return RevokeTokenPayload(api_token=None, errors=errors_of(problems))
        async with ctx.sessionmaker() as session, session.begin():
            problems = await logic.revoke_token(session, ctx.viewer, pk)
        if problems:
            return RevokeTokenPayload(api_token=None, errors=errors_of(problems))
        (row,) = await logic.token_rows(ctx, token_ids=[pk])
        return RevokeTokenPayload(api_token=ApiToken.from_row(row), errors=[])
