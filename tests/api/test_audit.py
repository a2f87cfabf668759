"""The audit trail: reads of personal data and changes are recorded, once per request, and the
record can be read by town admins only, changed by nobody, and pruned only by the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from sandan.audit_cli import prune
from sandan.cli import main
from sandan.db.enums import Role
from sandan.resolvers.audit import drain
from tests.accounts import make_token
from tests.api.helpers import execute, gid, pk_of, scalar, sql
from tests.conftest import STAFF_TOKEN, api_client, gql

VILLAGE = "NH-JJ-01"
HOUSEHOLDS = """
query Households($code: String!) {
  cell(code: $code) { children { children { households { id headName phone } } } }
}"""
EVENTS = """
query($filter: AuditEventFilter) {
  auditEvents(filter: $filter, first: 100) {
    nodes { at account role client operation changes households }
  }
}"""


async def _events(url: str) -> list[dict[str, Any]]:
    """The audit rows this test wrote (the demo copy may hold records of reads made on the
    shared demo database before it was copied: those are dated earlier than the test's start)."""
    return await sql(
        url, "SELECT * FROM audit_events WHERE id > :n ORDER BY id", {"n": _START[url]}
    )


_START: dict[str, int] = {}


@pytest.fixture(autouse=True)
async def _mark_start(demo_url: str) -> None:
    _START[demo_url] = await scalar(demo_url, "SELECT COALESCE(MAX(id), 0) FROM audit_events")


async def _settled(url: str) -> list[dict[str, Any]]:
    """The audit rows once every record still being written is written (reads are recorded just
    after their response; the app's shutdown waits for them too)."""
    await drain()
    return await _events(url)


def _changes(row: dict[str, Any]) -> list[dict[str, Any]]:
    stored = row["changes"]
    changes: list[dict[str, Any]] = json.loads(stored) if isinstance(stored, str) else stored
    return changes


def _served(data: dict[str, Any]) -> set[int]:
    return {
        pk_of(h["id"])
        for branch in data["cell"]["children"]
        for group in branch["children"]
        for h in group["households"]
        if h["headName"] is not None
    }


async def test_reading_many_households_writes_one_record_naming_them(demo_url: str) -> None:
    token = await make_token(demo_url, Role.VILLAGE_STAFF, VILLAGE)
    async with api_client(demo_url, token=token) as client:
        body = await gql(client, HOUSEHOLDS, {"code": VILLAGE})
    served = _served(body["data"])
    assert len(served) >= 10, served  # the tiny demo village's households
    rows = await _settled(demo_url)
    assert len(rows) == 1, rows
    event = rows[0]
    assert event["operation"] == "Households"
    assert event["role"] == "VILLAGE_STAFF"
    assert event["account_id"] is not None and event["token_id"] is not None
    assert {int(x) for x in event["households"].split(",") if x} == served


async def test_reads_without_personal_data_write_nothing(demo_url: str) -> None:
    async with api_client(demo_url) as client:  # the public: every personal field is null
        body = await gql(client, HOUSEHOLDS, {"code": VILLAGE})
        await gql(client, "{ needs(first: 50) { nodes { title description } } }")
    assert not _served(body["data"])
    assert await _settled(demo_url) == []


async def test_a_change_is_recorded_in_its_transaction_without_personal_values(
    demo_url: str,
) -> None:
    household = await scalar(
        demo_url,
        "SELECT MIN(h.id) FROM households h JOIN cells c ON c.id = h.cell_id",
    )
    mutation = """
    mutation($id: ID!, $input: UpdateHouseholdInput!) {
      updateHousehold(id: $id, input: $input) { household { id } errors { code } }
    }"""
    secret = "13700001111"
    async with api_client(demo_url, token=STAFF_TOKEN) as client:
        ok = await gql(
            client,
            mutation,
            {"id": gid("Household", household), "input": {"phone": secret, "size": 7}},
        )
        assert ok["data"]["updateHousehold"]["errors"] == [], ok
        refused = await gql(
            client, mutation, {"id": gid("Household", household), "input": {"size": 0}}
        )
        assert refused["data"]["updateHousehold"]["errors"], refused
    rows = [r for r in await _events(demo_url) if _changes(r)]
    assert len(rows) == 1, rows  # the refused change wrote nothing
    assert rows[0]["operation"] == "updateHousehold"
    (change,) = _changes(rows[0])
    assert change["type"] == "Household" and change["id"] == household
    assert change["personal"] == ["phone"]
    assert change["fields"]["size"][1] == 7
    assert secret not in str(rows[0])
    assert rows[0]["households"] == f",{household},"


async def test_only_town_admins_read_the_trail(demo_url: str) -> None:
    village = await make_token(demo_url, Role.VILLAGE_STAFF, VILLAGE)
    async with api_client(demo_url, token=village) as client:
        body = await gql(client, HOUSEHOLDS, {"code": VILLAGE})
        denied = await gql(client, EVENTS)
    served = _served(body["data"])
    await _settled(demo_url)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    async with api_client(demo_url) as client:
        public = await gql(client, EVENTS)
    assert public["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    admin = await make_token(demo_url, Role.TOWN_ADMIN)
    one = gid("Household", min(served))
    async with api_client(demo_url, token=admin) as client:
        listed = await gql(client, EVENTS, {"filter": {"household": one}})
        other = await gql(client, EVENTS, {"filter": {"household": gid("Household", 10**6)}})
    nodes = listed["data"]["auditEvents"]["nodes"]
    assert [n["operation"] for n in nodes][-1:] == ["Households"], listed
    assert one in nodes[0]["households"]
    assert other["data"]["auditEvents"]["nodes"] == []
    assert len(nodes) == len(
        [
            r
            for r in await sql(demo_url, "SELECT households FROM audit_events")
            if f",{pk_of(one)}," in r["households"]
        ]
    )


async def test_the_database_refuses_to_change_or_delete_records(demo_url: str) -> None:
    async with api_client(demo_url, token=STAFF_TOKEN) as client:
        await gql(client, HOUSEHOLDS, {"code": VILLAGE})
    assert await _settled(demo_url)
    for statement in ("UPDATE audit_events SET role = 'X'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            await execute(demo_url, statement)
    assert len(await _events(demo_url)) == 1


async def test_prune_is_the_only_delete_and_is_recorded(demo_url: str) -> None:
    await execute(
        demo_url,
        "INSERT INTO audit_events (at, role, operation, changes, households) VALUES "
        "('2020-01-01 00:00:00+00:00', 'PUBLIC', 'old', '[]', ','), "
        "('2026-01-01 00:00:00+00:00', 'PUBLIC', 'new', '[]', ',')",
    )
    from datetime import UTC, datetime

    assert await prune(demo_url, datetime(2023, 1, 1, tzinfo=UTC)) == 1
    rows = await _events(demo_url)
    assert [r["operation"] for r in rows] == ["new", "audit prune"]
    assert "1" in str(rows[-1]["changes"])
    # The guard is back after the prune.
    with pytest.raises(DBAPIError, match="append-only"):
        await execute(demo_url, "DELETE FROM audit_events")


async def test_prune_refuses_a_bad_day(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["audit", "prune", "--before", "yesterday"])
    assert exit_info.value.code != 0
    assert "not a day" in capsys.readouterr().err
