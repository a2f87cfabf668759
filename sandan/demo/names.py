"""Chinese name material for the demo: people, places, branches, groups, organisations, addresses.

Place names follow the seeds (九江镇, 西樵镇, 下西社区, 上西村, 敦根社区 …).
People's names and phone numbers are invented: phone numbers all start
1390000/1380000/1370000, which no real subscriber has.
"""

from __future__ import annotations

import random
from itertools import accumulate

# Surnames weighted roughly as in Guangdong (Pearl River Delta villages are often one or two clans).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 120), ("李", 90), ("黄", 85), ("梁", 70), ("何", 55), ("张", 50), ("关", 40),
    ("冯", 35), ("吴", 35), ("潘", 30), ("邓", 28), ("罗", 28), ("谭", 26), ("区", 24),
    ("麦", 22), ("朱", 22), ("林", 22), ("刘", 20), ("霍", 18), ("卢", 18), ("曾", 16),
    ("钟", 16), ("杨", 15), ("叶", 15), ("崔", 14), ("岑", 12), ("郭", 12), ("周", 12),
    ("王", 12), ("苏", 10), ("欧阳", 6), ("司徒", 4), ("简", 8), ("胡", 8), ("彭", 8),
)  # fmt: skip

GIVEN_FIRST = "永伟国志建嘉家俊文德锦少淑丽美秀惠燕婉雪玉振瑞卓浩子思智宝耀伯润兆汉秋凤桂碧慧敏"
GIVEN_SECOND = "强明华辉成荣海涛斌亮杰鸿峰坤坚威昌洪平勇芳珍玲英霞娟萍琼冰仪欣怡诗琪霖彬轩朗瀚"

# Given names of one character are common among older villagers.
_SINGLE_GIVEN_SHARE = 0.18

_SURNAME_LIST = [s for s, _ in SURNAMES]
_SURNAME_CUMULATIVE = list(accumulate(w for _, w in SURNAMES))


def person_name(rng: random.Random) -> str:
    (surname,) = rng.choices(_SURNAME_LIST, cum_weights=_SURNAME_CUMULATIVE)
    if rng.random() < _SINGLE_GIVEN_SHARE:
        return surname + rng.choice(GIVEN_SECOND)
    return surname + rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND)


def fake_phone(rng: random.Random) -> str:
    """Eleven digits that look like a mobile number but sit in an unassigned block."""
    return rng.choice(("1390000", "1380000", "1370000")) + f"{rng.randrange(10000):04d}"


# --- places ---------------------------------------------------------------------------------------

DISTRICT_NAME = "南海区"

# (name, code, villages in the district scale, is a subdistrict 街道).
# 九江镇 and 西樵镇 have 33 each as the seeds say;
# the others share the rest of the 290 level-1 cells.
TOWNS: tuple[tuple[str, str, int, bool], ...] = (
    ("九江镇", "JJ", 33, False),
    ("西樵镇", "XQ", 33, False),
    ("桂城街道", "GC", 48, True),
    ("大沥镇", "DL", 51, False),
    ("里水镇", "LS", 30, False),
    ("狮山镇", "SS", 62, False),
    ("丹灶镇", "DZ", 33, False),
)

# 九江镇's villages and communities, in the style of the seeds (several are named there).
JIUJIANG_VILLAGES: tuple[str, ...] = (
    "下西社区", "上西村", "敦根社区", "下东村", "上东村", "儒林社区", "沙口村", "烟桥村",
    "南金村", "大谷村", "璜矶村", "河清村", "鸦岗村", "北村", "南方村", "英明村",
    "马龙村", "梅圳村", "太平村", "沙头社区", "洛浦村", "海寿村", "镇南村", "新龙村",
    "沙咀社区", "深涌村", "龙涌村", "大正村", "九江社区", "朗星社区", "西桥社区", "烟南社区",
    "水南社区",
)  # fmt: skip

XIQIAO_VILLAGES: tuple[str, ...] = (
    "樵乐社区", "新田村", "宏岗村", "简村村", "百西村", "民乐村", "太平社区", "岭西村",
    "上金瓯村", "松塘村", "七星村", "西岸村", "山根村", "儒溪村", "爱国社区", "河溪村",
    "崇南村", "寨边村", "大同村", "华夏社区", "西樵社区", "海舟村", "渔中村", "联新村",
    "大岸村", "白石村", "简村社区", "吉赞村", "新简村", "稔岗村", "平沙村", "丰华社区",
    "樵园社区",
)  # fmt: skip

# Syllables for the towns the seeds do not list village by village.
_PLACE_FIRST = "沙岗涌塘岭岸洲田滘石桥头坑潭墩冈圳溪湾坊"
_PLACE_PREFIX = "大小上下东西南北新旧石金银龙凤松桂梅荷平和联丰永"
_PLACE_SUFFIX_VILLAGE = "村"
_PLACE_SUFFIX_COMMUNITY = "社区"


