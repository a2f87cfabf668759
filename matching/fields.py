"""The contract's vocabulary (levels, categories, kinds, roles) and typed readers of its fields.

`Checker` reads one field at a time from an entry of the JSON, recording an error (JSON path,
entry id, message) and returning a safe default when the field breaks the contract, so that
`instance.parse_instance` reports every problem of a file at once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, TypeVar

T = TypeVar("T")

LEVELS = ("DISTRICT", "TOWN", "VILLAGE", "BRANCH", "GROUP")
LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}
CATEGORIES = (
    "SPACE",
    "SAFETY",
    "ENVIRONMENT",
    "CULTURE_SPORTS",
    "POLICY",
    "DAILY_LIFE",
    "DISPUTE",
    "OTHER",
)
CATEGORY_INDEX = {name: i for i, name in enumerate(CATEGORIES)}
ALL_CATEGORIES = (1 << len(CATEGORIES)) - 1
KINDS = ("VENUE", "FACILITY", "EQUIPMENT", "VEHICLE", "FUNDS", "MATERIAL", "SERVICE", "OTHER")
KIND_INDEX = {name: i for i, name in enumerate(KINDS)}
N_KINDS = len(KINDS)  # kinds are numbered 0..N_KINDS-1 in the arrays
ROLES = ("LEAD", "TEAM")

# Open intervals are stored as ordinals far outside any real date so overlap tests stay arithmetic.
DATE_MIN = -(10**9)
DATE_MAX = 10**9
# The solver's limits on numbers (the contract sets none): counts and priorities become 64-bit
# integers, and CP-SAT sums them weighted by distances, so larger values are refused with a
# message instead of overflowing. Real instances are far below: priorities 1-100, a few units.
COUNT_MAX = 10**9  # capacity, quantity, team size, max_deeds, max_lead
PRIORITY_MAX = 10**6
HOURS_MAX = 10**6


class Checker:
    """Collects errors while reading one instance."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str | None]] = []

    def err(self, path: str, entry: str | None, message: str) -> None:
        self.errors.append({"path": path, "entry": entry, "message": message})

    # -- typed field readers: each returns a safe default after recording an error
    def list_of(self, d: dict[str, Any], key: str, path: str) -> list[Any]:
        v = d.get(key)
        if v is None:
            return []
        if not isinstance(v, list):
            self.err(f"{path}.{key}" if path else key, None, f"{key} must be a list")
            return []
        return v

    def ident(self, d: dict[str, Any], path: str) -> str | None:
        v = d.get("id")
        if not isinstance(v, str) or not v:
            self.err(f"{path}.id", None, "id must be a non-empty string")
            return None
        return v

    def _typed(
        self, d: dict[str, Any], key: str, path: str, eid: str | None, kind: type[T], what: str
    ) -> T | None:
        """The value at `key` when it is a `kind`; None when absent, or (recording an error,
        whose message says the value must be `what`) when of another type."""
        v = d.get(key)
        if v is None:
            return None
        if not isinstance(v, kind):
            self.err(f"{path}.{key}", eid, f"{key} must be {what}")
            return None
        return v

    def boolean(
        self, d: dict[str, Any], key: str, default: bool, path: str, eid: str | None
    ) -> bool:
        v = self._typed(d, key, path, eid, bool, "true or false")
        return default if v is None else v

    def integer(
        self,
        d: dict[str, Any],
        key: str,
        default: int | None,
        path: str,
        eid: str | None,
        low: int,
        high: int = COUNT_MAX,
    ) -> int:
        v = d.get(key)
        if v is None:
            if default is None:
                self.err(f"{path}.{key}", eid, f"{key} is required")
                return low
            return default
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        if isinstance(v, bool) or not isinstance(v, int):
            self.err(f"{path}.{key}", eid, f"{key} must be an integer, got {v!r}")
            return max(low, default or 0)
        if v < low:
            self.err(f"{path}.{key}", eid, f"{key} must be at least {low}, got {v}")
            return low
        if v > high:
            self.err(f"{path}.{key}", eid, f"{key} must be at most {high}, got {v}")
            return high
        return v

    def number(self, d: dict[str, Any], key: str, path: str, eid: str | None) -> float:
        v = d.get(key)
        if v is None:
            return 0.0
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            self.err(f"{path}.{key}", eid, f"{key} must be a number, got {v!r}")
            return 0.0
        if v < 0:
            self.err(f"{path}.{key}", eid, f"{key} must not be negative, got {v}")
            return 0.0
        if v > HOURS_MAX:
            self.err(f"{path}.{key}", eid, f"{key} must be at most {HOURS_MAX}, got {v}")
            return 0.0
        return float(v)

    def opt_str(self, d: dict[str, Any], key: str, path: str, eid: str | None) -> str | None:
        return self._typed(d, key, path, eid, str, "a string or null")

    def strings(self, d: dict[str, Any], key: str, path: str, eid: str | None) -> list[str]:
        v = d.get(key)
        if v is None:
            return []
        if not isinstance(v, list) or not all(isinstance(s, str) for s in v):
            self.err(f"{path}.{key}", eid, f"{key} must be a list of strings")
            return []
        return list(v)

    def categories(self, d: dict[str, Any], path: str, eid: str | None) -> int:
        mask = 0
        for c in self.strings(d, "categories", path, eid):
            if c not in CATEGORY_INDEX:
                self.err(f"{path}.categories", eid, f"unknown category {c!r}")
            else:
                mask |= 1 << CATEGORY_INDEX[c]
        return mask or ALL_CATEGORIES

    def level(self, d: dict[str, Any], key: str, path: str, eid: str | None, null_ok: bool) -> int:
        v = d.get(key)
        if v is None and null_ok:
            return -1
        if not isinstance(v, str) or v not in LEVEL_RANK:
            self.err(f"{path}.{key}", eid, f"unknown {key} {v!r}; expected one of {list(LEVELS)}")
            return -1
        return LEVEL_RANK[v]

    def interval(self, d: dict[str, Any], key: str, path: str, eid: str | None) -> tuple[int, int]:
        v = d.get(key)
        if v is None:
            return (DATE_MIN, DATE_MAX)
        if not isinstance(v, list) or len(v) != 2:
            self.err(f"{path}.{key}", eid, f"{key} must be null or [from, to] ISO dates")
            return (DATE_MIN, DATE_MAX)
        days: list[int] = []
        for i, s in enumerate(v):
            try:
                if not isinstance(s, str):
                    raise ValueError
                days.append(dt.date.fromisoformat(s).toordinal())
            except ValueError:
                self.err(f"{path}.{key}[{i}]", eid, f"bad date {s!r}; expected YYYY-MM-DD")
                return (DATE_MIN, DATE_MAX)
        if days[0] > days[1]:
            self.err(f"{path}.{key}", eid, f"{key} is reversed: {v[0]} is after {v[1]}")
            return (DATE_MIN, DATE_MAX)
        return (days[0], days[1])

    def ref(
        self, d: dict[str, Any], key: str, index: dict[str, int], path: str, eid: str | None
    ) -> int:
        v = d.get(key)
        if not isinstance(v, str) or v not in index:
            self.err(f"{path}.{key}", eid, f"unknown {key} {v!r}")
            return -1
        return index[v]
