"""What the mutation engine knows of an entity: its spec, declared once in `specs.py`.

A spec names input fields, model columns and mutation arguments; a wrong name would otherwise
surface only when a client sends that field (or never, for an input field no rule reads).
So every spec is checked when it is built, at import: `BadSpec` names what does not exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db.base import Base
from sandan.resolvers.errors import Problem
from sandan.resolvers.mutations.rules import Ref, Rule
from sandan.schema.context import Context

T = TypeVar("T")
Check = Callable[[dict[str, Any]], Sequence[Problem]]
# A check that needs the database: (session, merged values, existing row or None) -> problems.
DbCheck = Callable[[AsyncSession, dict[str, Any], Row[Any] | None], Awaitable[Sequence[Problem]]]
# What must hold before a row closes (no active deed serves the need, ...): the problems if not.
Precondition = Callable[[AsyncSession, Row[Any]], Awaitable[Sequence[Problem]]]


class BadSpec(TypeError):
    """A spec names an input field, column or argument that does not exist."""


@dataclass(frozen=True)
class Closing:
    """How an entity closes. Nothing is deleted: deeds and history keep pointing at it."""

    is_closed: Callable[[Row[Any]], bool]
    sets: Mapping[str, Any]  # the columns a close writes, and their values
    stamp: str | None = None  # a column set to the time of closing
    precondition: Precondition | None = None
    # The close mutation's own arguments (closeNeed's reason), checked like input fields.
    arguments: Mapping[str, Rule] = field(default_factory=dict)

    def but(self, **changes: Any) -> Closing:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class EntitySpec(Generic[T]):
    type_name: str
    model: type[Base]
    fields: Mapping[str, Rule]
    refs: Mapping[str, Ref]
    build: Callable[[Row[Any], Context], T]
    # The create input must hold exactly the spec's fields and refs; the update input a part.
    create_input: type
    update_input: type | None = None
    # Where the entity sits in the grid: the ref whose target's cell locates it.
    located_by: str = "cell"
    checks: Sequence[Check] = ()
    db_checks: Sequence[DbCheck] = ()
    closing: Closing | None = None  # None: it never closes
    defaults: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    # The verb of its create mutation (recordContactVisit): the operations are `{verb}{Type}`,
    # and sandan.resolvers.permissions.OPERATIONS names the action each needs.
    create_verb: str = "create"

    def operation(self, verb: str) -> str:
        """The GraphQL name of this entity's create, update or close mutation."""
        return f"{self.create_verb if verb == 'create' else verb}{self.type_name}"

    def __post_init__(self) -> None:
        _check_names(self)

    def is_closed(self, row: Row[Any]) -> bool:
        return self.closing is not None and self.closing.is_closed(row)


def column_of(name: str, rule: Rule) -> str:
    return rule.column or name


def _check_names(spec: EntitySpec[Any]) -> None:
    where = f"{spec.type_name} spec"
    named = set(spec.fields) | set(spec.refs)
    created = _input_fields(spec.create_input)
    _all_known(where, "fields of " + spec.create_input.__name__, named, created)
    _all_known(where, "spec's fields and refs", created, named)
    if spec.update_input is not None:
        _all_known(where, "spec's fields and refs", _input_fields(spec.update_input), named)
    if spec.located_by not in spec.refs:
        raise BadSpec(f"{where}: located_by {spec.located_by!r} is not one of its refs")
    columns: set[str] = {column_of(name, rule) for name, rule in spec.fields.items()}
    columns |= {ref.column for ref in spec.refs.values()} | set(spec.defaults)
    if spec.closing is not None:
        closing = spec.closing
        columns |= set(closing.sets) | {column_of(n, r) for n, r in closing.arguments.items()}
        columns |= {closing.stamp} if closing.stamp else set()
    _all_known(
        where, f"columns of {spec.model.__tablename__}", columns, set(spec.model.__table__.c.keys())
    )


def _input_fields(input_class: type) -> set[str]:
    return {f.name for f in dataclasses.fields(input_class)}


def _all_known(where: str, known_as: str, names: set[str], known: set[str]) -> None:
    unknown = sorted(names - known)
    if unknown:
        raise BadSpec(f"{where}: {', '.join(unknown)} not among the {known_as}")
