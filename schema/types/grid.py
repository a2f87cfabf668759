"""Cells of the grid and their subtree statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.enums import CellKind, DeedStatus, Level
from sandan.db.repositories.grid import ancestor_ids
from sandan.schema.context import Info
from sandan.schema.types.fields import column, key, public_field, related
from sandan.schema.types.node import Node

if TYPE_CHECKING:
    from sandan.schema.types.deeds import Deed
    from sandan.schema.types.lists import Need, Resource
    from sandan.schema.types.members import Household, Person
    from sandan.schema.types.runs import OptimisationRun


@strawberry.type(description="How many deeds of one status a subtree holds.")
class DeedStatusCount:
    status: DeedStatus = strawberry.field(description="The deed status counted.")
    count: int = strawberry.field(description="Deeds of the subtree in this status (0 or more).")


@strawberry.type(
    description="Counts over a cell's whole subtree. Needs and deeds count where the caller "
    "sees them (`Need.cell`): a household-contact group's own count at its branch, and not "
    "at the group, unless the caller's grid scope covers the group."
)
class CellStats:
    people: int = strawberry.field(description="Active members whose home cell is in the subtree.")
    households: int = strawberry.field(
        description="Active households looked after in the subtree.",
        metadata=public_field("a count, which names no household"),
    )
    needs: int = strawberry.field(description="Needs-list entries of the subtree, any status.")
    open_needs: int = strawberry.field(
        description="Needs of the subtree still waiting for a deed (status OPEN)."
    )
    deeds: int = strawberry.field(description="Deeds of the subtree, any status.")
    deeds_by_status: list[DeedStatusCount] = strawberry.field(
        description="The subtree's deeds counted per status; every status appears, in enum order."
    )
    overdue_deeds: int = strawberry.field(
        description="Deeds of the subtree overdue today (see `DeedProgress.overdue`)."
    )
    stalled_deeds: int = strawberry.field(
        description="Deeds of the subtree stalled (see `DeedProgress.stalled`)."
    )
    rated_deeds: int = strawberry.field(
        description="Deeds of the subtree rated by the household that raised the need."
    )
    average_rating: float | None = strawberry.field(
        description="The mean of those ratings (1.0 to 5.0, two decimals); null when none is rated."
    )

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> CellStats:
        by_status = [
            DeedStatusCount(status=status, count=counts.get(f"deeds:{status}", 0))
            for status in DeedStatus
        ]
        rated = counts.get("rated_deeds", 0)
        return cls(
            people=counts.get("people", 0),
            households=counts.get("households", 0),
            needs=counts.get("needs", 0),
            open_needs=counts.get("open_needs", 0),
            deeds=sum(c.count for c in by_status),
            deeds_by_status=by_status,
            overdue_deeds=counts.get("overdue_deeds", 0),
            stalled_deeds=counts.get("stalled_deeds", 0),
            rated_deeds=rated,
            average_rating=round(counts.get("rating_sum", 0) / rated, 2) if rated else None,
        )


@strawberry.type(description="A cell of the grid: district, town, village, branch or group.")
class Cell(Node):
    code: str = column(
        description="The cell's stable code, unique in the grid (e.g. NH-JJ); "
        "`cell(code:)` looks a cell up by it."
    )
    name: str = column(
        description="The cell's name as the grid calls it, e.g. a village's name.",
        public="the name of a unit of the grid, not of a person",
    )
    level: Level = column(description="Its level in the grid, from DISTRICT down to GROUP.")
    kind: CellKind = column(description="What kind of unit it is at its level.")
    pk: strawberry.Private[int] = key("id")
    path: strawberry.Private[str] = key("path")
    parent_pk: strawberry.Private[int | None] = key("parent_id")
    leader_pk: strawberry.Private[int | None] = key("leader_id")
    ancestor_pks: strawberry.Private[list[int]] = key("path", convert=ancestor_ids)

    parent: Cell | None = related(
        "cell_by_id", "parent_pk", description="The cell one level up; null for the root."
    )

    ancestors: list[Cell] = related(
        "cell_by_id", "ancestor_pks", "many", description="From the root down to the parent."
    )

    children: list[Cell] = related(
        "children_by_cell_id", "pk", description="The cells one level down, ordered by code."
    )

    leader: Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None = related(
        "person_by_id",
        "leader_pk",
        description="The secretary (village, branch) or group leader / grid worker (group).",
    )

    people: list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]] = related(
        "people_by_cell_id",
        "pk",
        description="Active members whose home cell is this one, in id order.",
    )

    households: list[Annotated[Household, strawberry.lazy("sandan.schema.types.members")]] = (
        related(
            "households_by_cell_id",
            "pk",
            public="lists households; their details are personal",
            description="Active households whose cell is this one (their details are personal "
            "data).",
        )
    )

    resources: list[Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")]] = related(
        "resources_by_cell_id", "pk", description="Resource-list entries kept by this cell."
    )

    needs: list[Annotated[Need, strawberry.lazy("sandan.schema.types.lists")]] = related(
        "needs_by_cell_id",
        "pk",
        description="Needs-list entries reported in this cell, in id order, where the caller "
        "sees them (`Need.cell`): a branch lists its household-contact groups' needs too, and a "
        "group lists none, unless the caller's grid scope covers the group.",
    )

    deeds: list[Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")]] = related(
        "deeds_by_cell_id",
        "pk",
        description="Deeds taken on in this cell, in id order, where the caller sees them "
        "(`Deed.cell`): a branch lists its household-contact groups' deeds too, and a group "
        "lists none, unless the caller's grid scope covers the group.",
    )

    stats: CellStats = related(
        "stats_by_cell_id", "pk", description="Counts over the whole subtree."
    )

    @strawberry.field(
        description="Optimisation runs of this cell, newest first (staff whose scope covers "
        "it; empty for others). Page them with the root optimisationRuns(cell:)."
    )
    async def optimisation_runs(
        self, info: Info
    ) -> list[Annotated[OptimisationRun, strawberry.lazy("sandan.schema.types.runs")]]:
        viewer = info.context.viewer
        if not (viewer.staff and viewer.write.covers(self.path)):
            return []
        return await info.context.loaders.optimisation_runs_by_cell_id.load(self.pk)
