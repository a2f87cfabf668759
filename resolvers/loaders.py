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
    HasDeps,
    LoaderDeps,
    ManyBy,
    OneBy,
    in_both_scopes,
    in_personal_scope,
    in_read_scope,
    made_on_use,
    many_related,
    one_related,
    unscoped,
)
from sandan.resolvers.runs.loaders import (
    OptimisationRunByIdLoader,
    OptimisationRunsByCellIdLoader,
    RunConstraintByIdLoader,
    UnmatchedReasonsByNeedIdLoader,
)
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


class Loaders(HasDeps):
    """This request's loaders; attribute names are what fields' `via` metadata refers to. Each
    is made when the request first uses it (`made_on_use`)."""

    def __init__(self, deps: LoaderDeps) -> None:
        self.deps = deps

    cell_by_id = made_on_use(OneBy, Cell, one_related("cell_by_id"))
    cell_by_code = made_on_use(OneBy, Cell, one_related("cell_by_code"))
    children_by_cell_id = made_on_use(ManyBy, Cell, many_related("children_by_cell_id"))
    stats_by_cell_id = made_on_use(StatsByCellIdLoader)
    person_by_id = made_on_use(OneBy, Person, one_related("person_by_id"))
    people_by_cell_id = made_on_use(ManyBy, Person, many_related("people_by_cell_id"))
    team_by_deed_id = made_on_use(ManyBy, Person, in_read_scope(members.team_by_deed_ids))
    organisation_by_id = made_on_use(OneBy, Organisation, one_related("organisation_by_id"))
    household_by_id = made_on_use(OneBy, Household, in_read_scope(members.households_by_ids))
    households_by_cell_id = made_on_use(
        ManyBy, Household, in_read_scope(members.households_by_cell_ids)
    )
    visits_by_household_id = made_on_use(
        ManyBy, ContactVisit, unscoped(members.visits_by_household_ids)
    )
    visit_by_id = made_on_use(OneBy, ContactVisit, in_personal_scope(members.visits_by_ids))
    resource_by_id = made_on_use(OneBy, Resource, in_read_scope(lists.resources_by_ids))
    resources_by_cell_id = made_on_use(ManyBy, Resource, in_read_scope(lists.resources_by_cell_ids))
    need_by_id = made_on_use(OneBy, Need, in_read_scope(lists.needs_by_ids))
    needs_by_cell_id = made_on_use(ManyBy, Need, in_both_scopes(lists.needs_by_cell_ids))
    deed_by_id = made_on_use(OneBy, Deed, in_both_scopes(lists.deeds_by_ids))
    deed_by_need_id = made_on_use(OneBy, Deed, in_both_scopes(lists.deeds_by_need_ids))
    deeds_by_cell_id = made_on_use(ManyBy, Deed, in_both_scopes(lists.deeds_by_cell_ids))
    resource_uses_by_deed_id = made_on_use(
        ManyBy, DeedResourceUse, unscoped(lists.deed_resources_by_deed_ids)
    )
    milestones_by_deed_id = made_on_use(ManyBy, Milestone, unscoped(lists.milestones_by_deed_ids))
    optimisation_runs_by_cell_id = made_on_use(OptimisationRunsByCellIdLoader)
    unmatched_reasons_by_need_id = made_on_use(UnmatchedReasonsByNeedIdLoader)
    optimisation_run_by_id = made_on_use(OptimisationRunByIdLoader)
    run_constraint_by_id = made_on_use(RunConstraintByIdLoader)
    claims = made_on_use(ClaimLoaders)
    history_by_deed_id = made_on_use(
        ManyBy, DeedHistoryEntry, unscoped(deeds_lifecycle.history_by_deed_ids)
    )
    reports_by_deed_id = made_on_use(
        ManyBy, ProgressReport, unscoped(deeds_lifecycle.reports_by_deed_ids)
    )
    partner_contributions_by_deed_id = made_on_use(PartnerContributionsByDeedIdLoader)
    progress_by_deed_id = made_on_use(ProgressByDeedIdLoader)
    comments_by_deed_id = made_on_use(
        ManyBy, DeedComment, unscoped(deeds_comments.visible_by_deed_ids)
    )
