"""The Relay Node interface; every type with a global id implements it."""

from __future__ import annotations

import strawberry

from sandan.schema.types.fields import RowType, via

__all__ = ["Node", "via"]


@strawberry.interface(
    description="An object with a global id (Relay). `node(id:)` fetches any of them by that id."
)
class Node(RowType):
    id: strawberry.ID = strawberry.field(
        description="The global id: opaque, stable; pass it to `node(id:)` or to mutations."
    )
