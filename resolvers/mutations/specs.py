"""What each entity's mutation input may contain, and the checks its values must pass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from sandan.db import models
from sandan.db.enums import Level, NeedStatus, ResourceStatus
from sandan.db.repositories.writes import (
    active_deed_of_need,
    active_deeds_of_person,
    cells_led_by,
    household_code_taken,
    units_committed,
)
from sandan.resolvers.mutations.engine import EntitySpec, now
from sandan.resolvers.mutations.rules import (
    Invalid,
    Problem,
    Ref,
    Rule,
    day,
    enum_list,
    integer,
    ordered_dates,
    plain,
    text,
    words,
)
from sandan.schema.errors import ErrorCode
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person

BELOW_TOWN = frozenset({Level.VILLAGE, Level.BRANCH, Level.GROUP})


def _resource_requests(value: Any) -> Any:
    if value is None:
        return []
    merged: dict[str, int] = {}
    for item in value:
        if not 1 <= item.quantity <= 10_000:
            raise Invalid(
                ErrorCode.OUT_OF_RANGE, f"quantity {item.quantity} must be from 1 to 10000"
            )
        merged[item.kind.value] = merged.get(item.kind.value, 0) + item.quantity
    return [{"kind": kind, "quantity": qty} for kind, qty in sorted(merged.items())]


def _lead_needs_party_member(values: dict[str, Any]) -> Sequence[Problem]:
    # The contract's lead rule: only party members may lead deeds.
    if values.get("max_lead", 0) > 0 and not values.get("party_member", False):
        return [Problem(ErrorCode.INVALID, "maxLead", "only party members may lead deeds")]
    return []


NEED = EntitySpec[Need](
    type_name="Need",
    model=models.Need,
    fields={
        "title": text(200, required=True),
        "description": text(4000),
        "category": plain(required=True),
        "channel": plain(required=True),
        "scale": plain(),
        "urgency": plain(),
        "needs_lead": plain(),
        "volunteers": integer(0, 50),
        "hours": integer(0, 1000),
        "skills": words(20),
        "resource_requests": Rule(convert=_resource_requests),
        "window_from": day(),
        "window_to": day(),
        "reported_on": day(),
    },
    refs={
        "cell": Ref("cell_id", "Cell", required=True, levels=BELOW_TOWN),
        "household": Ref("household_id", "Household"),
        "reported_by": Ref("reported_by_id", "Person"),
    },
    checks=[ordered_dates("window_from", "window_to")],
    build=lambda row, ctx: Need.from_row(row, ctx.viewer),
    is_closed=lambda row: row.status in (NeedStatus.CLOSED, NeedStatus.DONE),
    defaults={"reported_on": date.today, "status": lambda: NeedStatus.OPEN},
)


async def _capacity_covers_commitments(
    session: AsyncSession, values: dict[str, Any], existing: Row[Any] | None
) -> Sequence[Problem]:
    if existing is None:
        return []
    committed = await units_committed(session, existing.id)
    if values["capacity"] < committed:
        return [
            Problem(
                ErrorCode.CONFLICT,
                "capacity",
                f"{committed} units are committed to active deeds; capacity cannot go below that",
            )
        ]
    return []


RESOURCE = EntitySpec[Resource](
    type_name="Resource",
    model=models.Resource,
    fields={
        "title": text(200, required=True),
        "description": text(2000),
        "kind": plain(required=True),
        "categories": enum_list(),
        "capacity": integer(0, 1_000_000, required=True),
        "unit": text(30),
        "reach": plain(),
        "available_from": day(),
        "available_to": day(),
    },
    refs={
        "cell": Ref("cell_id", "Cell", required=True),
        "provider_organisation": Ref("provider_organisation_id", "Organisation"),
        "provider_person": Ref("provider_person_id", "Person"),
    },
    checks=[ordered_dates("available_from", "available_to")],
    db_checks=[_capacity_covers_commitments],
    build=lambda row, ctx: Resource.from_row(row),
    is_closed=lambda row: row.status == ResourceStatus.CLOSED,
)


PERSON = EntitySpec[Person](
    type_name="Person",
    model=models.Person,
    fields={
        "name": text(60, required=True),
        "phone": text(40),
        "kind": plain(required=True),
        "role": plain(),
        "party_member": plain(),
        "skills": words(30),
        "categories": enum_list(),
        "hours": integer(0, 2000),
        "max_deeds": integer(0, 100),
        "max_lead": integer(0, 100),
        "reach": plain(),
        "available_from": day(),
        "available_to": day(),
    },
    refs={
        "cell": Ref("cell_id", "Cell", required=True, levels=BELOW_TOWN),
        "organisation": Ref("organisation_id", "Organisation"),
        "household": Ref("household_id", "Household"),
    },
    checks=[ordered_dates("available_from", "available_to"), _lead_needs_party_member],
    build=lambda row, ctx: Person.from_row(row, ctx.viewer),
    is_closed=lambda row: not row.active,
    defaults={"role": lambda: "MEMBER"},
)


async def _household_code_free(
    session: AsyncSession, values: dict[str, Any], existing: Row[Any] | None
) -> Sequence[Problem]:
    # Checked before writing so the error names its field; the unique index still backs it.
    code = values.get("code")
    if code is None or (existing is not None and code == existing.code):
        return []
    if await household_code_taken(session, code, existing.id if existing is not None else None):
        return [Problem(ErrorCode.DUPLICATE, "code", f"another household has code {code!r}")]
    return []


HOUSEHOLD = EntitySpec[Household](
    type_name="Household",
    model=models.Household,
    fields={
        "code": text(64, required=True),
        "head_name": text(60, required=True),
        "address": text(200, required=True),
        "phone": text(40),
        "elderly_alone": plain(),
        "disability": plain(),
        "low_income": plain(),
        "size": integer(1, 50),
    },
    refs={
        "cell": Ref(
            "cell_id", "Cell", required=True, levels=frozenset({Level.BRANCH, Level.GROUP})
        ),
        "contact_person": Ref("contact_person_id", "Person"),
    },
    db_checks=[_household_code_free],
    build=lambda row, ctx: Household.from_row(row, ctx.viewer),
    is_closed=lambda row: not row.active,
)


ORGANISATION = EntitySpec[Organisation](
    type_name="Organisation",
    model=models.Organisation,
    fields={
        "name": text(200, required=True),
        "kind": plain(required=True),
        "contact_name": text(60),
        "contact_phone": text(40),
        "description": text(2000),
    },
    refs={"cell": Ref("cell_id", "Cell", required=True)},
    build=lambda row, ctx: Organisation.from_row(row),
    is_closed=lambda row: not row.active,
)


CONTACT_VISIT = EntitySpec[ContactVisit](
    type_name="ContactVisit",
    model=models.ContactVisit,
    fields={"visited_on": day(), "topics": words(10, 60), "notes": text(4000)},
    refs={
        "household": Ref("household_id", "Household", required=True),
        "person": Ref("person_id", "Person", required=True),
    },
    located_by="household",
    checks=[],
    build=lambda row, ctx: ContactVisit.from_row(row),
    defaults={"visited_on": date.today},
)


async def need_closable(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    deed = await active_deed_of_need(session, row.id)
    if deed is not None:
        return [
            Problem(ErrorCode.CONFLICT, "id", "an active deed serves this need: cancel it first")
        ]
    return []


async def resource_closable(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    committed = await units_committed(session, row.id)
    if committed:
        return [
            Problem(
                ErrorCode.CONFLICT,
                "id",
                f"{committed} units are committed to active deeds: release them first",
            )
        ]
    return []


async def person_closable(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    led = await cells_led_by(session, row.id)
    if led:
        return [
            Problem(
                ErrorCode.CONFLICT,
                "id",
                f"this person leads {', '.join(led)}: appoint a new leader first",
            )
        ]
    active = await active_deeds_of_person(session, row.id)
    if active:
        return [
            Problem(
                ErrorCode.CONFLICT,
                "id",
                f"this person leads or serves on {active} active deeds: reassign them first",
            )
        ]
    return []


def closed_status(status: Any, reason: str | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {"status": status, "closed_at": now()}
    if reason is not None:
        values["close_reason"] = reason
    return values
