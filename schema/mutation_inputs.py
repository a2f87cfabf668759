"""Inputs of the mutations, described once on the create inputs.

An update input lists the fields a client may change; `changes_to(CreateXInput)` gives each
the description of the create input's field of the same name, so a field is described once.
Update inputs leave out what they don't change (UNSET); null clears an optional field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import strawberry
from strawberry import UNSET
from strawberry.types.base import get_object_definition

from sandan.db.enums import (
    Category,
    Level,
    MatterScale,
    NeedChannel,
    OrganisationKind,
    PersonKind,
    PersonRole,
    ResourceKind,
    Urgency,
)

C = TypeVar("C", bound=type)

_CELL = "The `id` of the cell it belongs to; staff must manage that part of the grid."
_SKILLS = "Short skill labels (at most 40 characters each), e.g. 护理 or 电工; duplicates dropped."
_CATEGORIES = "The public-service domains it serves; empty or left out means any category."
_REACH = (
    "The level of the ancestor of its cell whose subtree it may serve (e.g. VILLAGE: its "
    "whole village); null or left out: the whole grid."
)
_FROM = "First day it is available (inclusive, YYYY-MM-DD); null or left out: always."
_TO = "Last day it is available (inclusive); not before the first day."
_IDEMPOTENCY = (
    "Optional, 1 to 100 characters: a key the client makes up for this one create (e.g. a "
    "UUID) and sends again when it retries. The same key with the same input creates one "
    "record and returns it each time; the same key with a different input is refused "
    "(IDEMPOTENCY_MISMATCH)."
)
_EXPECTED_VERSION = (
    "Optional: the `version` you read. If the record changed since (its version is no longer "
    "this), nothing is written and the error is CONFLICT: reload it and apply your change again."
)
_PHONE = "A contact phone (at most 40 characters). Personal data: shown only to staff in scope."


def _field(description: str, default: Any = UNSET) -> Any:
    """An optional input field: left out (UNSET) unless the client sends it."""
    return strawberry.field(default=default, description=description)


def changes_to(create: type) -> Callable[[C], C]:
    """Gives each field of an update input the description of the create input's field."""
    described = {
        f.python_name: f.description for f in get_object_definition(create, strict=True).fields
    }

    def decorate(cls: C) -> C:
        for name in cls.__annotations__:
            if name in described:  # the update input's own fields (expectedVersion) stay
                setattr(cls, name, _field(described[name] or ""))
        return cls

    return decorate


@strawberry.input(description="A resource a need asks for: a kind and how many units.")
class ResourceRequestInput:
    kind: ResourceKind = strawberry.field(description="The kind of resource needed.")
    quantity: int = strawberry.field(
        default=1,
        description="Units needed, 1 to 10000; requests of one kind are added up, and the sum "
        "may not pass 10000 either.",
    )


@strawberry.input(description="A new needs-list entry.")
class CreateNeedInput:
    cell: strawberry.ID = strawberry.field(
        description=_CELL + " A village, branch or group cell (not the town or district)."
    )
    title: str = strawberry.field(description="What is needed, 1 to 200 characters.")
    category: Category = strawberry.field(description="The public-service domain it falls in.")
    channel: NeedChannel = strawberry.field(description="How the need was heard.")
    description: str | None = _field(
        "Details as heard during the visit, at most 4000 characters; personal data, shown "
        "only to staff whose scope covers the need."
    )
    public_text: str | None = _field(
        "What partners and the public may read about it, at most 2000 characters: write it "
        "for publication, without names, addresses or a household's circumstances."
    )
    scale: MatterScale = _field(
        "Small matters go to the neighbourhood association, big ones to the council.",
        MatterScale.SMALL,
    )
    urgency: Urgency = _field("How urgent it is; raises its priority.", Urgency.MEDIUM)
    needs_lead: bool = _field("Whether a deed for it needs a lead (a party member).", True)
    volunteers: int = _field("Team members needed besides the lead, 0 to 50.", 0)
    hours: int = _field("Hours each team member spends on it, 0 to 1000.", 0)
    skills: list[str] | None = _field("Skills the team must cover. " + _SKILLS)
    resource_requests: list[ResourceRequestInput] | None = _field(
        "Resources a deed for it draws on; left out or null: none."
    )
    window_from: date | None = _field(
        "First day it can be worked on (inclusive); null or left out: any time."
    )
    window_to: date | None = _field("Last day it can be worked on (inclusive).")
    reported_on: date | None = _field("The day it was heard; left out or null: today.")
    household: strawberry.ID | None = _field(
        "The `id` of the household it concerns, if any (staff need personal-data scope)."
    )
    reported_by: strawberry.ID | None = _field("The `id` of the member who heard it.")
    idempotency_key: str | None = _field(_IDEMPOTENCY)


