"""Helpers of the deed lifecycle tests: tokens for each role, and deeds picked by state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import data_of, execute, gid, sql
from tests.conftest import STAFF_TOKEN

DEED = "deed { id status publishedAt history { kind fromStatus toStatus actorRole note } }"
ERRORS = "errors { code field message }"


def step_mutation(name: str, extra: str = "") -> str:
    args = "$id: ID!" + (", $reason: String!" if extra else "")
    call = "id: $id" + (", reason: $reason" if extra else "")
    return f"mutation({args}) {{ {name}({call}) {{ {DEED} {ERRORS} }} }}"


APPROVE = step_mutation("approveDeed")
PUBLISH = step_mutation("publishDeed")
START = step_mutation("startDeed")
COMPLETE = step_mutation("completeDeed")
CANCEL = step_mutation("cancelDeed", "reason")


@dataclass(frozen=True)
class Place:
    """A deed, the codes of its branch and village, and tokens of each role there."""

    url: str
    deed: int
    branch_code: str
    village_code: str
    village: str  # VILLAGE_STAFF of the deed's village
    branch: str  # BRANCH_SECRETARY of the deed's branch
    other_branch: str  # BRANCH_SECRETARY of another branch
    town: str = STAFF_TOKEN  # the configured bootstrap token: TOWN_ADMIN of the whole grid

    @property
    def deed_id(self) -> str:
        return gid("Deed", self.deed)


async def place_of(url: str, deed: int) -> Place:
    rows = await sql(
        url,
        "SELECT a.level, a.code FROM deeds d JOIN cells c ON c.id = d.cell_id "
        "JOIN cells a ON c.path LIKE a.path || '%' WHERE d.id = :d",
        {"d": deed},
    )
    codes = {r["level"]: r["code"] for r in rows}
    other = await sql(
        url,
        "SELECT MIN(code) AS code FROM cells WHERE level = 'BRANCH' AND code <> :c",
        {"c": codes["BRANCH"]},
    )
    return Place(
        url,
        deed,
        codes["BRANCH"],
        codes["VILLAGE"],
        village=await make_token(url, Role.VILLAGE_STAFF, codes["VILLAGE"]),
        branch=await make_token(url, Role.BRANCH_SECRETARY, codes["BRANCH"]),
        other_branch=await make_token(url, Role.BRANCH_SECRETARY, other[0]["code"]),
    )


async def set_scale(url: str, deed: int, scale: str) -> None:
    """Set the scale of the need `deed` serves (a SMALL need's deed a branch approves alone)."""
    await execute(
        url,
        f"UPDATE needs SET scale = '{scale}' WHERE id = "
        f"(SELECT need_id FROM deeds WHERE id = {deed})",
    )


async def deed_in(url: str, status: str) -> int:
    rows = await sql(url, "SELECT MIN(id) AS id FROM deeds WHERE status = :s", {"s": status})
    assert rows[0]["id"] is not None, f"the demo has a {status} deed"
    return int(rows[0]["id"])


async def step(
    client: httpx.AsyncClient, token: str | None, mutation: str, **variables: Any
) -> dict[str, Any]:
    """The payload of a one-field mutation sent with `token` (None: the public)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        "/graphql", json={"query": mutation, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    data = data_of(response.json())
    (payload,) = data.values()
    assert isinstance(payload, dict)
    return payload


def refused_with(payload: dict[str, Any]) -> set[tuple[str, str | None]]:
    assert payload["deed"] is None, payload
    return {(e["code"], e["field"]) for e in payload["errors"]}
