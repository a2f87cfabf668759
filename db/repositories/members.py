"""Reads of people, organisations, households and contact visits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select

from sandan.db.models import Cell, ContactVisit, Household, Organisation, Person
from sandan.db.reader import Reader
from sandan.db.repositories.batch import (
    Record,
    columns_of,
    in_cells,
    rows_by_key,
    rows_grouped_by_key,
)
from sandan.db.scope import Scope


def person_select(scope: Scope) -> Select[Any]:
    return in_cells(Person, scope)


def household_select(scope: Scope) -> Select[Any]:
    return in_cells(Household, scope)


def organisation_select(scope: Scope) -> Select[Any]:
    return (
        columns_of(Organisation)
        .join(Cell, Cell.id == Organisation.cell_id)
        .where(scope.clause(Cell.path))
    )


async def households_by_ids(session: Reader, ids: Sequence[int], scope: Scope) -> dict[int, Record]:
    return await rows_by_key(session, household_select(scope), Household.id, ids)


async def households_by_cell_ids(
    session: Reader, cell_ids: Sequence[int], scope: Scope
) -> dict[int, list[Record]]:
    stmt = household_select(scope).where(Household.active.is_(True))
    return await rows_grouped_by_key(session, stmt, Household.cell_id, cell_ids, Household.id)


async def visits_by_household_ids(
    session: Reader, household_ids: Sequence[int]
) -> dict[int, list[Record]]:
    return await rows_grouped_by_key(
        session,
        columns_of(ContactVisit),
        ContactVisit.household_id,
        household_ids,
        ContactVisit.visited_on.desc(),
        ContactVisit.id.desc(),
    )


async def team_by_deed_ids(
    session: Reader, deed_ids: Sequence[int], scope: Scope
) -> dict[int, list[Record]]:
    from sandan.db.enums import DeedRole
    from sandan.db.models import DeedMember

    stmt = person_select(scope).join(
        DeedMember, (DeedMember.person_id == Person.id) & (DeedMember.role == DeedRole.TEAM)
    )
    return await rows_grouped_by_key(session, stmt, DeedMember.deed_id, deed_ids, DeedMember.id)


def filtered_people(scope: Scope, *, under_path: str | None, search: str | None) -> Select[Any]:
    stmt = person_select(scope).where(Person.active.is_(True))
    if under_path is not None:
        stmt = stmt.where(Scope.subtrees([under_path]).clause(Cell.path))
    if search:
        stmt = stmt.where(Person.name.icontains(search, autoescape=True))
    return stmt


def filtered_organisations(scope: Scope, *, under_path: str | None, kind: Any) -> Select[Any]:
    stmt = organisation_select(scope)
    if under_path is not None:
        stmt = stmt.where(Scope.subtrees([under_path]).clause(Cell.path))
    if kind is not None:
        stmt = stmt.where(Organisation.kind == kind)
    return stmt


async def visits_by_ids(session: Reader, ids: Sequence[int], scope: Scope) -> dict[int, Record]:
    """Visits by id, only where `scope` (the caller's personal scope) covers the household."""
    stmt = (
        columns_of(ContactVisit)
        .join(Household, Household.id == ContactVisit.household_id)
        .join(Cell, Cell.id == Household.cell_id)
        .where(scope.clause(Cell.path))
    )
    return await rows_by_key(session, stmt, ContactVisit.id, ids)
