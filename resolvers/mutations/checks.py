"""What the mutation engine checks before it writes: the caller's role, each input field by its
rule, the references (decoded, found, in scope, open, at the right level), the write scope, the
cross-field and database checks of the spec, and the client's expected version.

Each function returns problems rather than raising: the engine gathers every problem of an input
and writes nothing when there is one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.unset import UnsetType

from sandan.db.base import Base
from sandan.db.repositories.writes import located_row
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.entity import ENGINE_FIELDS, EntitySpec, column_of
from sandan.resolvers.mutations.rules import Invalid, Rule, camel
from sandan.resolvers.mutations.specs import SPECS_BY_TYPE
from sandan.resolvers.permissions import OPERATIONS, may, within_reach
from sandan.schema.context import Context
from sandan.schema.ids import BadGlobalId, from_global_id, shown
from sandan.schema.registry import NODE_TYPES

STAFF_ONLY = Problem(
    ErrorCode.FORBIDDEN, None, "only staff may change the grid and the lists: send a staff token"
)
OUTSIDE = "lies outside the part of the grid you manage"


def role_refusal(ctx: Context, spec: EntitySpec[Any], verb: str) -> list[Problem]:
    """The refusal of a caller whose role may not run this mutation at all (anywhere)."""
    if ctx.viewer.role is None:
        return [STAFF_ONLY]
    if may(ctx.viewer, OPERATIONS[spec.operation(verb)]):
        return []
    role = ctx.viewer.role.value
    return [Problem(ErrorCode.FORBIDDEN, None, f"a {role} account may not {spec.operation(verb)}")]


def given_fields(inp: Any) -> dict[str, Any]:
    """The input fields the client sent (UNSET ones left out; explicit nulls kept)."""
    return {
        f.name: getattr(inp, f.name)
        for f in dataclasses.fields(inp)
        if not isinstance(getattr(inp, f.name), UnsetType) and f.name not in ENGINE_FIELDS
    }


def convert(
    spec: EntitySpec[Any], given: dict[str, Any], *, creating: bool
) -> tuple[dict[str, Any], list[Problem]]:
    values, problems = values_by_rules(spec.fields, spec.model, given, creating, spec.defaults)
    if creating:
        for name, make in spec.defaults.items():
            values.setdefault(name, make())
    return values, problems


def values_by_rules(
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


def write_scope_problems(ctx: Context, path: str | None, field_name: str) -> list[Problem]:
    if path is not None and not ctx.viewer.write.covers(path):
        return [Problem(ErrorCode.FORBIDDEN, field_name, OUTSIDE)]
    return []


async def problems_before_write(
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
        problems += write_scope_problems(ctx, located.cell_path, camel(spec.located_by))
    # Cross-field checks see the record as it would be after the change.
    merged = values if existing is None else {**existing._mapping, **values}
    problems += [p for check in spec.checks for p in check(merged)]
    if not problems:
        for db_check in spec.db_checks:
            problems += await db_check(session, merged, existing)
    return problems


def closed_problem(spec: EntitySpec[Any]) -> Problem:
    return Problem(ErrorCode.ALREADY_CLOSED, "id", f"this {spec.type_name} is closed")


async def existing_row(
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
    problems = write_scope_problems(ctx, row.cell_path, "id")
    return row, problems


def read_version(row: Row[Any]) -> int | None:
    return row._mapping.get("version")


def version_problems(row: Row[Any], expected: Any) -> list[Problem]:
    """The client's `expectedVersion` against the version the row has now."""
    if expected is None or isinstance(expected, UnsetType) or expected == read_version(row):
        return []
    message = f"the record is at version {read_version(row)}, not {expected}: reload it"
    return [Problem(ErrorCode.CONFLICT, "expectedVersion", message)]
