"""Enumerations shared by the database, the API and the optimiser instance builder.

Values are the contract's spellings (../shared/contract/matching.md) where the contract has them.
Each member carries its description (`Described`): the API shows it to client developers, and the
database and the optimiser see only the value.
"""

from __future__ import annotations

import enum
from typing import Self


class Described(enum.StrEnum):
    """A str enum whose members are declared as `NAME = "VALUE", "what it means"`."""

    description: str

    def __new__(cls, value: str, description: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


class Level(Described):
    """A level of the grid, from the district down to household-contact groups."""

    DISTRICT = "DISTRICT", "The district (区), above the grid."
    TOWN = "TOWN", "A town or subdistrict (镇/街道); runs the programme and owns town resources."
    VILLAGE = "VILLAGE", "Level 1: an administrative village or community (行政村/社区)."
    BRANCH = "BRANCH", "Level 2: a villager group, co-operative or compound; keeps the three lists."
    GROUP = "GROUP", "Level 3: a household-contact party group (户联系党小组)."

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self)


LEVEL_ORDER = list(Level)


class CellKind(Described):
    """What kind of unit a cell is; each level allows some kinds (see KINDS_BY_LEVEL)."""

    DISTRICT = "DISTRICT", "A district (level DISTRICT)."
    TOWN = "TOWN", "A town (镇) (level TOWN)."
    SUBDISTRICT = "SUBDISTRICT", "A subdistrict (街道) (level TOWN)."
    ADMINISTRATIVE_VILLAGE = (
        "ADMINISTRATIVE_VILLAGE",
        "An administrative village (行政村) (level 1).",
    )
    COMMUNITY = "COMMUNITY", "An urban community (社区) (level 1)."
    VILLAGER_GROUP = "VILLAGER_GROUP", "A villager group (村民小组) (level 2)."
    ECONOMIC_COOPERATIVE = "ECONOMIC_COOPERATIVE", "An economic co-operative (经济社) (level 2)."
    NATURAL_VILLAGE = "NATURAL_VILLAGE", "A natural village (自然村) (level 2)."
    RESIDENTIAL_COMPOUND = "RESIDENTIAL_COMPOUND", "A residential compound (住宅小区) (level 2)."
    CONTACT_GROUP = "CONTACT_GROUP", "A household-contact party group (户联系党小组) (level 3)."


# Which kinds a cell of each level may have.
KINDS_BY_LEVEL: dict[Level, frozenset[CellKind]] = {
    Level.DISTRICT: frozenset({CellKind.DISTRICT}),
    Level.TOWN: frozenset({CellKind.TOWN, CellKind.SUBDISTRICT}),
    Level.VILLAGE: frozenset({CellKind.ADMINISTRATIVE_VILLAGE, CellKind.COMMUNITY}),
    Level.BRANCH: frozenset(
        {
            CellKind.VILLAGER_GROUP,
            CellKind.ECONOMIC_COOPERATIVE,
            CellKind.NATURAL_VILLAGE,
            CellKind.RESIDENTIAL_COMPOUND,
        }
    ),
    Level.GROUP: frozenset({CellKind.CONTACT_GROUP}),
}


class Category(Described):
    """The eight public-service domains (the "8" of the 1258 method)."""

    SPACE = "SPACE", "Space management (空间管理): public space, parking, land use."
    SAFETY = "SAFETY", "Safety (安全管理): fire, traffic, public security."
    ENVIRONMENT = "ENVIRONMENT", "Environment and sanitation (环境卫生)."
    CULTURE_SPORTS = "CULTURE_SPORTS", "Culture and sports (文化体育)."
    POLICY = "POLICY", "Policy publicity (政策宣传): explaining policies to residents."
    DAILY_LIFE = "DAILY_LIFE", "Daily life (日常生活): care, errands, repairs."
    DISPUTE = "DISPUTE", "Dispute resolution (纠纷化解)."
    OTHER = "OTHER", "Other entrusted services (其他委托服务)."


