"""Cells of the grid and their subtree statistics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from sandan.db.repositories.grid import ancestor_ids
from sandan.schema.context import Info
from sandan.schema.enums import CellKind, DeedStatus, Level
from sandan.schema.types.fields import column, key, public_field, via
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

    @strawberry.field(
        description="The cell one level up; null for the root.",
        metadata=via("cell_by_id", "parent_pk"),
    )
    async def parent(self, info: Info) -> Cell | None:
        if self.parent_pk is None:
            return None
        return await info.context.loaders.cell_by_id.load(self.parent_pk)

    @strawberry.field(
        description="From the root down to the parent.",
        metadata=via("cell_by_id", "ancestor_pks", "many"),
    )
    async def ancestors(self, info: Info) -> list[Cell]:
        cells = await info.context.loaders.cell_by_id.load_many(self.ancestor_pks)
        return [c for c in cells if c is not None]

    @strawberry.field(
        description="The cells one level down, ordered by code.",
        metadata=via("children_by_cell_id", "pk"),
    )
    async def children(self, info: Info) -> list[Cell]:
        return await info.context.loaders.children_by_cell_id.load(self.pk)

    @strawberry.field(
        description="The secretary (village, branch) or group leader / grid worker (group).",
        metadata=via("person_by_id", "leader_pk"),
    )
    async def leader(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("sandan.schema.types.members")] | None:
        if self.leader_pk is None:
            return None
        return await info.context.loaders.person_by_id.load(self.leader_pk)

    @strawberry.field(
        description="Active members whose home cell is this one, in id order.",
        metadata=via("people_by_cell_id", "pk"),
    )
    async def people(
        self, info: Info
    ) -> list[Annotated[Person, strawberry.lazy("sandan.schema.types.members")]]:
        return await info.context.loaders.people_by_cell_id.load(self.pk)

    @strawberry.field(
        description="Active households whose cell is this one (their details are personal data).",
        metadata=via(
            "households_by_cell_id", "pk", public="lists households; their details are personal"
        ),
    )
    async def households(
        self, info: Info
    ) -> list[Annotated[Household, strawberry.lazy("sandan.schema.types.members")]]:
        return await info.context.loaders.households_by_cell_id.load(self.pk)

    @strawberry.field(
        description="Resource-list entries kept by this cell.",
        metadata=via("resources_by_cell_id", "pk"),
    )
    async def resources(
        self, info: Info
    ) -> list[Annotated[Resource, strawberry.lazy("sandan.schema.types.lists")]]:
        return await info.context.loaders.resources_by_cell_id.load(self.pk)

    @strawberry.field(
        description="Needs-list entries reported in this cell, in id order, where the caller "
        "sees them (`Need.cell`): a branch lists its household-contact groups' needs too, and a "
        "group lists none, unless the caller's grid scope covers the group.",
        metadata=via("needs_by_cell_id", "pk"),
    )
    async def needs(
        self, info: Info
    ) -> list[Annotated[Need, strawberry.lazy("sandan.schema.types.lists")]]:
        return await info.context.loaders.needs_by_cell_id.load(self.pk)

    @strawberry.field(
        description="Deeds taken on in this cell, in id order, where the caller sees them "
        "(`Deed.cell`): a branch lists its household-contact groups' deeds too, and a group "
        "lists none, unless the caller's grid scope covers the group.",
        metadata=via("deeds_by_cell_id", "pk"),
    )
    async def deeds(
        self, info: Info
    ) -> list[Annotated[Deed, strawberry.lazy("sandan.schema.types.deeds")]]:
        return await info.context.loaders.deeds_by_cell_id.load(self.pk)

    @strawberry.field(
        description="Counts over the whole subtree.", metadata=via("stats_by_cell_id", "pk")
    )
    async def stats(self, info: Info) -> CellStats:
        return await info.context.loaders.stats_by_cell_id.load(self.pk)

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
