"""Create, update and close any entity from its declared spec, in one transaction.

Input is checked in full before anything is written: the caller gets every problem at once and
the database is never left half-changed. Database integrity errors become user errors too.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, ParamSpec, TypeVar

from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.unset import UnsetType

from sandan.db.base import Base
from sandan.db.repositories.writes import insert_row, located_row, remember_key, update_row
from sandan.resolvers.audit import record_change
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations import idempotency
from sandan.resolvers.mutations.entity import ENGINE_FIELDS, EntitySpec, column_of
from sandan.resolvers.mutations.rules import Invalid, Rule, camel
from sandan.resolvers.mutations.specs import SPECS_BY_TYPE
from sandan.resolvers.permissions import OPERATIONS, may, within_reach
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, shown
from sandan.schema.registry import NODE_TYPES

T = TypeVar("T")
P = ParamSpec("P")
log = logging.getLogger(__name__)

STAFF_ONLY = Problem(
    ErrorCode.FORBIDDEN, None, "only staff may change the grid and the lists: send a staff token"
)
OUTSIDE = "lies outside the part of the grid you manage"


def _role_refusal(ctx: Context, spec: EntitySpec[Any], verb: str) -> list[Problem]:
    """The refusal of a caller whose role may not run this mutation at all (anywhere)."""
    if ctx.viewer.role is None:
        return [STAFF_ONLY]
    if may(ctx.viewer, OPERATIONS[spec.operation(verb)]):
        return []
    role = ctx.viewer.role.value
    return [Problem(ErrorCode.FORBIDDEN, None, f"a {role} account may not {spec.operation(verb)}")]


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


def given_fields(inp: Any) -> dict[str, Any]:
    """The input fields the client sent (UNSET ones left out; explicit nulls kept)."""
    return {
        f.name: getattr(inp, f.name)
        for f in dataclasses.fields(inp)
        if not isinstance(getattr(inp, f.name), UnsetType) and f.name not in ENGINE_FIELDS
    }


def _convert(
    spec: EntitySpec[Any], given: dict[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[Problem]]:
    values, problems = _converted(spec.fields, spec.model, given, creating, spec.defaults)
    if creating:
        for name, make in spec.defaults.items():
            values.setdefault(name, make())
    return values, problems


def _converted(
    rules: Mapping[str, Rule],
    model: type[Base],
    given: Mapping[str, Any],
    creating: bool,
    defaults: Mapping[str, Any],
) -> tuple[dict[str, Any], list[Problem]]:
    """Column values of the `given` input fields (or arguments) by their rules, and the
    problems of those that break them."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, rule in rules.items():
        if name not in given:
            if creating and rule.required:
                problems.append(Problem(ErrorCode.REQUIRED, camel(name), "is required"))
            continue
        value = given[name]
        if value is None and rule.required:
            problems.append(Problem(ErrorCode.REQUIRED, camel(name), "must not be null"))
            continue
        try:
            converted = rule.convert(value)
        except Invalid as e:
            problems.append(Problem(e.code, camel(name), e.message))
            continue
        column = column_of(name, rule)
        if converted is None and not _nullable(model, column):
            if creating and column in defaults:
                continue  # null asks for the default (a visit logged today)
            # An explicit null for a column that always holds a value (urgency, role, a flag):
            # the caller's mistake, not a database conflict.
            problems.append(Problem(ErrorCode.REQUIRED, camel(name), "must not be null"))
            continue
        values[column] = converted
    return values, problems


def _nullable(model: type[Base], column: str) -> bool:
    return bool(model.__table__.c[column].nullable)


async def _resolve_refs(
    session: AsyncSession,
    ctx: Context,
    spec: EntitySpec[Any],
    given: dict[str, Any],
    values: dict[str, Any],
    *,
    creating: bool,
) -> tuple[dict[str, Row[Any]], list[Problem]]:
    targets: dict[str, Row[Any]] = {}
    problems: list[Problem] = []
    for name, ref in spec.refs.items():
        field_name = camel(name)
        if name not in given:
            if creating and ref.required:
                problems.append(Problem(ErrorCode.REQUIRED, field_name, "is required"))
            continue
        global_id = given[name]
        if global_id is None:
            if ref.required:
                problems.append(Problem(ErrorCode.REQUIRED, field_name, "must not be null"))
            else:
                values[ref.column] = None
            continue
        try:
            _, pk = from_global_id(global_id, expect=ref.type_name)
        except BadGlobalId as e:
            problems.append(Problem(ErrorCode.INVALID_ID, field_name, str(e)))
            continue
        row = await located_row(session, NODE_TYPES[ref.type_name].model, pk)
        # Households are personal data: outside the caller's personal scope they do not exist.
        scope = ctx.viewer.personal if ref.type_name == "Household" else ctx.viewer.read
        if row is None or not scope.covers(row.cell_path):
            problems.append(
                Problem(
                    ErrorCode.NOT_FOUND, field_name, f"no {ref.type_name} has id {shown(global_id)}"
                )
            )
            continue
        if not within_reach(ctx.viewer, row.cell_path):
            problems.append(Problem(ErrorCode.FORBIDDEN, field_name, OUTSIDE))
            continue
        target = SPECS_BY_TYPE.get(ref.type_name)
        if target is not None and target.is_closed(row):
            problems.append(
                Problem(
                    ErrorCode.ALREADY_CLOSED,
                    field_name,
                    f"this {ref.type_name} is closed and takes no new links",
                )
            )
            continue
        if ref.levels and row.cell_level not in ref.levels:
            allowed = ", ".join(sorted(level.value for level in ref.levels))
            problems.append(
                Problem(
                    ErrorCode.WRONG_LEVEL,
                    field_name,
                    f"is a {row.cell_level.value} cell; this takes a cell at level {allowed}",
                )
            )
            continue
        targets[name] = row
        values[ref.column] = pk
    return targets, problems


