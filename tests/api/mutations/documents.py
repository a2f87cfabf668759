"""The mutation documents the tests send, each selecting its payload's object and typed errors."""

from __future__ import annotations

ERRORS = "errors { code field message }"


# Each kind of entity mutation: its variable definitions and its arguments.
_KINDS = {
    "create": ("$input: Create{entity}Input!", "input: $input"),
    "update": ("$id: ID!, $input: Update{entity}Input!", "id: $id, input: $input"),
    "close": ("$id: ID!", "id: $id"),
    "close with reason": ("$id: ID!, $reason: String!", "id: $id, reason: $reason"),
}


def _document(operation: str, params: str, args: str, field: str, selection: str) -> str:
    return (
        f"mutation({params}) {{\n  {operation}({args}) {{\n"
        f"    {field} {{ {selection} }}\n    {ERRORS}\n  }}\n}}\n"
    )


def mutation(kind: str, entity: str, selection: str) -> str:
    """`createX(input:)`, `updateX(id:, input:)` or `closeX(id:)` (`reason:` as well, with
    "close with reason") of entity X, selecting `selection` of the object it returns."""
    params, args = _KINDS[kind]
    field = entity[0].lower() + entity[1:]
    verb = kind.split()[0]
    return _document(f"{verb}{entity}", params.format(entity=entity), args, field, selection)


CREATE_NEED = mutation(
    "create",
    "Need",
    "id title description category channel urgency scale volunteers hours skills"
    " windowFrom windowTo status resourceRequests { kind quantity } cell { id }",
)
UPDATE_NEED = mutation("update", "Need", "id title urgency windowFrom windowTo cell { id }")
CLOSE_NEED = mutation("close with reason", "Need", "id status closeReason closedAt")
CREATE_RESOURCE = mutation(
    "create",
    "Resource",
    "id title kind capacity categories unit status cell { id } providerOrganisation { id }",
)
UPDATE_RESOURCE = mutation("update", "Resource", "id title capacity")
CLOSE_RESOURCE = mutation("close", "Resource", "id status closedAt")
CREATE_PERSON = mutation(
    "create", "Person", "id name kind role partyMember maxLead skills categories phone cell { id }"
)
UPDATE_PERSON = mutation("update", "Person", "id name maxLead partyMember")
CLOSE_PERSON = mutation("close", "Person", "id name")
CREATE_HOUSEHOLD = mutation(
    "create",
    "Household",
    "id code headName address size elderlyAlone cell { id } contactPerson { id }",
)
UPDATE_HOUSEHOLD = mutation("update", "Household", "id code headName size")
CLOSE_HOUSEHOLD = mutation("close", "Household", "id code")
CREATE_ORGANISATION = mutation("create", "Organisation", "id name kind active cell { id }")
UPDATE_ORGANISATION = mutation("update", "Organisation", "id name contactName")
CLOSE_ORGANISATION = mutation("close", "Organisation", "id active")
RECORD_VISIT = _document(
    "recordContactVisit",
    "$input: RecordContactVisitInput!",
    "input: $input",
    "visit",
    "id visitedOn topics notes person { id }",
)
