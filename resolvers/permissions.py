"""Who may do what: one table of role × action, and the scope check.

Every operation of the schema needs one action (`OPERATIONS`); a role may run it when the action
is in its row of `ALLOWED` and, for an action about a cell, the cell lies in the subtree the
caller manages (`Viewer.write`). The public (no token) has the `PUBLIC` actions. SECURITY.md's
role × operation table is generated from these tables (tests/api/test_roles.py checks it).

A role's row is built from named bundles (every account, deed oversight, village staff) plus
its own actions. Keep one entry per line: engineers add their actions in small, append-only
edits.
"""

from __future__ import annotations

import enum

from sandan.db.enums import Role
from sandan.schema.context import Viewer


class Action(enum.StrEnum):
    READ = "READ"  # the grid, the lists, the public board (personal data: Viewer.personal)
    WRITE_NEEDS = "WRITE_NEEDS"  # create and update needs
    CLOSE_NEEDS = "CLOSE_NEEDS"
    WRITE_RESOURCES = "WRITE_RESOURCES"  # create, update and close resources
    WRITE_MEMBERS = "WRITE_MEMBERS"  # create, update and close group members
    WRITE_HOUSEHOLDS = "WRITE_HOUSEHOLDS"  # create, update and close households
    WRITE_ORGANISATIONS = "WRITE_ORGANISATIONS"  # create, update and close organisations
    RECORD_VISITS = "RECORD_VISITS"  # record contact visits to households
    MANAGE_ACCOUNTS = "MANAGE_ACCOUNTS"  # accounts and tokens in the caller's subtree
    READ_AUDIT = "READ_AUDIT"  # the audit trail (auditEvents)
    RUN_OPTIMISATION = "RUN_OPTIMISATION"  # start and cancel optimisation runs
    REVIEW_PROPOSALS = "REVIEW_PROPOSALS"  # approve/reject proposed deeds; pins and forbids
    OPEN_TASKS = "OPEN_TASKS"  # open needs and deeds' team slots to partner organisations
    DECIDE_CLAIMS = "DECIDE_CLAIMS"  # confirm or decline partners' claims
    CLAIM_TASKS = "CLAIM_TASKS"  # list, claim and report on tasks (partners)
    RELEASE_CLAIMS = "RELEASE_CLAIMS"  # partners their own claims; staff confirmed ones
    APPROVE_DEEDS = "APPROVE_DEEDS"  # approve proposed deeds (village-level approval)
    PUBLISH_DEEDS = "PUBLISH_DEEDS"  # publish approved deeds on the public board
    REPORT_PROGRESS = "REPORT_PROGRESS"  # start, report monthly, complete (a deed's lead too)
    CANCEL_DEEDS = "CANCEL_DEEDS"  # cancel an open deed with a reason
    RATE_DEEDS = "RATE_DEEDS"  # the household's rating, with its one-time feedback code
    RUN_MEETINGS = "RUN_MEETINGS"  # the joint meeting's agenda and decisions
    COMMENT_DEEDS = "COMMENT_DEEDS"  # residents' public comments (rate-limited)
    HIDE_COMMENTS = "HIDE_COMMENTS"  # staff hide an abusive comment (recorded)
    READ_NOTIFICATIONS = "READ_NOTIFICATIONS"  # the viewer's own member's notifications


PUBLIC: frozenset[Action] = frozenset(
    {
        Action.READ,
        Action.RATE_DEEDS,
        Action.COMMENT_DEEDS,
    }
)

# What every account may do (a token adds its own notifications to the public's actions).
ANY_ACCOUNT: frozenset[Action] = PUBLIC | {
    Action.READ_NOTIFICATIONS,
}

# The deed oversight of branch secretaries and village staff.
OVERSEE_DEEDS: frozenset[Action] = frozenset(
    {
        Action.APPROVE_DEEDS,
        Action.PUBLISH_DEEDS,
        Action.CANCEL_DEEDS,
        Action.RUN_MEETINGS,
        Action.HIDE_COMMENTS,
    }
)

VILLAGE_STAFF: frozenset[Action] = (
    ANY_ACCOUNT
    | OVERSEE_DEEDS
    | {
        Action.WRITE_NEEDS,
        Action.CLOSE_NEEDS,
        Action.WRITE_RESOURCES,
        Action.WRITE_MEMBERS,
        Action.WRITE_HOUSEHOLDS,
        Action.WRITE_ORGANISATIONS,
        Action.RECORD_VISITS,
        Action.RUN_OPTIMISATION,
        Action.REVIEW_PROPOSALS,
        Action.OPEN_TASKS,
        Action.DECIDE_CLAIMS,
        Action.RELEASE_CLAIMS,
    }
)

ALLOWED: dict[Role, frozenset[Action]] = {
    Role.TOWN_ADMIN: VILLAGE_STAFF
    | {
        Action.MANAGE_ACCOUNTS,
        Action.READ_AUDIT,
    },
    Role.VILLAGE_STAFF: VILLAGE_STAFF,
    Role.BRANCH_SECRETARY: ANY_ACCOUNT
    | OVERSEE_DEEDS
    | {
        Action.WRITE_NEEDS,
        Action.CLOSE_NEEDS,
        Action.WRITE_RESOURCES,
        Action.REPORT_PROGRESS,
    },
    Role.GROUP_LEADER: ANY_ACCOUNT
    | {
        Action.WRITE_NEEDS,
        Action.RECORD_VISITS,
    },
    Role.PARTNER: ANY_ACCOUNT
    | {
        Action.CLAIM_TASKS,
        Action.RELEASE_CLAIMS,
    },
}

