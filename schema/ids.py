"""Relay global ids: base64("TypeName:pk")."""

from __future__ import annotations

import base64
import binascii

import strawberry


class BadGlobalId(ValueError):
    pass


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.b64encode(f"{type_name}:{pk}".encode()).decode())


def from_global_id(global_id: str, *, expect: str | None = None) -> tuple[str, int]:
    """(type name, pk); raises BadGlobalId with a message fit to show the caller."""
    try:
        type_name, _, raw_pk = base64.b64decode(global_id, validate=True).decode().partition(":")
        pk = int(raw_pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadGlobalId(f"{global_id!r} is not a valid id") from None
    if expect is not None and type_name != expect:
        raise BadGlobalId(f"{global_id!r} is the id of a {type_name}, not of a {expect}")
    return type_name, pk