def _check_write_scope(ctx: Context, path: str | None, field_name: str) -> list[Problem]:
    if path is not None and not ctx.viewer.write.covers(path):
        return [Problem(ErrorCode.FORBIDDEN, field_name, OUTSIDE)]
    return []


async def _problems(
    session: AsyncSession,
    ctx: Context,
    spec: EntitySpec[Any],
    given: dict[str, Any],
    values: dict[str, Any],
    existing: Row[Any] | None,
) -> list[Problem]:
    """Everything wrong with a create (existing is None) or an update, found before any write."""
    targets, problems = await _resolve_refs(
        session, ctx, spec, given, values, creating=existing is None
    )
    located = targets.get(spec.located_by)
    if located is not None:
        problems += _check_write_scope(ctx, located.cell_path, camel(spec.located_by))
    # Cross-field checks see the record as it would be after the change.
    merged = values if existing is None else {**existing._mapping, **values}
    problems += [p for check in spec.checks for p in check(merged)]
    if not problems:
        for db_check in spec.db_checks:
            problems += await db_check(session, merged, existing)
    return problems


def _closed(spec: EntitySpec[Any]) -> Problem:
    return Problem(ErrorCode.ALREADY_CLOSED, "id", f"this {spec.type_name} is closed")


@database_failures_typed
async def create(ctx: Context, spec: EntitySpec[T], inp: Any) -> Outcome[T]:
    if refusal := _role_refusal(ctx, spec, "create"):
        return Outcome(None, refusal)
    given = given_fields(inp)
    key, problems = idempotency.key_of(inp)
    owner = idempotency.owner_of(ctx.viewer)
    digest = idempotency.digest_of(spec.type_name, given)
    values, more = _convert(spec, given, creating=True)
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
                problems += await _problems(session, ctx, spec, given, values, None)
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


async def _existing(
    session: AsyncSession, ctx: Context, spec: EntitySpec[Any], global_id: str
) -> tuple[Row[Any] | None, list[Problem]]:
    try:
        _, pk = from_global_id(global_id, expect=spec.type_name)
    except BadGlobalId as e:
        return None, [Problem(ErrorCode.INVALID_ID, "id", str(e))]
    row = await located_row(session, spec.model, pk)
    if row is None or not ctx.viewer.read.covers(row.cell_path):
        return None, [
            Problem(ErrorCode.NOT_FOUND, "id", f"no {spec.type_name} has id {shown(global_id)}")
        ]
    problems = _check_write_scope(ctx, row.cell_path, "id")
    return row, problems


@database_failures_typed
async def update(ctx: Context, spec: EntitySpec[T], global_id: str, inp: Any) -> Outcome[T]:
    if refusal := _role_refusal(ctx, spec, "update"):
        return Outcome(None, refusal)
    given = given_fields(inp)
    values, problems = _convert(spec, given, creating=False)
    async with ctx.sessionmaker() as session:
        try:
            async with session.begin():
                row, found_problems = await _existing(session, ctx, spec, global_id)
                if row is None or found_problems:
                    return Outcome(None, found_problems)
                if spec.is_closed(row):
                    return Outcome(None, [_closed(spec)])
                problems += _version_problems(row, getattr(inp, "expected_version", None))
                problems += await _problems(session, ctx, spec, given, values, row)
                if problems:
                    return Outcome(None, problems)
                if values:
                    if not await update_row(
                        session, spec.model, row.id, values, version=_read_version(row)
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
    values, problems = _converted(closing.arguments, spec.model, arguments or {}, True, {})
    if problems:
        return Outcome(None, problems)
    if refusal := _role_refusal(ctx, spec, "close"):
        return Outcome(None, refusal)
    values.update(closing.sets)
    if closing.stamp is not None:
        values[closing.stamp] = now()
    async with ctx.sessionmaker() as session, session.begin():
        row, problems = await _existing(session, ctx, spec, global_id)
        if row is None or problems:
            return Outcome(None, problems)
        if spec.is_closed(row):
            return Outcome(None, [_closed(spec)])
        if closing.precondition is not None:
            blocking = list(await closing.precondition(session, row))
            if blocking:
                return Outcome(None, blocking)
        if not await update_row(session, spec.model, row.id, values, version=_read_version(row)):
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


def _read_version(row: Row[Any]) -> int | None:
    return row._mapping.get("version")


def _version_problems(row: Row[Any], expected: Any) -> list[Problem]:
    """The client's `expectedVersion` against the version the row has now."""
    if expected is None or isinstance(expected, UnsetType) or expected == _read_version(row):
        return []
    message = f"the record is at version {_read_version(row)}, not {expected}: reload it"
    return [Problem(ErrorCode.CONFLICT, "expectedVersion", message)]


def now() -> datetime:
    return datetime.now(UTC)


def _integrity_problem(error: IntegrityError) -> Problem:
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return Problem(ErrorCode.DUPLICATE, None, "another record already has this value")
    return Problem(ErrorCode.CONFLICT, None, "the change conflicts with existing records")