@strawberry.input(description="Changes to a need: left-out fields stay as they are.")
@changes_to(CreateNeedInput)
class UpdateNeedInput:
    cell: strawberry.ID | None = UNSET
    title: str | None = UNSET
    category: Category | None = UNSET
    channel: NeedChannel | None = UNSET
    description: str | None = UNSET
    public_text: str | None = UNSET
    scale: MatterScale | None = UNSET
    urgency: Urgency | None = UNSET
    needs_lead: bool | None = UNSET
    volunteers: int | None = UNSET
    hours: int | None = UNSET
    skills: list[str] | None = UNSET
    resource_requests: list[ResourceRequestInput] | None = UNSET
    window_from: date | None = UNSET
    window_to: date | None = UNSET
    household: strawberry.ID | None = UNSET
    expected_version: int | None = _field(_EXPECTED_VERSION)


@strawberry.input(description="A new resource-list entry.")
class CreateResourceInput:
    cell: strawberry.ID = strawberry.field(description=_CELL + " Any level.")
    title: str = strawberry.field(description="What it is, 1 to 200 characters.")
    kind: ResourceKind = strawberry.field(description="What kind of resource it is.")
    capacity: int = strawberry.field(
        description="How many units it offers (0 to 1000000); deeds draw units from it."
    )
    description: str | None = _field("Details, at most 2000 characters.")
    categories: list[Category] | None = _field(_CATEGORIES)
    unit: str | None = _field("What one unit is (seats, hours, yuan), at most 30 characters.")
    reach: Level | None = _field(_REACH)
    available_from: date | None = _field(_FROM)
    available_to: date | None = _field(_TO)
    provider_organisation: strawberry.ID | None = _field(
        "The `id` of the organisation that provides it, if any."
    )
    provider_person: strawberry.ID | None = _field(
        "The `id` of the member who provides it, if any."
    )
    idempotency_key: str | None = _field(_IDEMPOTENCY)


@strawberry.input(description="Changes to a resource: left-out fields stay as they are.")
@changes_to(CreateResourceInput)
class UpdateResourceInput:
    cell: strawberry.ID | None = UNSET
    title: str | None = UNSET
    kind: ResourceKind | None = UNSET
    capacity: int | None = UNSET
    description: str | None = UNSET
    categories: list[Category] | None = UNSET
    unit: str | None = UNSET
    reach: Level | None = UNSET
    available_from: date | None = UNSET
    available_to: date | None = UNSET
    provider_organisation: strawberry.ID | None = UNSET
    provider_person: strawberry.ID | None = UNSET
    expected_version: int | None = _field(_EXPECTED_VERSION)


@strawberry.input(description="A new group member.")
class CreatePersonInput:
    cell: strawberry.ID = strawberry.field(
        description=_CELL + " A village, branch or group cell (not the town or district)."
    )
    name: str = strawberry.field(description="Full name, 1 to 60 characters.")
    kind: PersonKind = strawberry.field(description="How they belong to the group.")
    role: PersonRole = _field("Their role in the cell.", PersonRole.MEMBER)
    party_member: bool = _field("A registered party member; only they may lead deeds.", False)
    phone: str | None = _field(_PHONE)
    organisation: strawberry.ID | None = _field(
        "The `id` of the organisation they come from, if any."
    )
    household: strawberry.ID | None = _field(
        "The `id` of their own household, if known (no one serves a need of their own home)."
    )
    skills: list[str] | None = _field("What they can do. " + _SKILLS)
    categories: list[Category] | None = _field(_CATEGORIES)
    hours: int = _field("Hours they can give in a planning period, 0 to 2000.", 0)
    max_deeds: int = _field("Deeds they may join as a team member, 0 to 100.", 1)
    max_lead: int = _field("Deeds they may lead, 0 to 100; above 0 needs partyMember.", 0)
    reach: Level | None = _field(_REACH)
    available_from: date | None = _field(_FROM)
    available_to: date | None = _field(_TO)
    idempotency_key: str | None = _field(_IDEMPOTENCY)


