"""POST /graphql: answer planned queries directly, hand everything else to strawberry's view."""

from __future__ import annotations

from typing import Any

import orjson
import strawberry
from starlette.requests import Request
from starlette.types import Message, Receive, Scope, Send

from sandan.schema.build import limit_rules
from sandan.schema.context import Viewer
from sandan.schema.cost import PageRules, too_costly
from sandan.schema.fastpath import Bail, Planner, execute
from sandan.schema.fastpath.pages import json_page
from sandan.schema.fastpath.plan import Plan
from sandan.schema.fastpath.sql import json_queries
from sandan.settings import Settings


class PlannedGraphQL:
    """An ASGI app in front of the strawberry view. A request it cannot answer from a plan
    (or whose plan bails) is replayed, body and all, into the view, so the answer and any
    errors are exactly strawberry's."""

    def __init__(
        self, view: Any, schema: strawberry.Schema, settings: Settings, context_for: Any
    ) -> None:
        self.view = view
        self.schema = schema
        self.context_for = context_for
        in_database = settings.json_reads and not settings.is_sqlite
        self.planner = Planner(
            schema._schema,
            limit_rules(settings),
            max_tokens=settings.max_tokens,
            cache_bytes=settings.document_cache_bytes,
            pages=PageRules(settings.default_page_size, settings.max_page_size),
            json_queries=json_queries if in_database else None,
            json_page=json_page if in_database else None,
        )
        self.scalar_registry = schema.schema_converter.scalar_registry
        self.budgets = {False: settings.public_query_budget, True: settings.staff_query_budget}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.view(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        if request.headers.get("content-type", "").startswith("application/json"):
            answer = await self._try_plan(request, body)
            if answer is not None:
                await _send_json(send, answer)
                return
        await self.view(scope, replay(body), send)

    async def _try_plan(self, request: Request, body: bytes) -> bytes | None:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return None
        variables = payload.get("variables")
        operation_name = payload.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return None
        if operation_name is not None and not isinstance(operation_name, str):
            return None
        plan = self.planner.plan_for(payload["query"], operation_name)
        if plan is None:
            return None
        context = await self.context_for(request)
        refusal = self._over_budget(plan, operation_name, variables, context.viewer)
        if refusal is not None:
            return refusal
        try:
            data = await execute(
                plan,
                self.schema._schema,
                self.scalar_registry,
                self.schema.config,
                context,
                variables,
            )
        except Bail:
            return None
        return orjson.dumps({"data": data})

    def _over_budget(
        self, plan: Plan, operation_name: str | None, variables: Any, viewer: Viewer
    ) -> bytes | None:
        """The answer refusing a plan over the caller's budget (sandan.guard refuses those
        first; this holds if the planned path is ever mounted without it)."""
        cost = self.planner.cost_of(plan, operation_name, variables)
        limit = self.budgets[viewer.staff]
        if cost <= limit:
            return None
        error = too_costly(cost, limit, "staff" if viewer.staff else "public")
        return orjson.dumps({"errors": [error.formatted]})


def replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _send_json(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
