"""GraphQL over HTTP: media types, and the error answers the guard gives before execution.

`application/graphql-response+json` (asked for in Accept) gets the status codes of the GraphQL
over HTTP spec: 400 when the request or its document is refused, with no `data` entry.
`application/json` (also for `*/*` and no Accept header) keeps the legacy behaviour: 200 with
`errors` for a refused document. Failures of HTTP itself (401, 405, 406, 413, 415, 429) carry
their own status under either type, with a GraphQL error body.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from graphql import GraphQLError
from starlette.types import Send

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_ACCEPTED = {
    GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
    JSON: JSON,
    "application/*": JSON,
    "*/*": JSON,
}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None (406) if it allows neither."""
    if not accept or not accept.strip():
        return JSON
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        found = _ACCEPTED.get(media.lower())
        if found is not None:
            return found
    return None


class Refusal(Exception):
    """A request refused before execution. `status` None: a refused GraphQL request (400
    for graphql-response+json, 200 for application/json); otherwise that HTTP status."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        headers: Sequence[tuple[str, str]] = (),
        errors: Sequence[GraphQLError] = (),
        extensions: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.headers = tuple(headers)
        self.errors = tuple(errors)
        self.extensions = extensions or {}

    def body(self) -> bytes:
        if self.errors:
            errors = [error.formatted for error in self.errors]
            for error in errors:
                error.setdefault("extensions", {}).setdefault("code", self.code)
        else:
            extensions = {"code": self.code, **self.extensions}
            errors = [{"message": self.message, "extensions": extensions}]
        return orjson.dumps({"errors": errors})

    def status_for(self, media: str) -> int:
        if self.status is not None:
            return self.status
        return 400 if media == GRAPHQL_RESPONSE else 200


async def send_answer(
    send: Send,
    status: int,
    body: bytes,
    media: str,
    headers: Sequence[tuple[str, str]] = (),
) -> None:
    raw_headers = [
        (b"content-type", f"{media}; charset=utf-8".encode()),
        (b"content-length", str(len(body)).encode()),
        *((name.encode(), value.encode()) for name, value in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def send_refusal(send: Send, refusal: Refusal, media: str) -> None:
    await send_answer(send, refusal.status_for(media), refusal.body(), media, refusal.headers)
