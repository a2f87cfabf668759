"""The role x operation table, run: every root query and mutation of the schema is executed as
every role (tokens made with make_token) and as the public, and is allowed or refused with
FORBIDDEN exactly as `sandan.resolvers.permissions` says. SECURITY.md's copy of the table is
rendered from the same data and must not drift."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandan.db.enums import Role
from sandan.resolvers.permissions import OPERATIONS, actions_of, matrix
from sandan.schema.build import build_schema
from tests.accounts import make_token
from tests.api.deeds.role_cases import DEED_MUTATIONS, DEED_QUERIES
from tests.api.helpers import gid, scalar, snapshot
from tests.api.mutations.helpers import Demo, load_demo
from tests.api.mutations.test_access import EVERY_MUTATION
from tests.conftest import api_client

SECURITY = Path(__file__).resolve().parents[2] / "SECURITY.md"
START, END = "<!-- roles table: start -->\n", "<!-- roles table: end -->"
ERRORS = "errors { code field }"
NO_SUCH = 999_999  # a key no record has: allowed callers meet NOT_FOUND, never FORBIDDEN

Variables = Callable[[Demo, dict[str, int]], dict[str, Any]]
# Root queries: a small document each (their variables from the demo's ids).
QUERIES: dict[str, tuple[str, Variables]] = {
    "publicDeeds": ("{ publicDeeds(first: 1) { totalCount } }", lambda d, x: {}),
    "node": (
        "query($id: ID!) { node(id: $id) { id } }",
        lambda d, x: {"id": gid("Cell", d.village)},
    ),
    "cell": ("query($c: String) { cell(code: $c) { id } }", lambda d, x: {"c": d.village_code}),
    "cells": ("{ cells(first: 1) { totalCount } }", lambda d, x: {}),
    "needs": ("{ needs(first: 1) { totalCount } }", lambda d, x: {}),
    "resources": ("{ resources(first: 1) { totalCount } }", lambda d, x: {}),
    "deeds": ("{ deeds(first: 1) { totalCount } }", lambda d, x: {}),
    "people": ("{ people(first: 1) { totalCount } }", lambda d, x: {}),
    "organisations": ("{ organisations(first: 1) { totalCount } }", lambda d, x: {}),
    "viewer": ("{ viewer { role } }", lambda d, x: {}),
    "accounts": ("{ accounts(first: 1) { totalCount } }", lambda d, x: {}),
    "auditEvents": ("{ auditEvents(first: 1) { totalCount } }", lambda d, x: {}),
    "optimisationRun": (
        "query($id: ID!) { optimisationRun(id: $id) { id } }",
        lambda d, x: {"id": gid("OptimisationRun", NO_SUCH)},
    ),
    "optimisationRuns": ("{ optimisationRuns(first: 1) { totalCount } }", lambda d, x: {}),
    "runConstraints": (
        "query($c: ID!) { runConstraints(cell: $c, first: 1) { totalCount } }",
        lambda d, x: {"c": gid("Cell", d.village)},
    ),
    "availableTasks": ("{ availableTasks(first: 1) { totalCount } }", lambda d, x: {}),
    "partnerClaims": ("{ partnerClaims(first: 1) { totalCount } }", lambda d, x: {}),
} | DEED_QUERIES
# Mutations: the every-mutation list of the access tests, and the account mutations.
MUTATIONS: dict[str, tuple[str, Variables]] = (
    {case.id: (case.mutation, lambda d, x, case=case: case.variables(d)) for case in EVERY_MUTATION}
    | {
        "createAccount": (
            f"mutation($i: CreateAccountInput!) {{ createAccount(input: $i) {{ account {{ id }} "
            f"{ERRORS} }} }}",
            lambda d, x: {
                "i": {"displayName": "x", "role": "VILLAGE_STAFF", "cell": gid("Cell", d.village)}
            },
        ),
        "createToken": (
            f"mutation($a: ID!) {{ createToken(account: $a) {{ token {ERRORS} }} }}",
            lambda d, x: {"a": gid("Account", x["account"])},
        ),
        "revokeToken": (
            f"mutation($t: ID!) {{ revokeToken(id: $t) {{ apiToken {{ id }} {ERRORS} }} }}",
            lambda d, x: {"t": gid("ApiToken", x["token"])},
        ),
    }
    | {
        # Partner work: ids of no task or claim (an allowed role meets NOT_FOUND, not FORBIDDEN).
        "openToPartners": (
            f"mutation($n: ID) {{ openToPartners(need: $n) {{ task {{ id }} {ERRORS} }} }}",
            lambda d, x: {"n": gid("Need", d.open_need)},
        ),
        "claimTask": (
            f"mutation($t: ID!, $p: [ID!]!) {{ claimTask(task: $t, people: $p) {{ claim {{ id }} "
            f"{ERRORS} }} }}",
            lambda d, x: {"t": gid("PartnerTask", 10**9), "p": [gid("Person", d.free_person)]},
        ),
        **{
            name: (
                f"mutation($c: ID!) {{ {name}(claim: $c{extra}) {{ claim {{ id }} {ERRORS} }} }}",
                lambda d, x: {"c": gid("PartnerClaim", 10**9)},
            )
            for name, extra in {
                "releaseClaim": "",
                "reportClaimProgress": ", hours: 1, progress: 10",
                "confirmClaim": "",
                "declineClaim": "",
            }.items()
        },
    }
    | {
        "startOptimisation": (
            f"mutation($i: StartOptimisationInput!) {{ startOptimisation(input: $i) "
            f"{{ run {{ id }} {ERRORS} }} }}",
            lambda d, x: {
                "i": {
                    "cell": gid("Cell", d.village),
                    "from": "2026-05-01",
                    "to": "2026-08-31",
                    "timeLimitSeconds": 1,
                }
            },
        ),
        "cancelOptimisation": (
            f"mutation($r: ID!) {{ cancelOptimisation(id: $r) {{ run {{ id }} {ERRORS} }} }}",
            lambda d, x: {"r": gid("OptimisationRun", NO_SUCH)},
        ),
        "approveDeeds": (
            f"mutation($d: [ID!]!) {{ approveDeeds(ids: $d) {{ deeds {{ id }} {ERRORS} }} }}",
            lambda d, x: {"d": [gid("Deed", NO_SUCH)]},
        ),
        "rejectDeeds": (
            f'mutation($d: [ID!]!) {{ rejectDeeds(ids: $d, reason: "x") {{ deeds {{ id }} '
            f"{ERRORS} }} }}",
            lambda d, x: {"d": [gid("Deed", NO_SUCH)]},
        ),
        "pin": (
            f"mutation($i: RunConstraintInput!) {{ pin(input: $i) {{ constraint {{ id }} "
            f"{ERRORS} }} }}",
            lambda d, x: {"i": {"need": gid("Need", NO_SUCH), "person": gid("Person", NO_SUCH)}},
        ),
        "forbid": (
            f"mutation($i: RunConstraintInput!) {{ forbid(input: $i) {{ constraint {{ id }} "
            f"{ERRORS} }} }}",
            lambda d, x: {"i": {"need": gid("Need", NO_SUCH), "person": gid("Person", NO_SUCH)}},
        ),
        "pinResource": (
            f"mutation($i: ResourcePinInput!) {{ pinResource(input: $i) {{ constraint {{ id }} "
            f"{ERRORS} }} }}",
            lambda d, x: {
                "i": {"need": gid("Need", NO_SUCH), "resource": gid("Resource", NO_SUCH)}
            },
        ),
        "liftRunConstraint": (
            f"mutation($c: ID!) {{ liftRunConstraint(id: $c) {{ constraint {{ id }} {ERRORS} }} }}",
            lambda d, x: {"c": gid("RunConstraint", NO_SUCH)},
        ),
    }
    | DEED_MUTATIONS
)


def test_every_root_field_has_an_action_and_a_case() -> None:
    schema = build_schema()._schema
    assert schema.query_type is not None and schema.mutation_type is not None
    roots = set(schema.query_type.fields) | set(schema.mutation_type.fields)
    assert roots == set(OPERATIONS), "name the action of each root field in OPERATIONS"
    assert roots == set(QUERIES) | set(MUTATIONS), "give each root field a case here"


def test_security_md_shows_the_table_the_server_enforces() -> None:
    text = SECURITY.read_text()
    assert START in text and END in text
    shown = text.split(START, 1)[1].split(END, 1)[0]
    assert shown == matrix(), "paste sandan.resolvers.permissions.matrix() into SECURITY.md"


async def _token(d: Demo, role: Role | None) -> str | None:
    async def code(cell: int) -> str:
        return str(await scalar(d.url, f"SELECT code FROM cells WHERE id = {cell}"))

    if role is None:
        return None
    if role is Role.PARTNER:
        return await make_token(d.url, role, organisation_code=str(d.organisation))
    cells = {
        Role.TOWN_ADMIN: None,
        Role.VILLAGE_STAFF: d.village,
        Role.BRANCH_SECRETARY: d.branch,
        Role.GROUP_LEADER: d.group,
    }
    cell = cells[role]
    return await make_token(d.url, role, None if cell is None else await code(cell))


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: "public" if r is None else r.value)
async def test_each_role_runs_exactly_its_operations(demo_url: str, role: Role | None) -> None:
    d = await load_demo(demo_url)
    # An account and a token for createToken and revokeToken to work on.
    await make_token(d.url, Role.VILLAGE_STAFF, d.village_code)
    extra = {
        "account": int(await scalar(d.url, "SELECT MAX(id) FROM accounts")),
        "token": int(await scalar(d.url, "SELECT MAX(id) FROM api_tokens")),
    }
    allowed = actions_of(role)
    # Runs stay queued (no solver here), so the rows of a started run do not change under the
    # snapshots that check refused operations write nothing.
    async with api_client(d.url, token=await _token(d, role), runs_in_server=False) as client:
        for name, (document, variables) in QUERIES.items():
            response = await client.post(
                "/graphql", json={"query": document, "variables": variables(d, extra)}
            )
            body = response.json()
            if OPERATIONS[name] in allowed:
                assert "errors" not in body, (name, body)
            else:
                assert body["data"] is None, (name, body)
                assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"], name
        for name, (document, variables) in MUTATIONS.items():
            before = None if OPERATIONS[name] in allowed else await snapshot(d.url)
            response = await client.post(
                "/graphql", json={"query": document, "variables": variables(d, extra)}
            )
            body = response.json()
            assert "errors" not in body, (name, body)
            (payload,) = body["data"].values()
            codes = {(e["code"], e["field"]) for e in payload["errors"]}
            if before is None:
                # Allowed: never refused for the role (a scoped role may meet its scope's
                # bounds, which name the field at fault; the whole grid's admin meets none).
                assert ("FORBIDDEN", None) not in codes, (name, codes)
                if role is Role.TOWN_ADMIN:
                    assert all(code != "FORBIDDEN" for code, _ in codes), (name, codes)
            else:
                assert codes == {("FORBIDDEN", None)}, (name, codes)
                assert await snapshot(d.url) == before, f"a refused {name} wrote"
