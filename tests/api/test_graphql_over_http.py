"""The graphql-http server audit (GraphQL over HTTP spec), MUSTs and SHOULDs, walked against
the app: each case is one audit of graphql-http's `serverAudits`, by its id.

One deliberate difference: D477 (SHOULD answer 200 to a body that is not JSON when the client
accepts application/json) is answered 400, as the spec's "JSON parsing failure" section and
issue 9 ask: such a body is not a GraphQL-over-HTTP request at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.conftest import api_client

GQL = "application/graphql-response+json"
JSON = "application/json"
TYPENAME = "{ __typename }"
TYPE_QUERY = "query Type($name: String!) { __type(name: $name) { name } }"
INVALID = {"object": {"obj": "ect"}, "number": 0, "boolean": False, "array": ["array"]}
INVALID_MAP = {"string": "string", "number": 0, "boolean": False, "array": ["array"]}


@dataclass(frozen=True)
class Audit:
    id: str
    method: str = "POST"
    accept: str | None = None
    body: Any = None  # JSON-encoded unless bytes
    params: dict[str, str] = field(default_factory=dict)  # GET query string
    content_type: str | None = JSON
    status: int | tuple[int, int] = 200  # an exact status or an inclusive range
    media: str | None = None  # the response content type must contain it
    errors: bool | None = None  # the body must (True) or must not (False) have `errors`
    no_data: bool = False  # the body must have no `data` entry


def _invalid(prefix_gql: str, prefix_json: str, name: str, values: dict[str, Any]) -> list[Audit]:
    audits = []
    for index, value in enumerate(values.values()):
        body = {name: value} if name == "query" else {"query": TYPENAME, name: value}
        audits.append(Audit(f"{prefix_gql}{index}", accept=GQL, body=body, status=400))
        audits.append(Audit(f"{prefix_json}{index}", accept=JSON, body=body, errors=True))
    return audits


AUDITS = [
    Audit("22EB", accept=GQL, body={"query": TYPENAME}, media=GQL),
    Audit("4655", accept=JSON, body={"query": TYPENAME}, media=JSON),
    Audit("47DE", accept="*/*", body={"query": TYPENAME}, media=JSON),
    Audit("80D8", method="GET", params={"query": TYPENAME}, content_type=None, media=JSON),
    Audit("82A3", body={"query": TYPENAME}),
    Audit("BF61", body={"query": TYPENAME}, content_type="application/json; charset=utf-8"),
    Audit("78D5", body={"query": TYPENAME}),
    Audit("2C94", body={"query": TYPENAME}),
    Audit("5A70", method="GET", params={"query": TYPENAME}, content_type=None),
    Audit(
        "9C48",
        method="GET",
        accept=GQL,
        params={"query": "mutation { __typename }"},
        content_type=None,
        status=(400, 499),
    ),
    Audit("9ABE", content_type=None, status=(400, 499)),
    Audit("03D4", body={"query": TYPENAME}),
    Audit("7267", body=b"", status=400, errors=True),
    Audit("6610", accept=GQL, body={"notquery": TYPENAME}, status=400),
    Audit("3715", accept=JSON, body={"notquery": TYPENAME}, errors=True),
    *_invalid("4F5", "9FE", "query", INVALID),
    Audit("34A2", accept=GQL, body={"query": TYPENAME}),
    Audit("13EE", accept=JSON, body={"query": TYPENAME}, errors=False),
    *_invalid("E3E", "FB9", "operationName", INVALID),
    Audit("8161", accept=GQL, body={"operationName": "Query", "query": "query Query " + TYPENAME}),
    Audit(
        "B8B3",
        accept=JSON,
        body={"operationName": "Query", "query": "query Query " + TYPENAME},
        errors=False,
    ),
    *[
        Audit(f"{prefix}{index}", accept=accept, body={"query": TYPENAME, name: None}, errors=False)
        for index, name in enumerate(["variables", "operationName", "extensions"])
        for prefix, accept in (("94B", GQL), ("022", JSON))
    ],
    *_invalid("69B", "F05", "variables", INVALID_MAP),
    Audit("2EA1", accept=GQL, body={"query": TYPE_QUERY, "variables": {"name": "sometype"}}),
    Audit(
        "28B9",
        accept=JSON,
        body={"query": TYPE_QUERY, "variables": {"name": "sometype"}},
        errors=False,
    ),
    Audit(
        "D6D5",
        method="GET",
        accept=GQL,
        params={"query": TYPE_QUERY, "variables": json.dumps({"name": "sometype"})},
        content_type=None,
    ),
    Audit(
        "6A70",
        method="GET",
        accept=JSON,
        params={"query": TYPE_QUERY, "variables": json.dumps({"name": "sometype"})},
        content_type=None,
        errors=False,
    ),
    *_invalid("904", "368", "extensions", INVALID_MAP),
    Audit("428F", accept=GQL, body={"query": TYPENAME, "extensions": {"some": "value"}}),
    Audit(
        "1B7A",
        accept=JSON,
        body={"query": TYPENAME, "extensions": {"some": "value"}},
        errors=False,
    ),
    Audit("D477", accept=JSON, body=b'{ "not a JSON', status=400),  # see the module docstring
    Audit("F5AF", accept=JSON, body={"qeury": TYPENAME}),
    Audit("572B", accept=JSON, body={"query": "{"}),
    Audit("FDE2", accept=JSON, body={"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"}),
    Audit("60AA", accept=GQL, body=b'{ "not a JSON', status=(400, 499)),
    Audit("2163", accept=GQL, body=b'{ "not a JSON', status=400),
    Audit("3E36", accept=GQL, body={"qeury": TYPENAME}, status=(400, 599)),
    Audit("17C5", accept=GQL, body={"qeury": TYPENAME}, status=400),
    Audit("34D6", accept=GQL, body={"qeury": TYPENAME}, status=400, no_data=True),
    Audit("865D", accept=GQL, body={"query": "{"}, status=(400, 599)),
    Audit("556A", accept=GQL, body={"query": "{"}, status=400),
    Audit("D586", accept=GQL, body={"query": "{"}, status=400, no_data=True),
    *[
        Audit(
            audit_id,
            accept=GQL,
            body={"query": "{ 8f31403dfe404bccbb0e835f2629c6a7 }"},
            status=status,
            no_data=no_data,
        )
        for audit_id, status, no_data in (
            ("51FE", (400, 599), False),
            ("74FF", 400, False),
            ("5E5B", 400, True),
        )
    ],
]


@pytest.mark.parametrize("audit", AUDITS, ids=[a.id for a in AUDITS])
async def test_graphql_http_audit(read_only_demo_url: str, audit: Audit) -> None:
    headers = {}
    if audit.accept is not None:
        headers["accept"] = audit.accept
    if audit.content_type is not None:
        headers["content-type"] = audit.content_type
    async with api_client(read_only_demo_url) as client:
        if audit.method == "GET":
            response = await client.get("/graphql?" + urlencode(audit.params), headers=headers)
        else:
            body = audit.body
            content = body if isinstance(body, bytes) or body is None else json.dumps(body)
            response = await client.post("/graphql", content=content, headers=headers)
    if isinstance(audit.status, tuple):
        assert audit.status[0] <= response.status_code <= audit.status[1], response.text
    else:
        assert response.status_code == audit.status, response.text
    if audit.media is not None:
        assert audit.media in response.headers["content-type"]
    response.content.decode("utf-8")  # 82A3: the answer is UTF-8
    if audit.errors is not None or audit.no_data:
        answer = response.json()
        if audit.errors is not None:
            assert ("errors" in answer) is audit.errors, answer
        if audit.no_data:
            assert "data" not in answer, answer


async def test_what_http_itself_refuses(read_only_demo_url: str) -> None:
    async with api_client(read_only_demo_url) as client:
        # 406: an Accept that allows neither JSON type.
        response = await client.post(
            "/graphql", json={"query": TYPENAME}, headers={"accept": "application/xml"}
        )
        assert response.status_code == 406
        # 415: a body that is not JSON (no form posts, no application/graphql).
        for content_type in (
            "text/plain",
            "application/graphql",
            "application/json; charset=latin1",
        ):
            response = await client.post(
                "/graphql", content=TYPENAME, headers={"content-type": content_type}
            )
            assert response.status_code == 415, content_type
        # 405: a mutation over GET (with Allow: POST); queries over GET work.
        response = await client.get(
            "/graphql?" + urlencode({"query": "mutation { __typename }"}), headers={"accept": JSON}
        )
        assert response.status_code == 405 and response.headers["allow"] == "POST"
        response = await client.get("/graphql?" + urlencode({"query": TYPENAME}))
        assert response.json() == {"data": {"__typename": "Query"}}
        # Execution errors keep 200 under graphql-response+json (the data entry is there).
        response = await client.post(
            "/graphql",
            json={"query": "{ cells(first: -1) { totalCount } }"},
            headers={"accept": GQL},
        )
        assert response.status_code == 200 and GQL in response.headers["content-type"]
        assert "data" in response.json() and response.json()["errors"]
