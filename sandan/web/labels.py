"""Chinese labels for the board. Unknown values (a state added later) show as they are
rather than failing the page."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

DEED_STATUS = {
    "PROPOSED": "拟办",
    "APPROVED": "已审议通过",
    "PUBLISHED": "已公示",
    "IN_PROGRESS": "推进中",
    "COMPLETED": "已办结",
    "EVALUATED": "已评价",
    "CANCELLED": "已取消",
}

CATEGORY = {
    "SPACE": "空间管理",
    "SAFETY": "安全管理",
    "ENVIRONMENT": "环境卫生",
    "CULTURE_SPORTS": "文化体育",
    "POLICY": "政策宣传",
    "DAILY_LIFE": "日常生活",
    "DISPUTE": "纠纷化解",
    "OTHER": "其他委托服务",
}

CELL_KIND = {
    "DISTRICT": "区",
    "TOWN": "镇",
    "SUBDISTRICT": "街道",
    "ADMINISTRATIVE_VILLAGE": "行政村",
    "COMMUNITY": "社区",
    "VILLAGER_GROUP": "村民小组",
    "ECONOMIC_COOPERATIVE": "经济社",
    "NATURAL_VILLAGE": "自然村",
    "RESIDENTIAL_COMPOUND": "住宅小区",
    "CONTACT_GROUP": "户联系党小组",
}

PERSON_ROLE = {"SECRETARY": "党组织书记", "GROUP_LEADER": "党小组长、网格员"}

PERSON_KIND = {
    "PARTY_MEMBER": "党员",
    "IN_SERVICE_MEMBER": "在职党员",
    "VOLUNTEER": "志愿者",
    "DEPUTY": "两代表一委员",
    "MASS_ORG_HEAD": "群团组织负责人",
}

PROGRESS_SOURCE = {"MILESTONES": "按计划节点完成情况", "REPORTS": "按每月进度报告"}


def _key(value: Enum | str) -> str:
    return str(value.value if isinstance(value, Enum) else value)


def label(table: dict[str, str], value: Enum | str) -> str:
    return table.get(_key(value), _key(value))


def lead_role(role: Enum | str, kind: Enum | str) -> str:
    """A secretary or group leader by their post; everyone else by what kind of member."""
    return PERSON_ROLE.get(_key(role)) or label(PERSON_KIND, kind)


def cn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"
