"""The root Query type: thin fields over sandan.resolvers.queries."""

from __future__ import annotations

import strawberry

from sandan.resolvers import queries
from sandan.schema.connections import Connection
from sandan.schema.context import Info
from sandan.schema.enums import Level, OrganisationKind
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.public_query import PublicBoardQuery
from sandan.schema.types.deeds import Deed
from sandan.schema.types.grid import Cell
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import Organisation, Person
from sandan.schema.types.node import Node

PAGE = "Relay paging: `first` (capped by the server) items after cursor `after`."


@strawberry.type
class Query(PublicBoardQuery):
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await queries.node(info.context, id)

    @strawberry.field(description="One cell by id or code (exactly one).")
    async def cell(
        self, info: Info, id: strawberry.ID | None = None, code: str | None = None
    ) -> Cell | None:
        return await queries.cell(info.context, id, code)

    @strawberry.field(description="Cells by level, subtree and name. " + PAGE)
    async def cells(
        self,
        info: Info,
        level: Level | None = None,
        under: strawberry.ID | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Cell]:
        return await queries.cells(
            info.context, level=level, under=under, search=search, first=first, after=after
        )

    @strawberry.field(description="The needs list. " + PAGE)
    async def needs(
        self,
        info: Info,
        filter: NeedFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Need]:
        return await queries.needs(info.context, filter, first=first, after=after)

    @strawberry.field(description="The resource list. " + PAGE)
    async def resources(
        self,
        info: Info,
        filter: ResourceFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Resource]:
        return await queries.resources(info.context, filter, first=first, after=after)

    @strawberry.field(description="The deeds list. " + PAGE)
    async def deeds(
        self,
        info: Info,
        filter: DeedFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Deed]:
        return await queries.deeds(info.context, filter, first=first, after=after)

    @strawberry.field(description="Group members by subtree and name. " + PAGE)
    async def people(
        self,
        info: Info,
        under: strawberry.ID | None = None,
        search: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Person]:
        return await queries.people(
            info.context, under=under, search=search, first=first, after=after
        )

    @strawberry.field(description="Organisations by subtree and kind. " + PAGE)
    async def organisations(
        self,
        info: Info,
        under: strawberry.ID | None = None,
        kind: OrganisationKind | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Organisation]:
        return await queries.organisations(
            info.context, under=under, kind=kind, first=first, after=after
        )