class ResourceKind(Described):
    """What a resource-list entry offers."""

    VENUE = "VENUE", "A place to use, e.g. a hall or a room (场所)."
    FACILITY = "FACILITY", "A fixed facility, e.g. a clinic or a sports ground (设施)."
    EQUIPMENT = "EQUIPMENT", "Movable equipment to lend."
    VEHICLE = "VEHICLE", "A vehicle with or without a driver."
    FUNDS = "FUNDS", "Money; the unit says in which amounts."
    MATERIAL = "MATERIAL", "Goods given away, e.g. food or building material."
    SERVICE = "SERVICE", "Work done by people: talent or skills (人才/技术)."
    OTHER = "OTHER", "Anything else; the description says what."


class PersonKind(Described):
    """What kind of group member a person is."""

    PARTY_MEMBER = "PARTY_MEMBER", "A party member registered with the branch."
    IN_SERVICE_MEMBER = (
        "IN_SERVICE_MEMBER",
        "An in-service party member of an agency or unit who reports to the community (在职党员).",
    )
    VOLUNTEER = "VOLUNTEER", "A volunteer."
    DEPUTY = "DEPUTY", "A people's congress deputy or CPPCC member (两代表一委员)."
    MASS_ORG_HEAD = "MASS_ORG_HEAD", "The head of a mass organisation."


class PersonRole(Described):
    """A person's role in the grid."""

    SECRETARY = "SECRETARY", "Secretary of a village's or branch's party body."
    GROUP_LEADER = "GROUP_LEADER", "Leader of a contact group; doubles as grid worker (党群网格员)."
    MEMBER = "MEMBER", "A member without a leading role."


class OrganisationKind(Described):
    """What kind of organisation provides resources or members."""

    PARTY_BODY = "PARTY_BODY", "A village or branch party body."
    AGENCY = "AGENCY", "A government agency."
    UNIT = "UNIT", "A public institution (事业单位)."
    ENTERPRISE = "ENTERPRISE", "A company or business."
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION", "A social organisation or NGO."
    NEIGHBOURHOOD_ASSOCIATION = (
        "NEIGHBOURHOOD_ASSOCIATION",
        "A neighbourhood association (街坊会); handles small matters.",
    )
    PROPERTY_COMPANY = "PROPERTY_COMPANY", "A residential compound's property company."


class NeedChannel(Described):
    """How a need was collected."""

    HOUSEHOLD_VISIT = "HOUSEHOLD_VISIT", "A household visit (入户走访)."
    QUESTIONNAIRE = "QUESTIONNAIRE", "A questionnaire (问卷调查)."
    STATION_CONTACT = "STATION_CONTACT", "Stationed direct contact (驻点直联)."
    HOTLINE = "HOTLINE", "A call to a hotline."
    MEETING = "MEETING", "Raised at a meeting."


class MatterScale(Described):
    """How big a matter a need is, which decides who handles it."""

    SMALL = "SMALL", "A small or private matter: the neighbourhood association handles it."
    MAJOR = "MAJOR", "A big matter for the party-mass deliberation council (level-1 approval)."


class Urgency(Described):
    """How urgent a need is: the largest term of its priority when the optimiser plans deeds."""

    LOW = "LOW", "Can wait (10 priority points)."
    MEDIUM = "MEDIUM", "Should be done this period (25 priority points)."
    HIGH = "HIGH", "Should be done soon (40 priority points)."
    CRITICAL = "CRITICAL", "Urgent and difficult, 急难 (60 priority points)."


class NeedStatus(Described):
    """Where a need stands."""

    OPEN = "OPEN", "Waiting for a deed."
    MATCHED = "MATCHED", "A deed takes it on."
    DONE = "DONE", "Its deed is done."
    CLOSED = "CLOSED", "Withdrawn, a duplicate or no longer needed (see closeReason)."


class ResourceStatus(Described):
    """Whether a resource is still offered."""

    ACTIVE = "ACTIVE", "Offered: deeds may draw on it."
    CLOSED = "CLOSED", "No longer offered; existing deeds keep their units."


