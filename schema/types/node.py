"""The Relay Node interface and the loader description used by nested fields."""

from __future__ import annotations

from typing import Any, Literal

import strawberry


@strawberry.interface(description="An object with a global id (Relay).")
class Node:
    id: strawberry.ID


def via(loader: str, key: str, mode: Literal["one", "many"] = "one") -> dict[str, Any]:
    """Field metadata: the value is `context.loaders.<loader>.load(parent.<key>)`
    (`load_many` when mode is "many"); a key of None gives None without a query."""
    return {"via": (loader, key, mode)}
