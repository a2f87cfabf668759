"""The limits every GraphQL request passes before it runs, in front of both read paths.

In order: the response media type (406), who is calling (401 for a bad token), the rate limit
(429), the body (415, 413, 400 for what is not one JSON object), the request parameters, the
document (parse, validation, 405 for a mutation over GET) and its cost against the caller's
budget. Only then does the request reach the compiled read path or strawberry, under a time
limit that cancels the work and a cap on the size of the answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import OperationType
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandan.auth import bearer_token, well_formed_token
from sandan.fast_http import replay
from sandan.http_answers import (
    GRAPHQL_RESPONSE,
    JSON,
    Refusal,
    negotiate,
    send_answer,
    send_refusal,
)
from sandan.ratelimit import RateLimiter, retry_after
from sandan.schema.context import Viewer
from sandan.schema.cost import too_costly
from sandan.schema.documents import DocumentChecker
from sandan.settings import Settings

ViewerFor = Callable[[Scope, str], Awaitable[Viewer | None]]
VIEWER_KEY = "sandan_viewer"  # where the guard leaves the caller in the request's state
MAX_JSON_DEPTH = 64  # deeper bodies are refused: no variable of the schema nests this far
UNAUTHENTICATED = (("www-authenticate", 'Bearer realm="sandan", error="invalid_token"'),)


def viewer_of(scope: Scope) -> Viewer:
    """The caller the guard admitted (the public if the app runs without the guard)."""
    viewer: Viewer | None = scope.get("state", {}).get(VIEWER_KEY)
    return viewer if viewer is not None else Viewer.public()


@dataclass(frozen=True)
class _Params:
    query: str
    operation_name: str | None
    variables: dict[str, Any]


class GraphQLGuard:
    def __init__(
        self, inner: ASGIApp, checker: DocumentChecker, settings: Settings, viewer_for: ViewerFor
    ) -> None:
        self.inner = inner
        self.checker = checker
        self.settings = settings
        self.viewer_for = viewer_for
        self.public_limiter = RateLimiter(settings.public_rate, settings.public_burst)
        self.staff_limiter = RateLimiter(settings.staff_rate, settings.staff_burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope["method"] == "GET" and "query" not in QueryParams(scope["query_string"])
        ):
            await self.inner(scope, receive, send)  # GraphiQL, and strawberry's own answers
            return
        headers = Headers(scope=scope)
        media = negotiate(headers.get("accept"))
        try:
            if media is None:
                raise Refusal(
                    "NOT_ACCEPTABLE",
                    f"Answers are {GRAPHQL_RESPONSE} or {JSON}; the Accept header allows neither.",
                    status=406,
                )
            viewer = await self._caller(scope, headers)
            scope.setdefault("state", {})[VIEWER_KEY] = viewer
            if scope["method"] == "POST":
                body = await self._body(receive, headers)
                params = _params(_json_object(body))
            else:
                body = b""
                params = _get_params(QueryParams(scope["query_string"]))
            self._admit(scope, params, viewer)
        except Refusal as refusal:
            await send_refusal(send, refusal, media or JSON)
            return
        await self._run(scope, replay(body), send, media)

    async def _caller(self, scope: Scope, headers: Headers) -> Viewer:
        address = (scope.get("client") or ("unknown", 0))[0]
        authorization = headers.get("authorization")
        if authorization is None:
            self._rate(self.public_limiter, f"address {address}")
            return Viewer.public()
        token = bearer_token(authorization)
        viewer = None
        if token is not None and well_formed_token(token, self.settings.max_token_length):
            viewer = await self.viewer_for(scope, token)
        if viewer is None or token is None:
            self._rate(self.public_limiter, f"address {address}")
            raise Refusal(
                "UNAUTHENTICATED",
                "The bearer token is unknown, expired, revoked or malformed. Send a valid "
                "token, or no Authorization header to read as the public.",
                status=401,
                headers=UNAUTHENTICATED,
            )
        self._rate(self.staff_limiter, f"token {token}")
        return viewer

    def _rate(self, limiter: RateLimiter, key: str) -> None:
        wait = limiter.take(key)
        if wait > 0:
            raise Refusal(
                "RATE_LIMITED",
                f"Too many requests; retry in {retry_after(wait)} s.",
                status=429,
                headers=(("retry-after", retry_after(wait)),),
            )

    async def _body(self, receive: Receive, headers: Headers) -> bytes:
        media, _, options = headers.get("content-type", "").partition(";")
        charset = options.strip().lower().removeprefix("charset=").strip('"')
        if media.strip().lower() != JSON or charset not in ("", "utf-8"):
            raise Refusal(
                "UNSUPPORTED_MEDIA_TYPE",
                "POST a JSON object with Content-Type: application/json (UTF-8).",
                status=415,
            )
        limit = self.settings.max_body_bytes
        too_large = Refusal(
            "BODY_TOO_LARGE", f"The request body is larger than {limit} bytes.", status=413
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise Refusal("DISCONNECTED", "The client went away.", status=400)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large  # stop reading: the rest is never held in memory
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _admit(self, scope: Scope, params: _Params, viewer: Viewer) -> None:
        if len(params.query) > self.settings.max_query_length:
            raise Refusal(
                "QUERY_TOO_LONG",
                f"The query document is longer than {self.settings.max_query_length} characters.",
            )
        checked = self.checker.check(params.query, params.operation_name)
        if checked.errors:
            syntax = checked.errors[0].message.startswith("Syntax Error")
            code = "GRAPHQL_PARSE_FAILED" if syntax else "GRAPHQL_VALIDATION_FAILED"
            raise Refusal(code, "", errors=checked.errors)
        if scope["method"] == "GET" and checked.operation != OperationType.QUERY:
            raise Refusal(
                "METHOD_NOT_ALLOWED",
                "Only queries may be sent with GET; send mutations with POST.",
                status=405,
                headers=(("allow", "POST"),),
            )
        cost = self.checker.cost(checked, params.operation_name, params.variables)
        settings = self.settings
        limit = settings.staff_query_budget if viewer.staff else settings.public_query_budget
        if cost > limit:
            error = too_costly(cost, limit, "staff" if viewer.staff else "public")
            raise Refusal("QUERY_TOO_COSTLY", "", errors=(error,))

    async def _run(self, scope: Scope, receive: Receive, send: Send, media: str) -> None:
        answer = _Collected(self.settings.max_response_bytes)
        try:
            async with asyncio.timeout(self.settings.request_timeout):
                await self.inner(scope, receive, answer.send)
        except TimeoutError:
            refusal = Refusal(
                "TIMEOUT",
                f"The request took longer than {self.settings.request_timeout:g} s and was "
                "stopped; ask for less (smaller pages, fewer nested lists).",
                status=503,
            )
            await send_refusal(send, refusal, media)
            return
        if answer.too_large:
            refusal = Refusal(
                "RESPONSE_TOO_LARGE",
                f"The answer is larger than {self.settings.max_response_bytes} bytes; ask for "
                "smaller pages or fewer fields.",
            )
            await send_refusal(send, refusal, media)
            return
        await answer.forward(send, media)


class _Collected:
    """The inner app's answer, held until it is complete (so a timeout or an oversized answer
    can still be replaced by an error) and dropped as soon as it passes the cap."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.too_large = False

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body" and not self.too_large:
            chunk = message.get("body", b"")
            self.size += len(chunk)
            if self.size > self.limit:
                self.too_large = True
                self.chunks.clear()
            else:
                self.chunks.append(chunk)

    async def forward(self, send: Send, media: str) -> None:
        assert self.start is not None
        headers = Headers(raw=self.start["headers"])
        body = b"".join(self.chunks)
        if headers.get("content-type", "").startswith(JSON):
            dropped = ("content-type", "content-length")
            extra = [(k, v) for k, v in headers.items() if k not in dropped]
            await send_answer(send, self.start["status"], body, media, extra)
            return
        await send(self.start)
        await send({"type": "http.response.body", "body": body})


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        # orjson's message names a position, never the input itself.
        raise Refusal("INVALID_JSON", f"The body is not valid JSON: {error}", status=400) from None
    if not isinstance(payload, dict):
        raise Refusal(
            "INVALID_REQUEST",
            "The body must be one JSON object {query, variables, operationName}; "
            "batches (arrays) are not supported.",
            status=400,
        )
    if _depth(payload) > MAX_JSON_DEPTH:
        raise Refusal(
            "INVALID_REQUEST", f"The body nests deeper than {MAX_JSON_DEPTH} levels.", status=400
        )
    return payload


def _depth(value: Any) -> int:
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_JSON_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _params(payload: dict[str, Any]) -> _Params:
    query = payload.get("query")
    if not isinstance(query, str):
        raise Refusal("INVALID_REQUEST", "The request needs a `query` string.")
    operation_name = payload.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise Refusal("INVALID_REQUEST", "`operationName` must be a string or null.")
    for name in ("variables", "extensions"):
        if payload.get(name) is not None and not isinstance(payload[name], dict):
            raise Refusal("INVALID_REQUEST", f"`{name}` must be a JSON object or null.")
    return _Params(query, operation_name, payload.get("variables") or {})


def _get_params(params: QueryParams) -> _Params:
    payload: dict[str, Any] = {"query": params.get("query")}
    if params.get("operationName"):
        payload["operationName"] = params["operationName"]
    for name in ("variables", "extensions"):
        if params.get(name):
            try:
                payload[name] = orjson.loads(params[name])
            except orjson.JSONDecodeError:
                raise Refusal("INVALID_REQUEST", f"`{name}` must be JSON.") from None
    if _depth(payload) > MAX_JSON_DEPTH:
        raise Refusal("INVALID_REQUEST", f"Parameters nest deeper than {MAX_JSON_DEPTH} levels.")
    return _params(payload)
