"""The partner side of the demo for the claim tests: organisations serving a village, with
people of their own, and tokens for them and for the village's staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sandan.db.enums import Role
from tests.accounts import make_token
from tests.api.helpers import data_of, execute, gid, scalar, sql
from tests.api.mutations.helpers import Demo, load_demo
from tests.conftest import api_client, gql


@dataclass
class PartnerDemo:
    demo: Demo
    village_code: str
    staff: str  # VILLAGE_STAFF token of the village
    partners: list[Partner]


@dataclass
class Partner:
    organisation: int
    token: str
    people: list[int]


async def partner_demo(url: str, partners: int = 1) -> PartnerDemo:
    """`partners` organisations serving the demo's first village, each with two people who are
    on no deed, and a staff token of that village."""
    d = await load_demo(url)
    code = await scalar(url, f"SELECT code FROM cells WHERE id = {d.village}")
    free = await sql(
        url,
        "SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM deed_members) "
        "AND id NOT IN (SELECT lead_id FROM deeds WHERE lead_id IS NOT NULL) ORDER BY id",
    )
    made = []
    for n in range(partners):
        await execute(
            url,
            "INSERT INTO organisations (name, kind, cell_id, active) VALUES "
            f"('Partner {n}', 'SOCIAL_ORGANISATION', {d.village}, true)",
        )
        org = await scalar(url, f"SELECT MAX(id) FROM organisations WHERE name = 'Partner {n}'")
        people = [free[2 * n]["id"], free[2 * n + 1]["id"]]
        await execute(
            url,
            f"INSERT INTO served_cells (organisation_id, cell_id) VALUES ({org}, {d.village})",
            f"UPDATE people SET organisation_id = {org} WHERE id IN ({people[0]}, {people[1]})",
        )
        token = await make_token(url, Role.PARTNER, organisation_code=str(org))
        made.append(Partner(org, token, people))
    staff = await make_token(url, Role.VILLAGE_STAFF, code)
    return PartnerDemo(d, code, staff, made)


async def one_partner(url: str) -> tuple[PartnerDemo, Partner]:
    """The partner demo with one partner organisation, and that partner."""
    p = await partner_demo(url)
    return p, p.partners[0]


async def _window_open(url: str, need: int) -> None:
    """The demo's windows lie in its planning period; end this need's window after today so
    its task is open."""
    await execute(url, f"UPDATE needs SET window_to = NULL WHERE id = {need}")


async def _first_in_village(url: str, village: int, table: str, where: str) -> int:
    """The lowest id of `table` (a: the row, c: its cell) in the village's subtree where
    `where` holds."""
    path = await scalar(url, f"SELECT path FROM cells WHERE id = {village}")
    found: int = await scalar(
        url,
        f"SELECT MIN(a.id) FROM {table} a JOIN cells c ON c.id = a.cell_id "
        f"WHERE {where} AND c.path LIKE '{path}%'",
    )
    return found


async def slot_deed(url: str, village: int) -> int:
    """An APPROVED or IN_PROGRESS deed in the village's subtree, its window open."""
    deed = await _first_in_village(url, village, "deeds", "a.status IN ('APPROVED', 'IN_PROGRESS')")
    await _window_open(url, await scalar(url, f"SELECT need_id FROM deeds WHERE id = {deed}"))
    return deed


async def open_need(url: str, village: int) -> int:
    """An OPEN need without a deed in the village's subtree, its window open."""
    where = "a.status = 'OPEN' AND a.id NOT IN (SELECT need_id FROM deeds)"
    need = await _first_in_village(url, village, "needs", where)
    await _window_open(url, need)
    return need


OPEN = """
mutation($need: ID, $deed: ID, $slots: Int!) {
  openToPartners(need: $need, deed: $deed, slots: $slots) {
    task { id kind freeSlots } errors { code field message }
  }
}"""
CLAIM = """
mutation($task: ID!, $people: [ID!]!, $note: String) {
  claimTask(task: $task, people: $people, note: $note) {
    claim { id status slot expiresAt } errors { code field message }
  }
}"""


async def open_task(client: httpx.AsyncClient, *, slots: int = 1, **target: int) -> str:
    """Open a need or deed (`need=pk` or `deed=pk`) as staff; the task's id."""
    ((kind, pk),) = target.items()
    variables: dict[str, Any] = {kind: gid(kind.capitalize(), pk), "slots": slots}
    payload = data_of(await gql(client, OPEN, variables))["openToPartners"]
    assert payload["errors"] == [], payload
    task_id: str = payload["task"]["id"]
    return task_id


async def claim(
    client: httpx.AsyncClient, task: str, partner: Partner, note: str | None = None
) -> dict[str, Any]:
    variables = {"task": task, "people": [gid("Person", p) for p in partner.people], "note": note}
    payload: dict[str, Any] = data_of(await gql(client, CLAIM, variables))["claimTask"]
    return payload


async def claimed(url: str, staff_token: str, partner: Partner, **target: int) -> tuple[str, str]:
    """Staff open a need or deed (`need=pk` or `deed=pk`) and `partner` claims it; the task's
    and the claim's ids."""
    async with api_client(url, token=staff_token) as staff:
        task = await open_task(staff, **target)
    async with api_client(url, token=partner.token) as client:
        claim_id: str = (await claim(client, task, partner))["claim"]["id"]
    return task, claim_id
