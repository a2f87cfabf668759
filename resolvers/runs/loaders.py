"""Per-request loaders of runs: the runs fields on Cell and Need, and `node(id:)`'s runs and
pins (registered in resolvers/loaders.py). A run or pin outside the viewer's staff scope is
not found, as in the run roots."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false
from sqlalchemy.orm import InstrumentedAttribute

from sandan.db.models import Cell
from sandan.db.models.runs import OptimisationRun as RunRow
from sandan.db.reader import Reader
from sandan.db.repositories import run_results, runs
from sandan.db.repositories.batch import Record
from sandan.resolvers.loader_base import ManyLoader, OneLoader
from sandan.schema.context import Viewer
from sandan.schema.types.runs import OptimisationRun, RunConstraint


def _staff_scope(viewer: Viewer, path: InstrumentedAttribute[str]) -> ColumnElement[bool]:
    return viewer.write.clause(path) if viewer.staff else false()


class OptimisationRunByIdLoader(OneLoader[int, OptimisationRun]):
    of = OptimisationRun

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, Record]:
        scope = _staff_scope(self.deps.viewer, RunRow.cell_path)
        return await runs.runs_by_ids(session, keys, scope)


class RunConstraintByIdLoader(OneLoader[int, RunConstraint]):
    of = RunConstraint

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, Record]:
        scope = _staff_scope(self.deps.viewer, Cell.path)
        return await run_results.constraints_by_ids(session, keys, scope)


class OptimisationRunsByCellIdLoader(ManyLoader[int, OptimisationRun]):
    """The runs of each cell, newest first."""

    of = OptimisationRun

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, list[Record]]:
        return await runs.runs_by_cell_ids(session, keys)


class UnmatchedReasonsByNeedIdLoader(ManyLoader[int, str]):
    """Per need, the reasons of the latest run that covered it (empty: matched, or no run)."""

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, list[Record]]:
        return {k: list(v) for k, v in (await run_results.latest_reasons(session, keys)).items()}

    def build(self, row: Record) -> str:
        return str(row)
