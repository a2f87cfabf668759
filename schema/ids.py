"""Relay global ids: base64("TypeName:pk")."""

from __future__ import annotations

import base64
import binascii

import strawberry

# Ids are primary keys: signed 64-bit integers in both databases.
MAX_KEY = 2**63 - 1
# An id in an error message is cut to this many characters: input is never echoed whole.
SHOWN_ID_LENGTH = 40


class BadGlobalId(ValueError):
    pass


def shown(global_id: str) -> str:
    """The id as an error message may quote it: repr'd, and cut if long."""
    if len(global_id) <= SHOWN_ID_LENGTH:
        return repr(global_id)
    return repr(global_id[:SHOWN_ID_LENGTH]) + "…"


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str, *, expect: str | None = None) -> tuple[str, int]:
    """(type name, pk); raises BadGlobalId with a message fit to show the caller."""
    try:
        type_name, _, raw_pk = base64.b64decode(global_id, validate=True).decode().partition(":")
        pk = int(raw_pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadGlobalId(f"{shown(global_id)} is not a valid id") from None
    if not -MAX_KEY - 1 <= pk <= MAX_KEY:
        raise BadGlobalId(f"{shown(global_id)} is not a valid id (its key is out of range)")
    if expect is not None and type_name != expect:
        kind = type_name[:SHOWN_ID_LENGTH]
        raise BadGlobalId(f"{shown(global_id)} is the id of a {kind}, not of a {expect}")
    return type_name, pk