@strawberry.input(description="Changes to a group member: left-out fields stay as they are.")
@changes_to(CreatePersonInput)
class UpdatePersonInput:
    cell: strawberry.ID | None = UNSET
    name: str | None = UNSET
    kind: PersonKind | None = UNSET
    role: PersonRole | None = UNSET
    party_member: bool | None = UNSET
    phone: str | None = UNSET
    organisation: strawberry.ID | None = UNSET
    household: strawberry.ID | None = UNSET
    skills: list[str] | None = UNSET
    categories: list[Category] | None = UNSET
    hours: int | None = UNSET
    max_deeds: int | None = UNSET
    max_lead: int | None = UNSET
    reach: Level | None = UNSET
    available_from: date | None = UNSET
    available_to: date | None = UNSET


@strawberry.input(description="A new household (personal data: staff of its cell only).")
class CreateHouseholdInput:
    cell: strawberry.ID = strawberry.field(description=_CELL + " A branch or group cell.")
    code: str = strawberry.field(
        description="The household's code, unique in the whole grid, 1 to 64 characters."
    )
    head_name: str = strawberry.field(
        description="Name of the head of household, 1 to 60 characters. Personal data."
    )
    address: str = strawberry.field(description="Address, 1 to 200 characters. Personal data.")
    phone: str | None = _field(_PHONE)
    size: int = _field("People living in it, 1 to 50.", 1)
    elderly_alone: bool = _field("An elderly person living alone. Personal data.", False)
    disability: bool = _field("Someone in it lives with a disability. Personal data.", False)
    low_income: bool = _field("A low-income household. Personal data.", False)
    contact_person: strawberry.ID | None = _field(
        "The `id` of the group member who looks after it."
    )
    idempotency_key: str | None = _field(_IDEMPOTENCY)


@strawberry.input(description="Changes to a household: left-out fields stay as they are.")
@changes_to(CreateHouseholdInput)
class UpdateHouseholdInput:
    cell: strawberry.ID | None = UNSET
    code: str | None = UNSET
    head_name: str | None = UNSET
    address: str | None = UNSET
    phone: str | None = UNSET
    size: int | None = UNSET
    elderly_alone: bool | None = UNSET
    disability: bool | None = UNSET
    low_income: bool | None = UNSET
    contact_person: strawberry.ID | None = UNSET


@strawberry.input(description="A new organisation: agency, unit, enterprise, NGO or association.")
class CreateOrganisationInput:
    cell: strawberry.ID = strawberry.field(description=_CELL + " Any level.")
    name: str = strawberry.field(description="Its name, 1 to 200 characters.")
    kind: OrganisationKind = strawberry.field(description="What kind of organisation it is.")
    contact_name: str | None = _field("Who to ask for, at most 60 characters (public).")
    contact_phone: str | None = _field("The organisation's phone, at most 40 characters (public).")
    description: str | None = _field("What it does, at most 2000 characters.")
    idempotency_key: str | None = _field(_IDEMPOTENCY)


@strawberry.input(description="Changes to an organisation: left-out fields stay as they are.")
@changes_to(CreateOrganisationInput)
class UpdateOrganisationInput:
    cell: strawberry.ID | None = UNSET
    name: str | None = UNSET
    kind: OrganisationKind | None = UNSET
    contact_name: str | None = UNSET
    contact_phone: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(description="A household contact visit (the level-3 duties).")
class RecordContactVisitInput:
    household: strawberry.ID = strawberry.field(description="The `id` of the household visited.")
    person: strawberry.ID = strawberry.field(description="The `id` of the member who visited.")
    visited_on: date | None = _field("The day of the visit; left out or null: today.")
    topics: list[str] | None = _field(
        "What was talked about: at most 10 short labels of up to 60 characters."
    )
    notes: str | None = _field(
        "What was heard, at most 4000 characters. Personal data: staff in scope only."
    )
    idempotency_key: str | None = _field(_IDEMPOTENCY)
