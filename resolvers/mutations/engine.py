"""Create, update and close any entity from its declared spec, in one transaction.

Input is checked in full before anything is written (`checks.py`): the caller gets every problem
at once and the database is never left half-changed. Database integrity errors become user errors
too.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError

from sandan.db.repositories.writes import insert_row, located_row, remember_key, update_row
from sandan.resolvers.audit import record_change
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations import idempotency
from sandan.resolvers.mutations.checks import (
    closed_problem,
    convert,
    existing_row,
    given_fields,
    problems_before_write,
    read_version,
    role_refusal,
    values_by_rules,
    version_problems,
)
from sandan.resolvers.mutations.entity import EntitySpec
from sandan.schema.context import Context

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)


@dataclass
class Outcome(Generic[T]):
    result: T | None
    problems: list[Problem]


DATABASE_FAILED = Problem(
    ErrorCode.UNAVAILABLE, None, "the database failed during the change; nothing was written"
)


def database_failures_typed(
    unit_of_work: Callable[P, Awaitable[Outcome[T]]],
) -> Callable[P, Awaitable[Outcome[T]]]:
    """A unit of work whose connection fails (cut, timed out) rolls back with it: the caller
    gets a typed UNAVAILABLE, not "Internal error"; the pool (pre-ping) replaces the connection."""

    @functools.wraps(unit_of_work)
    async def guarded(*args: P.args, **kwargs: P.kwargs) -> Outcome[T]:
        try:
            return await unit_of_work(*args, **kwargs)
        except DBAPIError as e:
            if not e.connection_invalidated:
                raise  # a bug (a missing table, bad SQL) stays an unexpected, masked error
            # The driver's class only: its message may quote the statement's values.
            log.warning("mutation rolled back: %s", type(e.orig).__name__)
            return Outcome(None, [DATABASE_FAILED])

    return guarded


@database_failures_typed
async def create(ctx: Context, spec: EntitySpec[T], inp: Any) -> Outcome[T]:
    if refusal := role_refusal(ctx, spec, "create"):
        return Outcome(None, refusal)
    given = given_fields(inp)
    key, problems = idempotency.key_of(inp)
    owner = idempotency.owner_of(ctx.viewer)
    digest = idempotency.digest_of(spec.type_name, given)
    values, more = convert(spec, given, creating=True)
    problems += more
    async with ctx.sessionmaker() as session:
        try:
            async with session.begin():
                if key is not None:
                    earlier = await idempotency.earlier_record(
                        session, owner, key, spec.type_name, digest, spec.model
                    )
                    if earlier is not None:
                        return _built(spec, ctx, *earlier)
                problems += await problems_before_write(session, ctx, spec, given, values, None)
                if problems:
                    return Outcome(None, problems)
                pk = await insert_row(session, spec.model, values)
                await record_change(
                    session, ctx.viewer, spec.operation("create"), spec.type_name, pk, None, values
                )
                if key is not None:
                    await remember_key(session, owner, key, spec.type_name, digest, pk)
                row = await located_row(session, spec.model, pk)
        except IntegrityError as e:
            if key is not None:  # a concurrent create with the same key committed first
                async with session.begin():
                    earlier = await idempotency.earlier_record(
                        session, owner, key, spec.type_name, digest, spec.model
                    )
                if earlier is not None:
                    return _built(spec, ctx, *earlier)
            return Outcome(None, [_integrity_problem(e)])
    assert row is not None
    return Outcome(spec.build(row, ctx), [])


def _built(spec: EntitySpec[T], ctx: Context, row: Any, problems: list[Problem]) -> Outcome[T]:
    return Outcome(None if row is None else spec.build(row, ctx), problems)


@database_failures_typed
async def update(ctx: Context, spec: EntitySpec[T], global_id: str, inp: Any) -> Outcome[T]:
    if refusal := role_refusal(ctx, spec, "update"):
        return Outcome(None, refusal)
    given = given_fields(inp)
    values, problems = convert(spec, given, creating=False)
    async with ctx.sessionmaker() as session:
        try:
            async with session.begin():
                row, found_problems = await existing_row(session, ctx, spec, global_id)
                if row is None or found_problems:
                    return Outcome(None, found_problems)
                if spec.is_closed(row):
                    return Outcome(None, [closed_problem(spec)])
                problems += version_problems(row, getattr(inp, "expected_version", None))
                problems += await problems_before_write(session, ctx, spec, given, values, row)
                if problems:
                    return Outcome(None, problems)
                if values:
                    if not await update_row(
                        session, spec.model, row.id, values, version=read_version(row)
                    ):
                        return Outcome(None, [LOST_RACE])
                    await record_change(
                        session,
                        ctx.viewer,
                        spec.operation("update"),
                        spec.type_name,
                        row.id,
                        row,
                        values,
                    )
                # Read in the same transaction: the answer shows this write, not a later one.
                fresh = await located_row(session, spec.model, row.id)
        except IntegrityError as e:
            return Outcome(None, [_integrity_problem(e)])
    assert fresh is not None
    return Outcome(spec.build(fresh, ctx), [])


@database_failures_typed
async def close(
    ctx: Context, spec: EntitySpec[T], global_id: str, arguments: Mapping[str, Any] | None = None
) -> Outcome[T]:
    """Mark an entity closed as its spec says (nothing is deleted: deeds and history keep
    pointing at it). `arguments` are the close mutation's own (closeNeed's reason)."""
    closing = spec.closing
    assert closing is not None, f"{spec.type_name} does not close"
    values, problems = values_by_rules(closing.arguments, spec.model, arguments or {}, True, {})
    if problems:
        return Outcome(None, problems)
    if refusal := role_refusal(ctx, spec, "close"):
        return Outcome(None, refusal)
    values.update(closing.sets)
    if closing.stamp is not None:
        values[closing.stamp] = now()
    async with ctx.sessionmaker() as session, session.begin():
        row, problems = await existing_row(session, ctx, spec, global_id)
        if row is None or problems:
            return Outcome(None, problems)
        if spec.is_closed(row):
            return Outcome(None, [closed_problem(spec)])
        if closing.precondition is not None:
            blocking = list(await closing.precondition(session, row))
            if blocking:
                return Outcome(None, blocking)
        if not await update_row(session, spec.model, row.id, values, version=read_version(row)):
            return Outcome(None, [LOST_RACE])
        await record_change(
            session, ctx.viewer, spec.operation("close"), spec.type_name, row.id, row, values
        )
        fresh = await located_row(session, spec.model, row.id)
    assert fresh is not None
    return Outcome(spec.build(fresh, ctx), [])


LOST_RACE = Problem(
    ErrorCode.CONFLICT, "id", "changed by someone else meanwhile: reload it and try again"
)


def now() -> datetime:
    return datetime.now(UTC)


def _integrity_problem(error: IntegrityError) -> Problem:
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return Problem(ErrorCode.DUPLICATE, None, "another record already has this value")
    return Problem(ErrorCode.CONFLICT, None, "the change conflicts with existing records")
