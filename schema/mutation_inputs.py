"""Inputs of the mutations. Update inputs leave out what they don't change (null clears)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry import UNSET

from sandan.schema.enums import (
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


@strawberry.input
class ResourceRequestInput:
    kind: ResourceKind
    quantity: int = 1


@strawberry.input(description="A new needs-list entry.")
class CreateNeedInput:
    cell: strawberry.ID
    title: str
    category: Category
    channel: NeedChannel
    description: str | None = UNSET
    scale: MatterScale = MatterScale.SMALL
    urgency: Urgency = Urgency.MEDIUM
    needs_lead: bool = True
    volunteers: int = 0
    hours: int = 0
    skills: list[str] | None = UNSET
    resource_requests: list[ResourceRequestInput] | None = UNSET
    window_from: date | None = UNSET
    window_to: date | None = UNSET
    reported_on: date | None = UNSET
    household: strawberry.ID | None = UNSET
    reported_by: strawberry.ID | None = UNSET


@strawberry.input
class UpdateNeedInput:
    cell: strawberry.ID | None = UNSET
    title: str | None = UNSET
    category: Category | None = UNSET
    channel: NeedChannel | None = UNSET
    description: str | None = UNSET
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


@strawberry.input(description="A new resource-list entry.")
class CreateResourceInput:
    cell: strawberry.ID
    title: str
    kind: ResourceKind
    capacity: int
    description: str | None = UNSET
    categories: list[Category] | None = UNSET
    unit: str | None = UNSET
    reach: Level | None = UNSET
    available_from: date | None = UNSET
    available_to: date | None = UNSET
    provider_organisation: strawberry.ID | None = UNSET
    provider_person: strawberry.ID | None = UNSET


@strawberry.input
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


@strawberry.input(description="A new group member.")
class CreatePersonInput:
    cell: strawberry.ID
    name: str
    kind: PersonKind
    role: PersonRole = PersonRole.MEMBER
    party_member: bool = False
    phone: str | None = UNSET
    organisation: strawberry.ID | None = UNSET
    household: strawberry.ID | None = UNSET
    skills: list[str] | None = UNSET
    categories: list[Category] | None = UNSET
    hours: int = 0
    max_deeds: int = 1
    max_lead: int = 0
    reach: Level | None = UNSET
    available_from: date | None = UNSET
    available_to: date | None = UNSET


@strawberry.input
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
    cell: strawberry.ID
    code: str
    head_name: str
    address: str
    phone: str | None = UNSET
    size: int = 1
    elderly_alone: bool = False
    disability: bool = False
    low_income: bool = False
    contact_person: strawberry.ID | None = UNSET


@strawberry.input
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


@strawberry.input
class CreateOrganisationInput:
    cell: strawberry.ID
    name: str
    kind: OrganisationKind
    contact_name: str | None = UNSET
    contact_phone: str | None = UNSET
    description: str | None = UNSET


@strawberry.input
class UpdateOrganisationInput:
    cell: strawberry.ID | None = UNSET
    name: str | None = UNSET
    kind: OrganisationKind | None = UNSET
    contact_name: str | None = UNSET
    contact_phone: str | None = UNSET
    description: str | None = UNSET


@strawberry.input(description="A household contact visit (the level-3 duties).")
class RecordContactVisitInput:
    household: strawberry.ID
    person: strawberry.ID
    visited_on: date | None = UNSET
    topics: list[str] | None = UNSET
    notes: str | None = UNSET
