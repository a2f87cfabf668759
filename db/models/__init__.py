"""SQLAlchemy models of the grid and the three lists. Relationships raise on implicit loads."""

from sandan.db.models.accounts import Account, ApiToken, ServedCell
from sandan.db.models.audit import AuditEvent
from sandan.db.models.claims import PartnerClaim, PartnerClaimEvent, PartnerTask
from sandan.db.models.deed_lifecycle import (
    DeedComment,
    DeedFeedback,
    DeedFeedbackCode,
    DeedHistory,
    DeedReport,
    MeetingDecision,
    Notification,
)
from sandan.db.models.deeds import Deed, DeedMember, DeedMilestone, DeedResource
from sandan.db.models.grid import Cell
from sandan.db.models.households import ContactVisit, Household
from sandan.db.models.idempotency import IdempotencyKey
from sandan.db.models.lists import Need, Resource
from sandan.db.models.people import Organisation, Person
from sandan.db.models.runs import (
    OptimisationRun,
    OptimisationRunFile,
    RunConstraint,
    RunProposal,
    RunUnmatched,
)

__all__ = [
    "Account",
    "ApiToken",
    "AuditEvent",
    "Cell",
    "ContactVisit",
    "Deed",
    "DeedComment",
    "DeedFeedback",
    "DeedFeedbackCode",
    "DeedHistory",
    "DeedMember",
    "DeedMilestone",
    "DeedReport",
    "DeedResource",
    "Household",
    "IdempotencyKey",
    "MeetingDecision",
    "Need",
    "Notification",
    "OptimisationRun",
    "OptimisationRunFile",
    "Organisation",
    "PartnerClaim",
    "PartnerClaimEvent",
    "PartnerTask",
    "Person",
    "Resource",
    "RunConstraint",
    "RunProposal",
    "RunUnmatched",
    "ServedCell",
]
