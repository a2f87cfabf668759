"""The audit trail as the API shows it to town admins (read-only: no mutation touches it)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from sandan.schema.ids import to_global_id
from sandan.schema.types.fields import RowType, column, key


def _households(stored: str) -> list[strawberry.ID]:
    return [strawberry.ID(to_global_id("Household", int(pk))) for pk in stored.split(",") if pk]


@strawberry.type(
    description="One audit record: who did what, when and from where, what changed, and whose "
    "personal data was read. Records are never changed or deleted through the API."
)
class AuditEvent(RowType):
    at: datetime = column(description="When it happened (UTC).")
    account: int | None = column(
        "account_id",
        description="The account number (as `sandan accounts list` shows it); null for the "
        "public and for tokens configured on the server.",
    )
    token: int | None = column(
        "token_id", description="The number of the API token used; null without an account."
    )
    role: str = column(description="The role the request ran as; PUBLIC without a token.")
    client: str | None = column(description="The client's network address, as the server saw it.")
    operation: str = column(
        description="The GraphQL operation's name, or its root fields when it has none; a "
        "mutation's record names the mutation (`updateHousehold`)."
    )
    changes: JSON = column(
        description="The records a mutation changed: a list of {type, id (number), fields: "
        "{column: [before, after]}, personal: [column]}; personal fields are named, never "
        "their values. Empty for reads."
    )
    households: list[strawberry.ID] = column(
        description="Global ids of the households whose personal data the request read or changed.",
        public="ids only, never the households' data; the audit is for town admins",
        convert=_households,
    )
    pk: strawberry.Private[int] = key("id")


@strawberry.input(description="Which audit records to list; filters combine with AND.")
class AuditEventFilter:
    account: int | None = strawberry.field(
        default=None, description="Only this account's records (its number)."
    )
    operation: str | None = strawberry.field(
        default=None, description="Only records of this operation (exact name)."
    )
    household: strawberry.ID | None = strawberry.field(
        default=None,
        description="A household's global id: only records that read or changed its personal data.",
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Only records at or after this time."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Only records before this time."
    )