class DeedStatus(Described):
    """Where a deed stands in its lifecycle (PROPOSED → APPROVED → PUBLISHED → IN_PROGRESS →
    COMPLETED → EVALUATED; CANCELLED from any open state)."""

    PROPOSED = "PROPOSED", "Proposed (by staff or the optimiser); not yet approved."
    APPROVED = "APPROVED", "Approved; not yet published to residents."
    PUBLISHED = "PUBLISHED", "Published for residents' supervision; work has not started."
    IN_PROGRESS = "IN_PROGRESS", "Being carried out; monthly reports track progress."
    COMPLETED = "COMPLETED", "Finished; waiting for the household's rating."
    EVALUATED = "EVALUATED", "Finished and rated by the household that raised the need."
    CANCELLED = "CANCELLED", "Dropped with a reason; its need may be taken on again."


# States from which a deed may still move (and be cancelled).
OPEN_DEED_STATES = frozenset(
    {DeedStatus.PROPOSED, DeedStatus.APPROVED, DeedStatus.PUBLISHED, DeedStatus.IN_PROGRESS}
)
# States a deed reaches only through publication: residents see these on the board.
PUBLISHED_DEED_STATES = frozenset(
    {DeedStatus.PUBLISHED, DeedStatus.IN_PROGRESS, DeedStatus.COMPLETED, DeedStatus.EVALUATED}
)
FINISHED_DEED_STATES = frozenset({DeedStatus.COMPLETED, DeedStatus.EVALUATED})


class HistoryKind(Described):
    """What a deed's history entry records."""

    STATUS = "STATUS", "The deed moved from one state to another."
    MILESTONE = "MILESTONE", "A milestone of the published plan was added, moved or done."
    REPORT = "REPORT", "A monthly progress report was filed or replaced."
    COMMENT_HIDDEN = "COMMENT_HIDDEN", "Staff hid a resident's comment as abusive."


class DeedRole(Described):
    """A person's part in a deed."""

    LEAD = "LEAD", "The responsible lead (负责人)."
    TEAM = "TEAM", "A team member."


class Role(Described):
    """What an account may do, within its scope cell (sandan.resolvers.permissions). The public
    (a request without a token) has no role: it reads, and changes nothing."""

    TOWN_ADMIN = (
        "TOWN_ADMIN",
        "A town administrator: manages everything in a town's subtree (or the whole grid), "
        "accounts and tokens included.",
    )
    VILLAGE_STAFF = (
        "VILLAGE_STAFF",
        "Staff of a village or community: keeps the grid's members, households and lists of "
        "their village.",
    )
    BRANCH_SECRETARY = (
        "BRANCH_SECRETARY",
        "The secretary of a branch: keeps their branch's needs and resources lists.",
    )
    GROUP_LEADER = (
        "GROUP_LEADER",
        "The leader of a household-contact group: records visits and needs in their group.",
    )
    PARTNER = (
        "PARTNER",
        "A partner organisation serving some cells: reads as the public does; claims tasks "
        "once the partner workflow exists.",
    )


class TaskKind(Described):
    """What a task open to partner organisations offers."""

    NEED = "NEED", "A whole need: the partner takes it on and leads the deed it becomes."
    SLOT = "SLOT", "Places in the team of an approved deed."


class ClaimStatus(Described):
    """Where a partner's claim stands. EXPIRED is computed: a CLAIMED claim past its expiry."""

    CLAIMED = "CLAIMED", "Held for the partner, waiting for staff to confirm it."
    CONFIRMED = "CONFIRMED", "Confirmed by staff: the partner's people are on the deed's team."
    DECLINED = "DECLINED", "Declined by staff; the slot is free again."
    RELEASED = (
        "RELEASED",
        "Given up by the partner (a confirmed claim: by the partner or staff, with a reason); "
        "the slot is free again and a confirmed claim's people left the deed.",
    )
    EXPIRED = "EXPIRED", "Not confirmed in time; the slot is free again."


class ClaimEvent(Described):
    """One step in a claim's history."""

    CLAIMED = "CLAIMED", "The partner claimed the task."
    CONFIRMED = "CONFIRMED", "Staff confirmed the claim."
    DECLINED = "DECLINED", "Staff declined the claim."
    RELEASED = (
        "RELEASED",
        "The partner released the claim (or staff released a confirmed one); the note says why.",
    )
    EXPIRED = "EXPIRED", "The claim expired unconfirmed (at its expiry time; nobody acted)."
    PROGRESS = "PROGRESS", "The partner reported progress and hours."
