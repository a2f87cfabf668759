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
from sandan.resolvers.errors import ErrorCode, Problem
from sandan.resolvers.mutations.entity import Closing, EntitySpec
from sandan.resolvers.mutations.rules import (
    Invalid,
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
from sandan.schema.mutation_inputs import (
    CreateHouseholdInput,
    CreateNeedInput,
    CreateOrganisationInput,
    CreatePersonInput,
    CreateResourceInput,
    RecordContactVisitInput,
    UpdateHouseholdInput,
    UpdateNeedInput,
    UpdateOrganisationInput,
    UpdatePersonInput,
    UpdateResourceInput,
)
from sandan.schema.types.lists import Need, Resource
from sandan.schema.types.members import ContactVisit, Household, Organisation, Person

BELOW_TOWN = frozenset({Level.VILLAGE, Level.BRANCH, Level.GROUP})
# Members, households and organisations close by leaving: the row stays for the history.
INACTIVE = Closing(is_closed=lambda row: not row.active, sets={"active": False})
MAX_REASON = 500


def _blocked(message: str) -> list[Problem]:
    """A close refused because other records still depend on the row."""
    return [Problem(ErrorCode.CONFLICT, "id", message)]


async def _no_active_deed(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    if await active_deed_of_need(session, row.id) is not None:
        return _blocked("an active deed serves this need: cancel it first")
    return []


async def _no_units_committed(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    committed = await units_committed(session, row.id)
    if committed:
        return _blocked(f"{committed} units are committed to active deeds: release them first")
    return []


async def _leads_and_serves_nothing(session: AsyncSession, row: Row[Any]) -> Sequence[Problem]:
    led = await cells_led_by(session, row.id)
    if led:
        return _blocked(f"this person leads {', '.join(led)}: appoint a new leader first")
    active = await active_deeds_of_person(session, row.id)
    if active:
        return _blocked(
            f"this person leads or serves on {active} active deeds: reassign them first"
        )
    return []


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
    create_input=CreateNeedInput,
    update_input=UpdateNeedInput,
    closing=Closing(
        # A need closes when it will not be done; a done need is closed as well.
        is_closed=lambda row: row.status in (NeedStatus.CLOSED, NeedStatus.DONE),
        sets={"status": NeedStatus.CLOSED},
        stamp="closed_at",
        precondition=_no_active_deed,
        arguments={
            "reason": text(
                MAX_REASON, required=True, column="close_reason", blank="say why it is closed"
            )
        },
    ),
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
    create_input=CreateResourceInput,
    update_input=UpdateResourceInput,
    closing=Closing(
        is_closed=lambda row: row.status == ResourceStatus.CLOSED,
        sets={"status": ResourceStatus.CLOSED},
        stamp="closed_at",
        precondition=_no_units_committed,
    ),
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
    create_input=CreatePersonInput,
    update_input=UpdatePersonInput,
    closing=INACTIVE.but(precondition=_leads_and_serves_nothing),
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
    create_input=CreateHouseholdInput,
    update_input=UpdateHouseholdInput,
    closing=INACTIVE,
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
    create_input=CreateOrganisationInput,
    update_input=UpdateOrganisationInput,
    closing=INACTIVE,
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
    create_input=RecordContactVisitInput,
    create_verb="record",
    defaults={"visited_on": date.today},
)

# The specs by GraphQL type name: the engine asks a link's target whether it is closed.
SPECS_BY_TYPE: dict[str, EntitySpec[Any]] = {
    spec.type_name: spec
    for spec in (NEED, RESOURCE, PERSON, HOUSEHOLD, ORGANISATION, CONTACT_VISIT)
}
