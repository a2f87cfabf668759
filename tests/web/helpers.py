"""Helpers of the web tests: a real uvicorn server on a free loopback port, and what the demo
database holds about the board, read with plain SQL."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

from sandan.app import create_app
from sandan.settings import Settings
from tests.api.helpers import sql


@asynccontextmanager
async def live_server(url: str) -> AsyncIterator[str]:
    """The app served by uvicorn in this event loop; yields its base URL."""
    app = create_app(Settings(database_url=url, staff_tokens={}))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@dataclass
class BoardFacts:
    cells: dict[int, dict[str, Any]]
    deeds: list[dict[str, Any]]  # published: milestones done/total, latest report's percent
    secrets: set[str]  # residents' names, phones and addresses; members' phones

    def percent(self, deed: dict[str, Any]) -> int:
        """100 when done; else the latest monthly report's figure, or the plan's share done."""
        if deed["done_at"] is not None:
            return 100
        if deed["reported"] is not None:
            return int(deed["reported"])
        return round(100 * deed["done"] / deed["total"]) if deed["total"] else 0

    def chain(self, cell_id: int) -> list[dict[str, Any]]:
        """The cells from the grid's top down to this one."""
        out = []
        current: int | None = cell_id
        while current is not None:
            out.append(self.cells[current])
            current = self.cells[current]["parent_id"]
        return out[::-1]


async def board_facts(url: str) -> BoardFacts:
    cells = {
        c["id"]: c for c in await sql(url, "SELECT id, code, name, level, parent_id FROM cells")
    }
    deeds = await sql(
        url,
        """SELECT d.id, d.title, d.cell_id, d.done_at,
                  (SELECT COUNT(*) FROM deed_milestones m WHERE m.deed_id = d.id) AS total,
                  (SELECT COUNT(*) FROM deed_milestones m
                   WHERE m.deed_id = d.id AND m.done_on IS NOT NULL) AS done,
                  (SELECT r.percent FROM deed_reports r WHERE r.deed_id = d.id
                   ORDER BY r.month DESC LIMIT 1) AS reported
           FROM deeds d WHERE d.published = :yes ORDER BY d.id""",
        {"yes": True},
    )
    households = await sql(url, "SELECT head_name, phone, address FROM households")
    members = await sql(url, "SELECT name, phone FROM people")
    secrets = {h["phone"] for h in households} | {h["address"] for h in households}
    secrets |= {m["phone"] for m in members}
    # Members' names are public (a deed's lead); a resident who shares one cannot be told apart.
    secrets |= {h["head_name"] for h in households} - {m["name"] for m in members}
    secrets.discard(None)
    return BoardFacts(cells=cells, deeds=deeds, secrets=secrets)
