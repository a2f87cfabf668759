"""The mutation documents the tests send, each selecting its payload's object and typed errors."""

from __future__ import annotations

ERRORS = "errors { code field message }"

CREATE_NEED = f"""
mutation($input: CreateNeedInput!) {{
  createNeed(input: $input) {{
    need {{ id title description category channel urgency scale volunteers hours skills
           windowFrom windowTo status resourceRequests {{ kind quantity }} cell {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_NEED = f"""
mutation($id: ID!, $input: UpdateNeedInput!) {{
  updateNeed(id: $id, input: $input) {{
    need {{ id title urgency windowFrom windowTo cell {{ id }} }}
  {ERRORS} }}
}}
"""
CLOSE_NEED = f"""
mutation($id: ID!, $reason: String!) {{
  closeNeed(id: $id, reason: $reason) {{ need {{ id status closeReason closedAt }} {ERRORS} }}
}}
"""
CREATE_RESOURCE = f"""
mutation($input: CreateResourceInput!) {{
  createResource(input: $input) {{
    resource {{ id title kind capacity categories unit status cell {{ id }}
               providerOrganisation {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_RESOURCE = f"""
mutation($id: ID!, $input: UpdateResourceInput!) {{
  updateResource(id: $id, input: $input) {{ resource {{ id title capacity }} {ERRORS} }}
}}
"""
CLOSE_RESOURCE = f"""
mutation($id: ID!) {{ closeResource(id: $id) {{ resource {{ id status closedAt }} {ERRORS} }} }}
"""
CREATE_PERSON = f"""
mutation($input: CreatePersonInput!) {{
  createPerson(input: $input) {{
    person {{ id name kind role partyMember maxLead skills categories phone cell {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_PERSON = f"""
mutation($id: ID!, $input: UpdatePersonInput!) {{
  updatePerson(id: $id, input: $input) {{ person {{ id name maxLead partyMember }} {ERRORS} }}
}}
"""
CLOSE_PERSON = f"""
mutation($id: ID!) {{ closePerson(id: $id) {{ person {{ id name }} {ERRORS} }} }}
"""
CREATE_HOUSEHOLD = f"""
mutation($input: CreateHouseholdInput!) {{
  createHousehold(input: $input) {{
    household {{ id code headName address size elderlyAlone cell {{ id }} contactPerson {{ id }} }}
    {ERRORS}
  }}
}}
"""
UPDATE_HOUSEHOLD = f"""
mutation($id: ID!, $input: UpdateHouseholdInput!) {{
  updateHousehold(id: $id, input: $input) {{ household {{ id code headName size }} {ERRORS} }}
}}
"""
CLOSE_HOUSEHOLD = f"""
mutation($id: ID!) {{ closeHousehold(id: $id) {{ household {{ id code }} {ERRORS} }} }}
"""
CREATE_ORGANISATION = f"""
mutation($input: CreateOrganisationInput!) {{
  createOrganisation(input: $input) {{
    organisation {{ id name kind active cell {{ id }} }} {ERRORS}
  }}
}}
"""
UPDATE_ORGANISATION = f"""
mutation($id: ID!, $input: UpdateOrganisationInput!) {{
  updateOrganisation(id: $id, input: $input) {{ organisation {{ id name contactName }} {ERRORS} }}
}}
"""
CLOSE_ORGANISATION = f"""
mutation($id: ID!) {{ closeOrganisation(id: $id) {{ organisation {{ id active }} {ERRORS} }} }}
"""
RECORD_VISIT = f"""
mutation($input: RecordContactVisitInput!) {{
  recordContactVisit(input: $input) {{ visit {{ id visitedOn topics notes person {{ id }} }}
  {ERRORS} }}
}}
"""