# The action each root field of the schema needs (a test fails if one is missing).
OPERATIONS: dict[str, Action] = {
    "publicDeeds": Action.READ,
    "node": Action.READ,
    "cell": Action.READ,
    "cells": Action.READ,
    "needs": Action.READ,
    "resources": Action.READ,
    "deeds": Action.READ,
    "people": Action.READ,
    "organisations": Action.READ,
    "auditEvents": Action.READ_AUDIT,
    "createNeed": Action.WRITE_NEEDS,
    "updateNeed": Action.WRITE_NEEDS,
    "closeNeed": Action.CLOSE_NEEDS,
    "createResource": Action.WRITE_RESOURCES,
    "updateResource": Action.WRITE_RESOURCES,
    "closeResource": Action.WRITE_RESOURCES,
    "createPerson": Action.WRITE_MEMBERS,
    "updatePerson": Action.WRITE_MEMBERS,
    "closePerson": Action.WRITE_MEMBERS,
    "createHousehold": Action.WRITE_HOUSEHOLDS,
    "updateHousehold": Action.WRITE_HOUSEHOLDS,
    "closeHousehold": Action.WRITE_HOUSEHOLDS,
    "createOrganisation": Action.WRITE_ORGANISATIONS,
    "updateOrganisation": Action.WRITE_ORGANISATIONS,
    "closeOrganisation": Action.WRITE_ORGANISATIONS,
    "recordContactVisit": Action.RECORD_VISITS,
    "viewer": Action.READ,
    "accounts": Action.MANAGE_ACCOUNTS,
    "createAccount": Action.MANAGE_ACCOUNTS,
    "createToken": Action.MANAGE_ACCOUNTS,
    "revokeToken": Action.MANAGE_ACCOUNTS,
    "optimisationRun": Action.READ,  # runs are shown only in the caller's staff scope
    "optimisationRuns": Action.READ,
    "runConstraints": Action.READ,
    "startOptimisation": Action.RUN_OPTIMISATION,
    "cancelOptimisation": Action.RUN_OPTIMISATION,
    "approveDeeds": Action.REVIEW_PROPOSALS,
    "rejectDeeds": Action.REVIEW_PROPOSALS,
    "pin": Action.REVIEW_PROPOSALS,
    "forbid": Action.REVIEW_PROPOSALS,
    "pinResource": Action.REVIEW_PROPOSALS,
    "liftRunConstraint": Action.REVIEW_PROPOSALS,
    "availableTasks": Action.CLAIM_TASKS,
    "partnerClaims": Action.READ,
    "openToPartners": Action.OPEN_TASKS,
    "claimTask": Action.CLAIM_TASKS,
    "releaseClaim": Action.RELEASE_CLAIMS,
    "reportClaimProgress": Action.CLAIM_TASKS,
    "confirmClaim": Action.DECIDE_CLAIMS,
    "declineClaim": Action.DECIDE_CLAIMS,
    "approveDeed": Action.APPROVE_DEEDS,
    "publishDeed": Action.PUBLISH_DEEDS,
    "startDeed": Action.REPORT_PROGRESS,
    "completeDeed": Action.REPORT_PROGRESS,
    "reportProgress": Action.REPORT_PROGRESS,
    "setDeedPlan": Action.REPORT_PROGRESS,
    "updateMilestone": Action.REPORT_PROGRESS,
    "cancelDeed": Action.CANCEL_DEEDS,
    "rateDeed": Action.RATE_DEEDS,
    "jointMeetingAgenda": Action.RUN_MEETINGS,
    "recordMeetingDecision": Action.RUN_MEETINGS,
    "markMeetingDecisionDone": Action.RUN_MEETINGS,
    "notifications": Action.READ_NOTIFICATIONS,
    "markNotificationsRead": Action.READ_NOTIFICATIONS,
    "commentOnDeed": Action.COMMENT_DEEDS,
    "hideDeedComment": Action.HIDE_COMMENTS,
}


def actions_of(role: Role | None) -> frozenset[Action]:
    return PUBLIC if role is None else ALLOWED.get(role, frozenset())


def may(viewer: Viewer, action: Action, cell_path: str | None = None) -> bool:
    """Whether the viewer's role allows the action and, when it is about a cell, whether the
    cell lies in the part of the grid the viewer manages."""
    if action not in actions_of(viewer.role):
        return False
    return cell_path is None or viewer.write.covers(cell_path)


def within_reach(viewer: Viewer, cell_path: str) -> bool:
    """Whether a record a write links to may be linked: it lies in the caller's subtree, or
    above it (the town's organisations, the village's members a branch works with); never in
    a neighbour's subtree."""
    write = viewer.write
    return write.covers(cell_path) or any(p.startswith(cell_path) for p in write.paths or ())


def matrix() -> str:
    """The role x operation table of SECURITY.md, rendered from `ALLOWED`, `PUBLIC` and
    `OPERATIONS` (tests/api/test_roles.py fails when the document's copy drifts)."""
    roles: list[Role | None] = [None, *Role]
    header = ["Action", "Operations", *("public" if r is None else r.value for r in roles)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for action in Action:
        operations = ", ".join(f"`{name}`" for name, a in OPERATIONS.items() if a is action)
        marks = ["yes" if action in actions_of(role) else "-" for role in roles]
        lines.append("| " + " | ".join([action.value, operations or "(none yet)", *marks]) + " |")
    return "\n".join(lines) + "\n"
