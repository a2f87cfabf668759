"""One registry of the types that have a global id: GraphQL type name -> its strawberry type,
its SQLAlchemy model and the loader that finds one by primary key.

`node(id:)` looks the loader up here, the Schema registers the types from here, the mutation
engine finds the model a reference points to, and the compiled paths find each type's table.
A new Node type is one entry here (plus its strawberry type, model and loader).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table

from sandan.db import models
from sandan.db.base import Base
from sandan.schema.types.deeds import Deed
from sandan.schema.types.grid import Cell
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person
from sandan.schema.types.runs import OptimisationRun, RunConstraint


@dataclass(frozen=True)
class NodeType:
    strawberry_type: type[Any]
    model: type[Base]
    # The attribute of `resolvers.loaders.Loaders` that loads one object by primary key.
    loader: str

    @property
    def name(self) -> str:
        name: str = self.strawberry_type.__strawberry_definition__.name
        return name

    @property
    def table(self) -> str:
        table: Table = self.model.__table__  # type: ignore[assignment]
        return table.name


NODE_TYPES: dict[str, NodeType] = {
    entry.name: entry
    for entry in (
        NodeType(Cell, models.Cell, "cell_by_id"),
        NodeType(Person, models.Person, "person_by_id"),
        NodeType(Household, models.Household, "household_by_id"),
        NodeType(Organisation, models.Organisation, "organisation_by_id"),
        NodeType(Resource, models.Resource, "resource_by_id"),
        NodeType(Need, models.Need, "need_by_id"),
        NodeType(Deed, models.Deed, "deed_by_id"),
        NodeType(ContactVisit, models.ContactVisit, "visit_by_id"),
        # Staff records: their loaders find only those in the viewer's staff scope.
        NodeType(OptimisationRun, models.OptimisationRun, "optimisation_run_by_id"),
        NodeType(RunConstraint, models.RunConstraint, "run_constraint_by_id"),
    )
}
