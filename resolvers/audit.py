"""The audit trail's two writers and its reader.

- A mutation records what it changed in the same transaction as the change (`record_change`,
  called by `resolvers.mutations.engine`): the fields that changed with their values before and
  after, personal fields by name only.
- A request that was served households' personal data gets one record naming them, written
  after the response by `AuditTrail` in a task with its own session: a set add per served row
  on the read path (`schema.read_audit`), one INSERT per request off it.
- Town admins read the trail through `auditEvents` (`events`); nothing in the API changes it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

import orjson
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandan.db.repositories import audit as repo
from sandan.resolvers.pages import audit_events
from sandan.resolvers.paging import page_query
from sandan.resolvers.queries import read_page
from sandan.schema.connections import Connection
from sandan.schema.context import Context, Viewer
from sandan.schema.read_audit import CURRENT, HOUSEHOLD_OF, RequestAudit
from sandan.schema.registry import NODE_TYPES
from sandan.schema.types.audit import AuditEvent
from sandan.schema.types.fields import row_mapping

log = logging.getLogger("sandan.audit")
# The request body kept to name the operation in the record (the guard refuses larger ones).
_BODY_KEPT = 1024 * 1024


def who(viewer: Viewer, operation: str, client: str | None) -> repo.EventValues:
    return repo.EventValues(
        account_id=viewer.account_pk,
        token_id=viewer.token_pk,
        role=viewer.role.value if viewer.role is not None else "PUBLIC",
        client=client,
        operation=operation,
    )


def _personal_columns(type_name: str) -> frozenset[str]:
    entry = NODE_TYPES.get(type_name)
    if entry is None:
        return frozenset()
    return frozenset(
        c.column for c in row_mapping(entry.strawberry_type).columns if c.personal is not None
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def describe_change(
    type_name: str, pk: int, before: Mapping[str, Any] | None, values: Mapping[str, Any]
) -> tuple[dict[str, Any], set[int]]:
    """The change record of one row, and the households whose personal data it touched."""
    personal = _personal_columns(type_name)
    fields: dict[str, list[Any]] = {}
    personal_changed: list[str] = []
    for column, after in values.items():
        old = None if before is None else before.get(column)
        if before is not None and _plain(old) == _plain(after):
            continue
        if column in personal:
            personal_changed.append(column)
        else:
            fields[column] = [_plain(old), _plain(after)]
    households: set[int] = set()
    household_column = HOUSEHOLD_OF.get(type_name)
    if household_column is not None and (personal_changed or household_column == "id"):
        for source in (values, before or {}):
            found = pk if household_column == "id" else source.get(household_column)
            if found is not None:
                households.add(int(found))
    change = {"type": type_name, "id": pk, "fields": fields, "personal": sorted(personal_changed)}
    return change, households


async def record_change(
    session: AsyncSession,
    viewer: Viewer,
    operation: str,
    type_name: str,
    pk: int,
    before: Any,
    values: Mapping[str, Any],
) -> None:
    """Write the audit record of a mutation's change, in the mutation's transaction."""
    previous = None if before is None else dict(before._mapping)
    change, households = describe_change(type_name, pk, previous, values)
    audit = CURRENT.get()
    event = who(viewer, operation, audit.client if audit else None)
    await repo.insert_event(
        session,
        repo.EventValues(
            event.account_id,
            event.token_id,
            event.role,
            event.client,
            operation,
            changes=[change],
            households=households,
        ),
    )


def operation_of(body: bytes) -> str:
    """The operation's name (`operationName`, or the document's one named operation), else its
    root fields, from a GraphQL request body."""
    try:
        params = orjson.loads(body)
        name = params.get("operationName")
        if isinstance(name, str) and name:
            return name[:200]
        document = parse(str(params.get("query", "")), no_location=True, max_tokens=5000)
    except (orjson.JSONDecodeError, GraphQLError, AttributeError, TypeError):
        return "(unreadable)"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) == 1 and operations[0].name is not None:
        return operations[0].name.value[:200]
    roots = [
        selection.name.value
        for definition in operations
        for selection in definition.selection_set.selections
        if isinstance(selection, FieldNode)
    ]
    return ",".join(roots)[:200] or "(none)"


_PENDING: set[asyncio.Task[None]] = set()


async def _write_reads(
    sessionmaker: async_sessionmaker[AsyncSession], event: repo.EventValues
) -> None:
    try:
        async with sessionmaker() as session, session.begin():
            await repo.insert_event(session, event)
    except Exception:  # the response is gone: log it (no personal values), do not raise
        log.exception("could not write the audit record of %s", event.operation)


async def drain() -> None:
    """Wait for the audit records still being written (the app's shutdown; tests)."""
    while _PENDING:
        await asyncio.gather(*list(_PENDING), return_exceptions=True)


class AuditTrail:
    """ASGI middleware around the GraphQL endpoint: collects the households whose personal data
    the request was served and, after the response, writes one record naming them."""

    def __init__(self, inner: ASGIApp, viewer_of: Any) -> None:
        self.inner = inner
        self.viewer_of = viewer_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        client = scope.get("client")
        audit = RequestAudit(client=client[0] if client else None)

        async def keep_body() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(audit.body) < _BODY_KEPT:
                audit.body.extend(message.get("body", b"")[: _BODY_KEPT - len(audit.body)])
            return message

        token = CURRENT.set(audit)
        try:
            await self.inner(scope, keep_body, send)
        finally:
            CURRENT.reset(token)
        if audit.households:
            self._write_later(scope, audit)

    def _write_later(self, scope: Scope, audit: RequestAudit) -> None:
        viewer: Viewer = self.viewer_of(scope)
        operation = operation_of(bytes(audit.body)) if audit.body else "(GET)"
        base = who(viewer, operation, audit.client)
        event = repo.EventValues(
            base.account_id,
            base.token_id,
            base.role,
            base.client,
            operation,
            households=audit.households,
        )
        task = asyncio.get_running_loop().create_task(
            _write_reads(scope["app"].state.sandan.sessionmaker, event)
        )
        _PENDING.add(task)
        task.add_done_callback(_PENDING.discard)


async def events(
    ctx: Context, filter: Any, *, first: int | None, after: str | None
) -> Connection[AuditEvent]:
    """A page of the audit trail, oldest first (town admins only)."""
    query = await page_query(ctx, audit_events, filter=filter, first=first, after=after)
    return await read_page(ctx, query, AuditEvent.from_row)
