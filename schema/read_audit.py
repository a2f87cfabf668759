"""Which households' personal data a request was served, collected as rows become objects.

`RowType.from_row` (schema/types/fields.py) calls `note_household` for each row of the types
below whose personal fields it left unmasked: the field declarations decide what is served, so
the audit sees exactly that. The collector lives in a context variable set per request by
`sandan.resolvers.audit.AuditTrail`; a set add per served row is all it costs on the read path,
and the one audit record is written after the response.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

# Types whose personal data is a household's: type name -> the row column naming the household.
HOUSEHOLD_OF: dict[str, str] = {
    "Household": "id",
    "Need": "household_id",  # the visit text and the link to the household
    "ContactVisit": "household_id",
}


@dataclass
class RequestAudit:
    """What one request did that the audit trail records."""

    client: str | None = None
    body: bytearray = field(default_factory=bytearray)
    households: set[int] = field(default_factory=set)


CURRENT: ContextVar[RequestAudit | None] = ContextVar("sandan_request_audit", default=None)


def note_household(pk: int | None) -> None:
    """Record that the current request was served this household's personal data."""
    if pk is None:
        return
    audit = CURRENT.get()
    if audit is not None:
        audit.households.add(pk)
