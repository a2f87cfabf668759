"""The public board's root field, mixed into `Query` (no token needed, no personal data)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from sandan.resolvers import public_board
from sandan.schema.connections import After, Connection, First
from sandan.schema.context import Info
from sandan.schema.types.public import PublicDeed, PublicDeedFilter

CELL = (
    "Code of the cell whose whole subtree to show (as `Cell.code`, or the {code} of the "
    "board's /cells/{code}); null means the whole grid. An unknown code is a NOT_FOUND error. "
    "Deeds are placed as on the board: a household-contact group's own deeds are at its "
    "branch, so a group's code lists none of them."
)


@strawberry.type
class PublicBoardQuery:
    @strawberry.field(
        description="Published deeds (为民办实事, 公开接受群众监督) with progress, plan dates, "
        "lead and ratings, for anyone without a token; never residents' personal data. "
        "Relay paging: `first` (capped by the server) items after cursor `after`, oldest first."
    )
    async def public_deeds(
        self,
        info: Info,
        cell: Annotated[str | None, strawberry.argument(description=CELL)] = None,
        filter: Annotated[
            PublicDeedFilter | None,
            strawberry.argument(description="Narrows by status, domain or title text."),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> Connection[PublicDeed]:
        return await public_board.public_deeds(info.context, cell, filter, first=first, after=after)
