"""Create, update and close any entity from its declared spec, in one transaction.

Input is checked in full before anything is written: the caller gets every problem at once and
the database is never left half-changed. Database integrity errors become user errors too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.unset import UnsetType

from sandan.db.base import Base
from sandan.db.repositories.writes import insert_row, located_row, update_row
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.entity import EntitySpec, column_of
from sandan.resolvers.mutations.rules import Invalid, Rule, camel
from sandan.resolvers.mutations.specs import SPECS_BY_TYPE
from sandan.resolvers.permissions import OPERATIONS, may, within_reach
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id
from sandan.schema.registry import NODE_TYPES

T = TypeVar("T")

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


def given_fields(inp: Any) -> dict[str, Any]:
    """The input fields the client sent (UNSET ones left out; explicit nulls kept)."""
    return {
        f.name: getattr(inp, f.name)
        for f in dataclasses.fields(inp)
        if not isinstance(getattr(inp, f.name), UnsetType)
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
                Problem(ErrorCode.NOT_FOUND, field_name, f"no {ref.type_name} has id {global_id!r}")
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


async def create(ctx: Context, spec: EntitySpec[T], inp: Any) -> Outcome[T]:
    if refusal := _role_refusal(ctx, spec, "create"):
        return Outcome(None, refusal)
    given = given_fields(inp)
    values, problems = _convert(spec, given, creating=True)
    async with ctx.sessionmaker() as session:
        try:
            async with session.begin():
                problems += await _problems(session, ctx, spec, given, values, None)
                if problems:
                    return Outcome(None, problems)
                pk = await insert_row(session, spec.model, values)
        except IntegrityError as e:
            return Outcome(None, [_integrity_problem(e)])
        row = await located_row(session, spec.model, pk)
    assert row is not None
    return Outcome(spec.build(row, ctx), [])


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
            Problem(ErrorCode.NOT_FOUND, "id", f"no {spec.type_name} has id {global_id!r}")
        ]
    problems = _check_write_scope(ctx, row.cell_path, "id")
    return row, problems


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
                problems += await _problems(session, ctx, spec, given, values, row)
                if problems:
                    return Outcome(None, problems)
                if values:
                    await update_row(session, spec.model, row.id, values)
        except IntegrityError as e:
            return Outcome(None, [_integrity_problem(e)])
        fresh = await located_row(session, spec.model, row.id)
    assert fresh is not None
    return Outcome(spec.build(fresh, ctx), [])


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
    async with ctx.sessionmaker() as session:
        async with session.begin():
            row, problems = await _existing(session, ctx, spec, global_id)
            if row is None or problems:
                return Outcome(None, problems)
            if spec.is_closed(row):
                return Outcome(None, [_closed(spec)])
            if closing.precondition is not None:
                blocking = list(await closing.precondition(session, row))
                if blocking:
                    return Outcome(None, blocking)
            await update_row(session, spec.model, row.id, values)
        fresh = await located_row(session, spec.model, row.id)
    assert fresh is not None
    return Outcome(spec.build(fresh, ctx), [])


def now() -> datetime:
    return datetime.now(UTC)


def _integrity_problem(error: IntegrityError) -> Problem:
    text = str(error.orig).lower()
    if "unique" in text or "duplicate" in text:
        return Problem(ErrorCode.DUPLICATE, None, "another record already has this value")
    return Problem(ErrorCode.CONFLICT, None, "the change conflicts with existing records")
