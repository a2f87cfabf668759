"""Per-request DataLoaders, one class per (entity, key).

Each batch opens its own short connection: strawberry resolves sibling fields concurrently and
runs batches in separate tasks, and one session or connection must never serve two tasks at once.
Loaders turn rows into API objects here (`from_row`, which applies the viewer's personal-data
scope). Loaders named in `sandan.db.repositories.relations.RELATIONS` read through that one
declaration (`one_related`, `many_related`), which the PostgreSQL JSON path writes as SQL
too. Most loaders are one line of `Loaders`: the object type and how its rows are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sandan.db.repositories import (
    deeds_comments,
    deeds_lifecycle,
    deeds_progress,
    grid,
    lists,
    members,
    partner_progress,
)
from sandan.db.repositories.batch import Record
from sandan.resolvers.claim_loaders import ClaimLoaders
from sandan.resolvers.deeds.clock import today
from sandan.resolvers.loader_base import (
    BatchLoader,
    LoaderDeps,
    ManyBy,
    OneBy,
    in_both_scopes,
    in_personal_scope,
    in_read_scope,
    many_related,
    one_related,
    unscoped,
)
from sandan.resolvers.runs.loaders import runs_loaders
from sandan.schema.types.deed_lifecycle import (
    DeedComment,
    DeedHistoryEntry,
    DeedProgress,
    PartnerContribution,
    ProgressReport,
)
from sandan.schema.types.deeds import Deed, DeedResourceUse, Milestone
from sandan.schema.types.grid import Cell, CellStats
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person


class StatsByCellIdLoader(BatchLoader[int, CellStats]):
    async def _batch(self, keys: list[int]) -> list[CellStats]:
        async with self.deps.read_engine.connect() as session:
            counts = await grid.subtree_counts(session, keys, today(), self.deps.viewer.personal)
        return [CellStats.from_counts(counts.get(k, {})) for k in keys]


class PartnerContributionsByDeedIdLoader(BatchLoader[int, list[PartnerContribution]]):
    """Partners' progress reports on each deed, summed per organisation and month."""

    async def _batch(self, keys: list[int]) -> list[list[PartnerContribution]]:
        async with self.deps.read_engine.connect() as session:
            grouped = await partner_progress.progress_by_deed_ids(session, keys)
        return [_contributions(grouped.get(k, ())) for k in keys]


def _contributions(rows: Iterable[Record]) -> list[PartnerContribution]:
    sums: dict[tuple[date, int], PartnerContribution] = {}
    for row in rows:  # oldest first: the last report of a month sets its percent
        month = row.at.date().replace(day=1)
        entry = sums.setdefault(
            (month, int(row.organisation_id)),
            PartnerContribution(
                month=month, hours=0, percent=0, reports=0, organisation_pk=row.organisation_id
            ),
        )
        entry.hours += int(row.hours or 0)
        entry.percent = int(row.progress or 0)
        entry.reports += 1
    return [sums[k] for k in sorted(sums)]


class ProgressByDeedIdLoader(BatchLoader[int, DeedProgress]):
    """Overdue and stalled are computed when read, against today's date."""

    async def _batch(self, keys: list[int]) -> list[DeedProgress]:
        async with self.deps.read_engine.connect() as session:
            rows = await deeds_progress.standing_by_deed_ids(session, keys, today())
        none = deeds_progress.Standing(None, None, overdue=False, stalled=False)
        return [_progress(rows.get(k, none)) for k in keys]


def _progress(s: deeds_progress.Standing) -> DeedProgress:
    return DeedProgress(
        percent=s.percent, last_report_month=s.last_month, overdue=s.overdue, stalled=s.stalled
    )


class Loaders:
    """This request's loaders; attribute names are what fields' `via` metadata refers to."""

    def __init__(self, deps: LoaderDeps) -> None:
        self.cell_by_id = OneBy(deps, Cell, one_related("cell_by_id"))
        self.cell_by_code = OneBy(deps, Cell, one_related("cell_by_code"))
        self.children_by_cell_id = ManyBy(deps, Cell, many_related("children_by_cell_id"))
        self.stats_by_cell_id = StatsByCellIdLoader(deps)
        self.person_by_id = OneBy(deps, Person, one_related("person_by_id"))
        self.people_by_cell_id = ManyBy(deps, Person, many_related("people_by_cell_id"))
        self.team_by_deed_id = ManyBy(deps, Person, in_read_scope(members.team_by_deed_ids))
        self.organisation_by_id = OneBy(deps, Organisation, one_related("organisation_by_id"))
        self.household_by_id = OneBy(deps, Household, in_read_scope(members.households_by_ids))
        self.households_by_cell_id = ManyBy(
            deps, Household, in_read_scope(members.households_by_cell_ids)
        )
        self.visits_by_household_id = ManyBy(
            deps, ContactVisit, unscoped(members.visits_by_household_ids)
        )
        self.visit_by_id = OneBy(deps, ContactVisit, in_personal_scope(members.visits_by_ids))
        self.resource_by_id = OneBy(deps, Resource, in_read_scope(lists.resources_by_ids))
        self.resources_by_cell_id = ManyBy(
            deps, Resource, in_read_scope(lists.resources_by_cell_ids)
        )
        self.need_by_id = OneBy(deps, Need, in_read_scope(lists.needs_by_ids))
        self.needs_by_cell_id = ManyBy(deps, Need, in_both_scopes(lists.needs_by_cell_ids))
        self.deed_by_id = OneBy(deps, Deed, in_both_scopes(lists.deeds_by_ids))
        self.deed_by_need_id = OneBy(deps, Deed, in_both_scopes(lists.deeds_by_need_ids))
        self.deeds_by_cell_id = ManyBy(deps, Deed, in_both_scopes(lists.deeds_by_cell_ids))
        self.resource_uses_by_deed_id = ManyBy(
            deps, DeedResourceUse, unscoped(lists.deed_resources_by_deed_ids)
        )
        self.milestones_by_deed_id = ManyBy(deps, Milestone, unscoped(lists.milestones_by_deed_ids))
        (
            self.optimisation_runs_by_cell_id,
            self.unmatched_reasons_by_need_id,
            self.optimisation_run_by_id,
            self.run_constraint_by_id,
        ) = runs_loaders(deps)
        self.claims = ClaimLoaders(deps)
        self.history_by_deed_id = ManyBy(
            deps, DeedHistoryEntry, unscoped(deeds_lifecycle.history_by_deed_ids)
        )
        self.reports_by_deed_id = ManyBy(
            deps, ProgressReport, unscoped(deeds_lifecycle.reports_by_deed_ids)
        )
        self.partner_contributions_by_deed_id = PartnerContributionsByDeedIdLoader(deps)
        self.progress_by_deed_id = ProgressByDeedIdLoader(deps)
        self.comments_by_deed_id = ManyBy(
            deps, DeedComment, unscoped(deeds_comments.visible_by_deed_ids)
        )
