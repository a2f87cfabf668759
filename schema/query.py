"""The root Query type: thin fields over sandan.resolvers.queries."""

from __future__ import annotations

from typing import Annotated

import strawberry

from sandan.db.enums import Level, OrganisationKind
from sandan.resolvers import audit, queries
from sandan.schema.account_fields import AccountQuery
from sandan.schema.claims_fields import ClaimQuery
from sandan.schema.connections import After, Connection, First
from sandan.schema.context import Info
from sandan.schema.inputs import DeedFilter, NeedFilter, ResourceFilter
from sandan.schema.meeting_fields import MeetingQuery
from sandan.schema.notification_fields import NotificationQuery
from sandan.schema.public_query import PublicBoardQuery
from sandan.schema.runs_api import RunsQuery
from sandan.schema.types.audit import AuditEvent, AuditEventFilter
from sandan.schema.types.deeds import Deed
from sandan.schema.types.grid import Cell
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import Organisation, Person
from sandan.schema.types.node import Node

PAGE = "Relay paging: `first` (capped by the server) items after cursor `after`."

Under = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="A cell id: only results in that cell's subtree."),
]
Search = Annotated[
    str | None,
    strawberry.argument(description="Text in the name (case-insensitive); null: any name."),
]


@strawberry.type(
    description="Reads of the grid and the three lists. Anyone may read; personal data is null "
    "unless a staff token's scope covers it."
)
class Query(PublicBoardQuery, AccountQuery, ClaimQuery, MeetingQuery, NotificationQuery, RunsQuery):
    @strawberry.field(description="Any object by its global id.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id from any object's `id` field."),
        ],
    ) -> Node | None:
        return await queries.node(info.context, id)

    @strawberry.field(description="One cell by id or code (exactly one); null if none matches.")
    async def cell(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The cell's global id.")
        ] = None,
        code: Annotated[
            str | None, strawberry.argument(description="The cell's code, e.g. NH-JJ.")
        ] = None,
    ) -> Cell | None:
        return await queries.cell(info.context, id, code)

    @strawberry.field(description="Cells by level, subtree and name. " + PAGE)
    async def cells(
        self,
        info: Info,
        level: Annotated[
            Level | None, strawberry.argument(description="Only cells of this level; null: any.")
        ] = None,
        under: Under = None,
        search: Search = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Cell]:
        return await queries.cells(
            info.context, level=level, under=under, search=search, first=first, after=after
        )

    @strawberry.field(description="The needs list. " + PAGE)
    async def needs(
        self,
        info: Info,
        filter: Annotated[
            NeedFilter | None,
            strawberry.argument(description="Which needs to list; null: all the caller reads."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Need]:
        return await queries.needs(info.context, filter, first=first, after=after)

    @strawberry.field(description="The resource list. " + PAGE)
    async def resources(
        self,
        info: Info,
        filter: Annotated[
            ResourceFilter | None,
            strawberry.argument(
                description="Which resources to list; null: all the caller may read."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Resource]:
        return await queries.resources(info.context, filter, first=first, after=after)

    @strawberry.field(description="The deeds list. " + PAGE)
    async def deeds(
        self,
        info: Info,
        filter: Annotated[
            DeedFilter | None,
            strawberry.argument(description="Which deeds to list; null: all the caller reads."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Deed]:
        return await queries.deeds(info.context, filter, first=first, after=after)

    @strawberry.field(
        description="The audit trail, oldest first: who read whose personal data and who "
        "changed what. Town admins only (others get a FORBIDDEN error). " + PAGE
    )
    async def audit_events(
        self,
        info: Info,
        filter: Annotated[
            AuditEventFilter | None,
            strawberry.argument(description="Which records; null: all."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[AuditEvent]:
        return await audit.events(info.context, filter, first=first, after=after)

    @strawberry.field(description="Group members by subtree and name. " + PAGE)
    async def people(
        self,
        info: Info,
        under: Under = None,
        search: Search = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Person]:
        return await queries.people(
            info.context, under=under, search=search, first=first, after=after
        )

    @strawberry.field(description="Organisations by subtree and kind. " + PAGE)
    async def organisations(
        self,
        info: Info,
        under: Under = None,
        kind: Annotated[
            OrganisationKind | None,
            strawberry.argument(description="Only organisations of this kind; null: any."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Organisation]:
        return await queries.organisations(
            info.context, under=under, kind=kind, first=first, after=after
        )
