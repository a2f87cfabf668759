"""The public board: published deeds for anyone, through GraphQL (`publicDeeds`) and the web
page (`sandan.web`). Both read the same objects, so the page shows exactly what the API gives.

Every figure residents see is decided here: progress comes from the plan's milestones until
monthly reports exist (issue #12), and satisfaction appears once residents' ratings do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sandan.db.enums import HistoryKind, Level
from sandan.db.repositories import public_board as repo
from sandan.db.repositories.batch import Record
from sandan.db.repositories.deeds_feedback import Satisfaction, satisfaction_by_deed_ids
from sandan.db.repositories.grid import ancestor_ids
from sandan.resolvers import pages
from sandan.resolvers.errors import QueryError, QueryErrorCode
from sandan.resolvers.paging import page_query
from sandan.resolvers.queries import read_page
from sandan.schema.connections import Connection, Edge
from sandan.schema.context import Context
from sandan.schema.ids import shown, to_global_id
from sandan.schema.types.deed_lifecycle import DeedComment, DeedHistoryEntry
from sandan.schema.types.deeds import Milestone
from sandan.schema.types.grid import Cell
from sandan.schema.types.public import (
    ProgressSource,
    PublicCell,
    PublicDateChange,
    PublicDeed,
    PublicDeedFilter,
    PublicLead,
    PublicMilestone,
    PublicProgress,
    PublicSatisfaction,
)


def progress_of(
    done: bool, milestones: Sequence[PublicMilestone], reported: int | None = None
) -> PublicProgress:
    """The latest monthly report's percent when there is one, else the share of milestones
    done; a done deed is at 100 whatever its plan or reports say."""
    total = len(milestones)
    finished = sum(1 for m in milestones if m.done_on is not None)
    percent = round(100 * finished / total) if total else 0
    source = ProgressSource.MILESTONES
    if reported is not None:
        percent, source = reported, ProgressSource.REPORTS
    if done:
        percent = 100
    return PublicProgress(
        percent=percent,
        source=source,
        milestones_done=finished,
        milestones_total=total,
    )


def satisfaction_of(rated: Satisfaction | None) -> PublicSatisfaction | None:
    """The household's rating of a deed; None until it rated: the board shows no rating
    rather than an invented one."""
    if rated is None:
        return None
    return PublicSatisfaction(average=round(rated.average, 2), ratings=rated.ratings)


def _public_deed(
    row: Record,
    milestones: list[Milestone],
    reported: int | None,
    rated: Satisfaction | None,
    history: list[DeedHistoryEntry],
    comments: list[DeedComment],
) -> PublicDeed:
    steps = [
        PublicMilestone(seq=m.seq, title=m.title, due_on=m.due_on, done_on=m.done_on)
        for m in milestones
    ]
    lead = None
    if row.lead_name is not None:
        lead = PublicLead(name=row.lead_name, role=row.lead_role, kind=row.lead_kind)
    return PublicDeed(
        id=to_global_id("Deed", row.id),
        title=row.title,
        status=row.status,
        category=row.category,
        need_title=row.need_title,
        published_at=row.published_at,
        done_at=row.done_at,
        cell=PublicCell(
            code=row.cell_code,
            name=row.cell_name,
            level=row.cell_level,
            kind=row.cell_kind,
            parent_name=row.parent_name,
        ),
        lead=lead,
        progress=progress_of(row.done_at is not None, steps, reported),
        milestones=steps,
        satisfaction=satisfaction_of(rated),
        comments=comments,
        date_changes=[
            PublicDateChange(at=h.at, note=h.note or "")
            for h in history
            if h.kind is HistoryKind.MILESTONE
        ],
    )


async def _cell_by_code(ctx: Context, code: str, field: str) -> Cell:
    cell = await ctx.loaders.cell_by_code.load(code)
    if cell is None:
        raise QueryError(QueryErrorCode.NOT_FOUND, field, f"no cell has code {shown(code)}")
    return cell


async def public_deeds(
    ctx: Context,
    cell_code: str | None,
    f: PublicDeedFilter | None,
    *,
    first: int | None,
    after: str | None,
) -> Connection[PublicDeed]:
    query = await page_query(
        ctx, pages.public_deeds, first=first, after=after, cell=cell_code, filter=f
    )
    rows: Connection[Record] = await read_page(ctx, query, lambda row: row)
    ids = [row.id for row in rows.nodes]
    plans = await ctx.loaders.milestones_by_deed_id.load_many(ids)
    standing = await ctx.loaders.progress_by_deed_id.load_many(ids)
    histories = await ctx.loaders.history_by_deed_id.load_many(ids)
    comments = await ctx.loaders.comments_by_deed_id.load_many(ids)
    async with ctx.read_engine.connect() as conn:
        ratings = await satisfaction_by_deed_ids(conn, ids) if ids else {}
    deeds = [
        _public_deed(row, plan, now.percent, ratings.get(row.id), history, said)
        for row, plan, now, history, said in zip(
            rows.nodes, plans, standing, histories, comments, strict=True
        )
    ]
    return Connection(
        edges=[Edge(cursor=e.cursor, node=d) for e, d in zip(rows.edges, deeds, strict=True)],
        nodes=deeds,
        page_info=rows.page_info,
        counter=rows.counter,
    )


@dataclass(frozen=True)
class CellTally:
    """A cell on the board with its subtree's published deeds (all, and those done)."""

    cell: Cell
    published: int
    done: int


@dataclass(frozen=True)
class Board:
    """One page of the board: the cell, the way up, the way down, and its deeds."""

    here: CellTally
    ancestors: list[Cell]
    children: list[CellTally]
    deeds: Connection[PublicDeed]


# Residents walk the board down to the level-2 branches, where the deeds list is kept;
# household-contact groups are the party's working units, not places on the board.
LOWEST_LEVEL = Level.BRANCH


async def board(ctx: Context, code: str | None, *, first: int, after: str | None) -> Board | None:
    """The board of the cell with this code (the grid's top cell when None); None when no
    cell has the code."""
    if code is None:
        async with ctx.read_engine.connect() as conn:
            code = await repo.root_cell_code(conn)
        if code is None:
            return None
    cell = await ctx.loaders.cell_by_code.load(code)
    if cell is None:
        return None
    ancestors = await ctx.loaders.cell_by_id.load_many(ancestor_ids(cell.path))
    children: list[Cell] = []
    if Level(cell.level).depth < LOWEST_LEVEL.depth:
        children = await ctx.loaders.children_by_cell_id.load(cell.pk)
    async with ctx.read_engine.connect() as conn:
        counts = await repo.public_counts_by_path(conn, cell.path)
    deeds = await public_deeds(ctx, code, None, first=first, after=after)
    return Board(
        here=_tally(cell, counts),
        ancestors=[a for a in ancestors if a is not None],
        children=[_tally(child, counts) for child in children],
        deeds=deeds,
    )


def _tally(cell: Cell, counts: list[repo.PathCounts]) -> CellTally:
    inside = [c for c in counts if c.path.startswith(cell.path)]
    return CellTally(
        cell=cell,
        published=sum(c.published for c in inside),
        done=sum(c.done for c in inside),
    )
