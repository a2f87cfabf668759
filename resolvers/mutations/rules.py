"""Field rules: pure checks and conversions of mutation input values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sandan.db.enums import Level
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.text import unprintable, visible


class Invalid(Exception):
    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Convert = Callable[[Any], Any]


@dataclass(frozen=True)
class Rule:
    """How one input field becomes one column value."""

    column: str | None = None  # defaults to the field's own name
    required: bool = False  # on create; None is never allowed for a required field
    convert: Convert = lambda v: v


def text(
    max_len: int,
    *,
    required: bool = False,
    column: str | None = None,
    blank: str = "must not be blank",
) -> Rule:
    """Trimmed text; `blank` is the message for a required text that is only spaces."""

    def convert(value: Any) -> Any:
        if value is None:
            return None
        stripped = typed_text(value)
        if required and not stripped:
            raise Invalid(ErrorCode.REQUIRED, blank)
        if len(stripped) > max_len:
            raise Invalid(ErrorCode.TOO_LONG, f"is {len(stripped)} characters; at most {max_len}")
        return stripped or None

    return Rule(column=column, required=required, convert=convert)


def typed_text(value: Any) -> str:
    """`value` trimmed; "" when it shows nothing (only spaces or zero-width characters, which
    would make a title that looks empty). Control characters such as NUL are refused."""
    stripped = str(value).strip()
    if unprintable(stripped):
        raise Invalid(
            ErrorCode.INVALID,
            "holds a control character (such as NUL) or an unpaired surrogate: send plain text",
        )
    return stripped if visible(stripped) else ""


def integer(low: int, high: int, *, required: bool = False) -> Rule:
    def convert(value: Any) -> Any:
        if value is not None and not low <= value <= high:
            raise Invalid(ErrorCode.OUT_OF_RANGE, f"is {value}; must be from {low} to {high}")
        return value

    return Rule(required=required, convert=convert)


def words(max_items: int, max_len: int = 40) -> Rule:
    """A list of short labels (skills, topics): trimmed, deduplicated, order kept."""

    def convert(value: Any) -> Any:
        if value is None:
            return []
        cleaned = list(dict.fromkeys(w for w in map(typed_text, value) if w))
        if len(cleaned) > max_items:
            raise Invalid(ErrorCode.OUT_OF_RANGE, f"has {len(cleaned)} items; at most {max_items}")
        too_long = [w for w in cleaned if len(w) > max_len]
        if too_long:
            raise Invalid(ErrorCode.TOO_LONG, f"{too_long[0]!r} is longer than {max_len}")
        return cleaned

    return Rule(convert=convert)


def enum_list() -> Rule:
    return Rule(convert=lambda v: sorted({m.value for m in v}) if v is not None else [])


def plain(*, required: bool = False) -> Rule:
    return Rule(required=required)


def day(*, required: bool = False) -> Rule:
    def convert(value: Any) -> Any:
        if value is not None and not date(2000, 1, 1) <= value <= date(2100, 12, 31):
            raise Invalid(ErrorCode.OUT_OF_RANGE, f"{value.isoformat()} is not a plausible date")
        return value

    return Rule(required=required, convert=convert)


@dataclass(frozen=True)
class Ref:
    """An input field naming another object by global id."""

    column: str
    type_name: str
    required: bool = False
    levels: frozenset[Level] = field(default_factory=frozenset)  # for cells: allowed levels


def ordered_dates(first: str, second: str) -> Callable[[dict[str, Any]], Sequence[Problem]]:
    """A cross-field check: an interval's start is not after its end."""

    def check(values: dict[str, Any]) -> Sequence[Problem]:
        start, end = values.get(first), values.get(second)
        if start is not None and end is not None and start > end:
            return [
                Problem(
                    ErrorCode.INVALID,
                    _camel(second),
                    f"ends ({end.isoformat()}) before it starts ({start.isoformat()})",
                )
            ]
        return []

    return check


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


camel = _camel
