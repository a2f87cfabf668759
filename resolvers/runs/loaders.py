"""Per-request loaders of the runs fields on Cell and Need (registered in resolvers/loaders.py)."""

from __future__ import annotations

from collections.abc import Sequence

from sandan.db.reader import Reader
from sandan.db.repositories import run_results, runs
from sandan.db.repositories.batch import Record
from sandan.resolvers.loaders import LoaderDeps, _ManyLoader
from sandan.schema.types.runs import OptimisationRun


class OptimisationRunsByCellIdLoader(_ManyLoader[int, OptimisationRun]):
    """The runs of each cell, newest first."""

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, list[Record]]:
        return await runs.runs_by_cell_ids(session, keys)

    def build(self, row: Record) -> OptimisationRun:
        return OptimisationRun.from_row(row)


class UnmatchedReasonsByNeedIdLoader(_ManyLoader[int, str]):
    """Per need, the reasons of the latest run that covered it (empty: matched, or no run)."""

    async def fetch(self, session: Reader, keys: Sequence[int]) -> dict[int, list[Record]]:
        return {k: list(v) for k, v in (await run_results.latest_reasons(session, keys)).items()}

    def build(self, row: Record) -> str:
        return str(row)


def runs_loaders(
    deps: LoaderDeps,
) -> tuple[OptimisationRunsByCellIdLoader, UnmatchedReasonsByNeedIdLoader]:
    return OptimisationRunsByCellIdLoader(deps), UnmatchedReasonsByNeedIdLoader(deps)
