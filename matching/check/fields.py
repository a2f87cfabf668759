"""Typed getters over an instance's JSON objects that collect errors instead of raising."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Container, Iterable
from typing import Any

from .model import LEVEL_RANK, Interval
from .report import Rule, Violation

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FieldReader:
    """Validates an instance dict field by field, collecting errors instead of raising."""

    def __init__(self) -> None:
        self.errors: list[Violation] = []

    def err(self, path: str, message: str, entry: str | None = None) -> None:
        text = f"{message} (entry {entry!r})" if entry is not None else message
        self.errors.append(Violation(Rule.INVALID_INSTANCE, text, path=path))

    # typed getters: return None (and record an error) when the value is unusable
    def string(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        *,
        required: bool = False,
        empty_ok: bool = False,
    ) -> str | None:
        if key not in obj or obj[key] is None:
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return None
        value = obj[key]
        if not isinstance(value, str) or not (value or empty_ok):
            self.err(f"{path}.{key}", f"must be a non-empty string, got {value!r}", entry)
            return None
        return value

    def integer(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        default: int,
        *,
        minimum: int = 0,
        required: bool = False,
    ) -> int:
        if key not in obj or (obj[key] is None and not required):
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return default
        value = obj[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.err(f"{path}.{key}", f"must be an integer, got {value!r}", entry)
            return default
        if value < minimum:
            self.err(f"{path}.{key}", f"must be at least {minimum}, got {value}", entry)
            return default
        return value

    def number(self, obj: dict[str, Any], key: str, path: str, entry: str | None) -> float:
        value = obj.get(key, 0)
        if value is None:
            return 0
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            self.err(f"{path}.{key}", f"must be a number, got {value!r}", entry)
            return 0
        if value < 0:
            self.err(f"{path}.{key}", f"must not be negative, got {value}", entry)
            return 0
        return value

    def boolean(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None, default: bool
    ) -> bool:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.err(f"{path}.{key}", f"must be true or false, got {value!r}", entry)
            return default
        return value

    def strings(
        self,
        obj: dict[str, Any],
        key: str,
        path: str,
        entry: str | None,
        allowed: frozenset[str] | None = None,
        *,
        empty_ok: bool = False,
    ) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(f"{path}.{key}", f"must be a list, got {value!r}", entry)
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not (item or empty_ok):
                self.err(f"{path}.{key}[{i}]", f"must be a non-empty string, got {item!r}", entry)
            elif allowed is not None and item not in allowed:
                self.err(f"{path}.{key}[{i}]", f"unknown value {item!r}", entry)
            else:
                out.append(item)
        return out

    def interval(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None
    ) -> Interval | None:
        value = obj.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 2:
            self.err(f"{path}.{key}", f"must be [from, to] or null, got {value!r}", entry)
            return None
        dates: list[dt.date] = []
        for i, item in enumerate(value):
            if not isinstance(item, str) or not DATE_RE.match(item):
                self.err(
                    f"{path}.{key}[{i}]", f"must be an ISO date YYYY-MM-DD, got {item!r}", entry
                )
                return None
            try:
                dates.append(dt.date.fromisoformat(item))
            except ValueError:
                self.err(f"{path}.{key}[{i}]", f"is not a valid date: {item!r}", entry)
                return None
        if dates[0] > dates[1]:
            self.err(f"{path}.{key}", f"is reversed: {value[0]} is after {value[1]}", entry)
            return None
        return dates[0], dates[1]

    def level(
        self, obj: dict[str, Any], key: str, path: str, entry: str | None, *, required: bool
    ) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.err(f"{path}.{key}", "is required", entry)
            return None
        if not isinstance(value, str) or value not in LEVEL_RANK:
            self.err(f"{path}.{key}", f"unknown level {value!r}", entry)
            return None
        return value

    def records(self, data: dict[str, Any], key: str) -> Iterable[tuple[str, dict[str, Any]]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.err(key, f"must be a list, got {type(value).__name__}")
            return []
        out = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.err(f"{key}[{i}]", f"must be an object, got {item!r}")
            else:
                out.append((f"{key}[{i}]", item))
        return out

    def ident(self, obj: dict[str, Any], path: str, seen: set[str]) -> str | None:
        ident = self.string(obj, "id", path, None, required=True)
        if ident is not None:
            if ident in seen:
                self.err(f"{path}.id", "duplicate id", ident)
                return None
            seen.add(ident)
        return ident

    def cell_ref(
        self, obj: dict[str, Any], path: str, entry: str | None, cells: Container[str]
    ) -> str | None:
        """The entry's ``cell``, which must name a cell of the instance."""
        cell = self.string(obj, "cell", path, entry, required=True)
        if cell is not None and cell not in cells:
            self.err(f"{path}.cell", f"unknown cell {cell!r}", entry)
            return None
        return cell
