"""A real sandan server (uvicorn in a subprocess on a free port) and `sandan worker`s."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import websockets

from sandan import subprocess_server
from tests.conftest import STAFF_TOKEN

FAST_QUEUE = {"SANDAN_RUN_POLL_SECONDS": "0.3", "SANDAN_RUN_LEASE_SECONDS": "3"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, extra: dict[str, str] | None) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "SANDAN_STAFF_TOKENS": f"{STAFF_TOKEN}=*",
        **FAST_QUEUE,
        **(extra or {}),
    }


def start_server(
    url: str, port: int, extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess_server.start_server(port, _env(url, extra))


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def served(url: str, extra: dict[str, str] | None = None) -> Iterator[str]:
    port = free_port()
    proc = start_server(url, port, extra)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def start_worker(url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "sandan.cli", "worker"], env=_env(url, None))


SUBSCRIBE = """
subscription Follow($id: ID!) {
  optimisationRun(id: $id) { status progress { phase fraction bestPrioritySum gap } }
}"""


async def follow(base: str, run_id: str, token: str = STAFF_TOKEN) -> list[dict[str, Any]]:
    """Every state the subscription sends until it completes (graphql-transport-ws)."""
    ws_url = base.replace("http://", "ws://") + "/graphql"
    states: list[dict[str, Any]] = []
    async with websockets.connect(ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        query = {"query": SUBSCRIBE, "variables": {"id": run_id}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "next":
                assert "errors" not in message["payload"], message
                states.append(message["payload"]["data"]["optimisationRun"])
            elif message["type"] == "complete":
                return states
            else:
                raise AssertionError(message)
