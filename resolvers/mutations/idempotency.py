"""Idempotency keys of create mutations: a client that retries a create (a timeout, a lost
answer) sends the same key and gets the record the first attempt made, not a second one."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.types.unset import UnsetType

from sandan.db.repositories.writes import idempotent_record, located_row
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.schema.context import Viewer

MAX_KEY = 100
FIELD = "idempotencyKey"


def key_of(inp: Any) -> tuple[str | None, list[Problem]]:
    """The key the client sent (None: no key) and what is wrong with it."""
    key = getattr(inp, "idempotency_key", None)
    if key is None or isinstance(key, UnsetType):
        return None, []
    if not 1 <= len(key) <= MAX_KEY or not key.isprintable():
        message = f"must be 1 to {MAX_KEY} printable characters"
        return None, [Problem(ErrorCode.OUT_OF_RANGE, FIELD, message)]
    return key, []


def owner_of(viewer: Viewer) -> str:
    """Keys are the caller's own: two callers choosing the same key never see each other's
    record. Until callers are accounts, a caller is its staff scope."""
    paths = viewer.write.paths
    return "staff:*" if paths is None else "staff:" + ",".join(paths)


def digest_of(type_name: str, given: dict[str, Any]) -> str:
    """A digest of the input as sent: a retry must send the same input."""
    text = orjson.dumps({"type": type_name, **given}, default=repr, option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(text).hexdigest()


async def earlier_record(
    session: AsyncSession, owner: str, key: str, type_name: str, digest: str, model: Any
) -> tuple[Any, list[Problem]] | None:
    """The row an earlier create with this key made (or the mismatch), None if none did."""
    stored = await idempotent_record(session, owner, key)
    if stored is None:
        return None
    stored_type, stored_digest, record_id = stored
    if stored_type != type_name or stored_digest != digest:
        message = "was used before with a different input: send a new key for a new record"
        return None, [Problem(ErrorCode.IDEMPOTENCY_MISMATCH, FIELD, message)]
    return await located_row(session, model, record_id), []
