"""SQLAlchemy models of the grid and the three lists. Relationships raise on implicit loads."""

from sandan.db.models.accounts import Account, ApiToken, ServedCell
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
from sandan.db.models.lists import Need, Resource
from sandan.db.models.people import Organisation, Person

__all__ = [
    "Account",
    "ApiToken",
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
    "MeetingDecision",
    "Need",
    "Notification",
    "Organisation",
    "Person",
    "Resource",
    "ServedCell",
]
