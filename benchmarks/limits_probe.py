"""The abuse limits on the district demo: what the README's query costs and weighs, that the
probe of issue 9 is refused, and the largest answers public queries within budget produce.

Each query is posted through the ASGI app (no server) to a database holding the district demo:

    DATABASE_URL=sqlite:///district.sqlite3 sandan migrate
    DATABASE_URL=sqlite:///district.sqlite3 sandan demo --scale district
    python benchmarks/limits_probe.py sqlite:///district.sqlite3 public town-resources-21

Figures are in SECURITY.md.
"""

from __future__ import annotations

import asyncio
import sys
import time

import httpx

from sandan.app import create_app
from sandan.settings import Settings

TOKEN = "limits-probe-staff-token"
NEED = (
    "id title description category channel scale urgency status needsLead volunteers hours "
    "skills windowFrom windowTo reportedOn createdAt closedAt closeReason"
)
RESOURCE = (
    "id title description kind categories capacity unit reach availableFrom availableTo "
    "status createdAt closedAt"
)
VILLAGE_NEEDS = (
    "cells(level: VILLAGE, first: 100{after}) "
    "{{ nodes {{ children {{ children {{ needs {{ {fields} }} }} }} }} }}"
)
QUERIES = {
    "readme": "{ cells(level: TOWN) { nodes { name children { name kind children { name kind "
    "children { name leader { name } people { name role partyMember skills } } } } } } }",
    "probe": "{ cells(first: 100) { nodes { children { children { children { children { name "
    "people { name } households { code } needs { title } } } } } } } }",
    "needs-30-aliases": "{ "
    + " ".join(f"a{i}: needs(first: 100) {{ nodes {{ {NEED} }} }}" for i in range(30))
    + " }",
    "two-village-needs": "{ "
    + " ".join(
        f"v{j}: " + VILLAGE_NEEDS.format(after=", after: null" if j else "", fields=NEED)
        for j in range(2)
    )
    + " }",
    "village-needs-aliased-descriptions": "{ "
    + VILLAGE_NEEDS.format(after="", fields=" ".join(f"d{i}: description" for i in range(29)))
    + " }",
    "town-resources-21": "{ "
    + " ".join(
        f"r{j}: cells(level: TOWN) {{ nodes {{ resources {{ {RESOURCE} }} }} }}" for j in range(21)
    )
    + " }",
}


async def main(url: str, role: str, names: list[str]) -> None:
    app = create_app(Settings.from_env(database_url=url, staff_tokens={TOKEN: "*"}))
    headers = {"authorization": f"Bearer {TOKEN}"} if role == "staff" else {}
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url="http://probe", headers=headers, timeout=300
        ) as client,
    ):
        for name in names:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": QUERIES[name]})
            elapsed = time.perf_counter() - started
            body = response.json()
            refused = body["errors"][0].get("extensions") if "errors" in body else None
            print(
                f"{role} {name}: HTTP {response.status_code}, {len(response.content)} bytes, "
                f"{elapsed:.2f} s, refused: {refused}"
            )


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(
            f"usage: {sys.argv[0]} DATABASE_URL public|staff [QUERY ...] ({', '.join(QUERIES)})"
        )
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3:] or list(QUERIES)))