def generated_village_name(rng: random.Random, taken: set[str], community: bool) -> str:
    suffix = _PLACE_SUFFIX_COMMUNITY if community else _PLACE_SUFFIX_VILLAGE
    while True:
        name = rng.choice(_PLACE_PREFIX) + rng.choice(_PLACE_FIRST) + suffix
        if name not in taken:
            taken.add(name)
            return name


CHINESE_NUMERALS = (
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
    "十一", "十二", "十三", "十四", "十五", "十六",
)  # fmt: skip

_LANE_PREFIX = "东西南北大新旧上下中"
_LANE_SUFFIX = ("坊", "巷", "里", "街", "头", "围", "基")
_COMPOUND_FIRST = ("碧桂", "锦绣", "翠湖", "南国", "丽日", "君兰", "江景", "华庭", "名苑", "富豪")
_COMPOUND_SUFFIX = ("花园小区", "小区", "花园", "苑", "豪庭")


def lane_name(rng: random.Random) -> str:
    """A village lane or hamlet, used for villager groups and natural villages (东头坊, 新巷)."""
    middle = rng.choice("头基围塘边坊涌岗")
    # No doubled character (大围围, 上坊坊): the suffix is drawn from those that differ.
    suffix = rng.choice([s for s in _LANE_SUFFIX if s != middle])
    return rng.choice(_LANE_PREFIX) + middle + suffix


def compound_name(rng: random.Random, village: str) -> str:
    base = village.removesuffix("社区").removesuffix("村")
    first = rng.choice((*_COMPOUND_FIRST, base, base))
    suffixes = [s for s in _COMPOUND_SUFFIX if not first.endswith(s[0])]  # no 名苑苑
    return first + rng.choice(suffixes)


def group_name(ordinal: int) -> str:
    """第一户联系党小组, 第二户联系党小组 …"""
    return f"第{CHINESE_NUMERALS[ordinal]}户联系党小组"


def street_address(rng: random.Random, town: str, village: str, branch: str) -> str:
    lane = rng.choice(_LANE_PREFIX) + rng.choice(("街", "巷", "大街", "路"))
    if "小区" in branch or branch.endswith(("花园", "苑", "豪庭")):
        building = rng.randint(1, 18)
        room = f"{rng.randint(1, 30)}0{rng.randint(1, 4)}"
        return f"佛山市南海区{town}{village}{branch}{building}座{room}"
    return f"佛山市南海区{town}{village}{branch}{lane}{rng.randint(1, 88)}号"


# --- organisations --------------------------------------------------------------------------------

DISTRICT_AGENCIES: tuple[str, ...] = (
    "南海区民政局", "南海区卫生健康局", "南海区司法局", "南海区住房城乡建设和水利局",
    "南海区文化广电旅游体育局", "南海区人力资源和社会保障局", "南海区农业农村局",
    "南海区应急管理局", "南海区教育局", "南海区城市管理和综合执法局", "佛山市生态环境局南海分局",
    "佛山市公安局南海分局", "南海区委组织部", "南海区税务局",
)  # fmt: skip

# Town-level units; "{town}" is replaced with the town's name.
TOWN_UNITS: tuple[tuple[str, str], ...] = (
    ("{town}党委", "PARTY_BODY"),
    ("{town}卫生院", "UNIT"),
    ("{town}行政服务中心", "AGENCY"),
    ("{town}司法所", "AGENCY"),
    ("{town}综治办", "AGENCY"),
    ("{town}文化站", "UNIT"),
    ("{town}派出所", "AGENCY"),
    ("{town}社会工作服务中心", "SOCIAL_ORGANISATION"),
    ("{town}志愿者协会", "SOCIAL_ORGANISATION"),
    ("{town}慈善会", "SOCIAL_ORGANISATION"),
    ("{town}长者服务站", "SOCIAL_ORGANISATION"),
)

_ENTERPRISE_FIRST = ("鸿盛", "粤丰", "南兴", "嘉禾", "利达", "泰和", "合盈", "宏图", "永昌", "德润")
_ENTERPRISE_TRADE = ("食品", "五金", "纺织", "家具", "电器", "陶瓷", "物流", "水产", "酒业", "建材")
_PROPERTY_FIRST = ("中海", "碧华", "南粤", "锦绣", "美居", "恒安", "信达", "丰泽")


def enterprise_name(rng: random.Random, town: str) -> str:
    short = town.removesuffix("街道").removesuffix("镇")
    first = rng.choice(_ENTERPRISE_FIRST)
    return f"佛山市南海区{short}{first}{rng.choice(_ENTERPRISE_TRADE)}有限公司"


def property_company_name(rng: random.Random) -> str:
    return f"佛山市{rng.choice(_PROPERTY_FIRST)}物业管理有限公司"


def village_party_body(village: str, community: bool) -> str:
    # 党委 or 党总支 depends on membership; communities in the seeds have both.
    return f"{village}{'党委' if community else '党总支'}"
