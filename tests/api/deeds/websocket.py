"""A websocket client that talks to the ASGI app in-process (no server, no thread): it feeds
the app the ASGI websocket events a browser's connection would produce."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.types import ASGIApp, Message

WAIT = 10.0  # seconds


class AsgiWebSocket:
    def __init__(self, app: ASGIApp, path: str, subprotocols: list[str]) -> None:
        self.incoming: asyncio.Queue[Message] = asyncio.Queue()
        self.outgoing: asyncio.Queue[Message] = asyncio.Queue()
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0"},
            "scheme": "ws",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"sec-websocket-protocol", ", ".join(subprotocols).encode())],
            "subprotocols": subprotocols,
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }
        self.task = asyncio.create_task(app(scope, self.incoming.get, self.outgoing.put))

    async def accept(self) -> None:
        await self.incoming.put({"type": "websocket.connect"})
        message = await self.receive()
        assert message["type"] == "websocket.accept", message

    async def send_json(self, data: dict[str, Any]) -> None:
        await self.incoming.put({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive(self) -> Message:
        """The app's next message; a test that waits longer than WAIT fails."""
        return await asyncio.wait_for(self.outgoing.get(), WAIT)

    async def receive_json(self) -> Any:
        message = await self.receive()
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])

    async def close(self) -> None:
        await self.incoming.put({"type": "websocket.disconnect", "code": 1000})
        try:
            await asyncio.wait_for(self.task, 5)
        except (TimeoutError, asyncio.CancelledError):
            self.task.cancel()


@asynccontextmanager
async def websocket(app: ASGIApp, path: str = "/graphql") -> AsyncIterator[AsgiWebSocket]:
    ws = AsgiWebSocket(app, path, ["graphql-transport-ws"])
    await ws.accept()
    try:
        yield ws
    finally:
        await ws.close()
