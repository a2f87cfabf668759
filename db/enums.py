"""Enumerations shared by the database, the API and the optimiser instance builder.

Values are the contract's spellings (../shared/contract/matching.md) where the contract has them.
"""

from __future__ import annotations

import enum


class Level(enum.StrEnum):
    DISTRICT = "DISTRICT"
    TOWN = "TOWN"
    VILLAGE = "VILLAGE"  # level 1: administrative village or community
    BRANCH = "BRANCH"  # level 2: villager group, economic co-operative, compound
    GROUP = "GROUP"  # level 3: household-contact party group

    @property
    def depth(self) -> int:
        return LEVEL_ORDER.index(self)


LEVEL_ORDER = list(Level)


class CellKind(enum.StrEnum):
    DISTRICT = "DISTRICT"
    TOWN = "TOWN"
    SUBDISTRICT = "SUBDISTRICT"  # 街道
    ADMINISTRATIVE_VILLAGE = "ADMINISTRATIVE_VILLAGE"  # 行政村
    COMMUNITY = "COMMUNITY"  # 社区
    VILLAGER_GROUP = "VILLAGER_GROUP"  # 村民小组
    ECONOMIC_COOPERATIVE = "ECONOMIC_COOPERATIVE"  # 经济社
    NATURAL_VILLAGE = "NATURAL_VILLAGE"  # 自然村
    RESIDENTIAL_COMPOUND = "RESIDENTIAL_COMPOUND"  # 住宅小区
    CONTACT_GROUP = "CONTACT_GROUP"  # 户联系党小组


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


class Category(enum.StrEnum):
    """The eight public-service domains (the "8" of the 1258 method)."""

    SPACE = "SPACE"  # 空间管理
    SAFETY = "SAFETY"  # 安全管理
    ENVIRONMENT = "ENVIRONMENT"  # 环境卫生
    CULTURE_SPORTS = "CULTURE_SPORTS"  # 文化体育
    POLICY = "POLICY"  # 政策宣传
    DAILY_LIFE = "DAILY_LIFE"  # 日常生活
    DISPUTE = "DISPUTE"  # 纠纷化解
    OTHER = "OTHER"  # 其他委托服务


class ResourceKind(enum.StrEnum):
    VENUE = "VENUE"
    FACILITY = "FACILITY"
    EQUIPMENT = "EQUIPMENT"
    VEHICLE = "VEHICLE"
    FUNDS = "FUNDS"
    MATERIAL = "MATERIAL"
    SERVICE = "SERVICE"
    OTHER = "OTHER"


class PersonKind(enum.StrEnum):
    PARTY_MEMBER = "PARTY_MEMBER"  # registered with the branch
    IN_SERVICE_MEMBER = "IN_SERVICE_MEMBER"  # 在职党员到社区报到
    VOLUNTEER = "VOLUNTEER"
    DEPUTY = "DEPUTY"  # 两代表一委员
    MASS_ORG_HEAD = "MASS_ORG_HEAD"


class PersonRole(enum.StrEnum):
    SECRETARY = "SECRETARY"  # of a village or branch party body
    GROUP_LEADER = "GROUP_LEADER"  # doubles as grid worker 党群网格员
    MEMBER = "MEMBER"


class OrganisationKind(enum.StrEnum):
    PARTY_BODY = "PARTY_BODY"
    AGENCY = "AGENCY"
    UNIT = "UNIT"
    ENTERPRISE = "ENTERPRISE"
    SOCIAL_ORGANISATION = "SOCIAL_ORGANISATION"
    NEIGHBOURHOOD_ASSOCIATION = "NEIGHBOURHOOD_ASSOCIATION"  # 街坊会
    PROPERTY_COMPANY = "PROPERTY_COMPANY"


class NeedChannel(enum.StrEnum):
    HOUSEHOLD_VISIT = "HOUSEHOLD_VISIT"  # 入户走访
    QUESTIONNAIRE = "QUESTIONNAIRE"  # 问卷调查
    STATION_CONTACT = "STATION_CONTACT"  # 驻点直联
    HOTLINE = "HOTLINE"
    MEETING = "MEETING"


class MatterScale(enum.StrEnum):
    SMALL = "SMALL"  # neighbourhood association handles it
    MAJOR = "MAJOR"  # party-mass deliberation council; level-1 approval


class Urgency(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"


class NeedStatus(enum.StrEnum):
    OPEN = "OPEN"
    MATCHED = "MATCHED"  # a deed exists for it
    DONE = "DONE"
    CLOSED = "CLOSED"  # withdrawn, duplicate or no longer needed


class ResourceStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class DeedStatus(enum.StrEnum):
    PROPOSED = "PROPOSED"
    APPROVED = "APPROVED"
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"
    CANCELLED = "CANCELLED"


class DeedRole(enum.StrEnum):
    LEAD = "LEAD"
    TEAM = "TEAM"
