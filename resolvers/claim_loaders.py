"""Per-request DataLoaders of partner work: `ClaimsByOrganisationIdLoader`,
`ClaimStatsByOrganisationIdLoader`, `ClaimEventsByClaimIdLoader`, `TaskByIdLoader`. Each batch
opens its own short connection (see sandan.resolvers.loaders). Expiry is read against the time
the request first used one of them (they are made together), so one answer is consistent with
itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from sandan.db.repositories import claim_reads as reads
from sandan.db.repositories import claims as repo
from sandan.schema.types.claims import (
    ClaimHistoryEntry,
    PartnerClaim,
    PartnerClaimStats,
    PartnerTask,
)
from sandan.schema.types.members import Person

if TYPE_CHECKING:
    from sandan.resolvers.loader_base import LoaderDeps


class _Loader(DataLoader[int, Any]):
    def __init__(self, deps: LoaderDeps, now: datetime) -> None:
        super().__init__(load_fn=self._batch)
        self.deps = deps
        self.now = now

    async def _batch(self, keys: list[int]) -> list[Any]:
        raise NotImplementedError


class ClaimsByOrganisationIdLoader(_Loader):
    async def _batch(self, keys: list[int]) -> list[Any]:
        async with self.deps.read_engine.connect() as conn:
            grouped = await reads.claims_by_organisation_ids(conn, keys, self.now)
        return [[PartnerClaim.from_row(r) for r in grouped.get(k, ())] for k in keys]


class ClaimStatsByOrganisationIdLoader(_Loader):
    async def _batch(self, keys: list[int]) -> list[Any]:
        async with self.deps.read_engine.connect() as conn:
            rows = await reads.stats_by_organisation_ids(conn, keys, self.now)
        return [PartnerClaimStats.from_row(rows.get(k)) for k in keys]


class ClaimEventsByClaimIdLoader(_Loader):
    async def _batch(self, keys: list[int]) -> list[Any]:
        async with self.deps.read_engine.connect() as conn:
            grouped = await reads.events_by_claim_ids(conn, keys, self.now)
        return [
            [ClaimHistoryEntry.from_row(r) for r in sorted(grouped.get(k, ()), key=_when)]
            for k in keys
        ]


def _when(row: Any) -> datetime:
    at: datetime = row.at
    return at


class TaskByIdLoader(_Loader):
    async def _batch(self, keys: list[int]) -> list[Any]:
        async with self.deps.read_engine.connect() as conn:
            rows = await repo.tasks_by_ids(conn, keys, self.now)
        viewer = self.deps.viewer
        return [PartnerTask.from_row(rows[k], viewer) if k in rows else None for k in keys]


class PeopleByOrganisationIdLoader(_Loader):
    """The active members of each organisation: the people a partner claims with."""

    async def _batch(self, keys: list[int]) -> list[Any]:
        async with self.deps.read_engine.connect() as conn:
            grouped = await reads.people_by_organisation_ids(conn, keys)
        viewer = self.deps.viewer
        return [[Person.from_row(r, viewer) for r in grouped.get(k, ())] for k in keys]


class ClaimLoaders:
    """The partner-work loaders of one request (`Loaders.claims`)."""

    def __init__(self, deps: LoaderDeps) -> None:
        now = datetime.now(UTC)
        self.claims_by_organisation_id = ClaimsByOrganisationIdLoader(deps, now)
        self.stats_by_organisation_id = ClaimStatsByOrganisationIdLoader(deps, now)
        self.events_by_claim_id = ClaimEventsByClaimIdLoader(deps, now)
        self.task_by_id = TaskByIdLoader(deps, now)
        self.people_by_organisation_id = PeopleByOrganisationIdLoader(deps, now)
