"""What the demo's lists contain: skills, need titles per domain, resources, plans and visits.

Wording follows the seeds (入户走访, 惠民政策必讲, 实际困难必听 …).
Skills are plain Chinese words so that the optimiser's skill match reads naturally on
screen; need skills are drawn from `SKILLS`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandan.web import labels

# skill → the domains it serves (a person's categories are drawn from their skills' domains).
SKILLS: dict[str, tuple[str, ...]] = {
    "护理": ("DAILY_LIFE",),
    "急救": ("SAFETY", "DAILY_LIFE"),
    "医疗": ("DAILY_LIFE",),
    "电工": ("SAFETY", "SPACE"),
    "水电维修": ("DAILY_LIFE", "SPACE"),
    "家电维修": ("DAILY_LIFE",),
    "泥水工": ("SPACE", "CULTURE_SPORTS"),
    "木工": ("SPACE",),
    "消防安全": ("SAFETY",),
    "驾驶": ("DAILY_LIFE", "OTHER"),
    "厨艺": ("DAILY_LIFE",),
    "理发": ("DAILY_LIFE",),
    "法律咨询": ("DISPUTE", "OTHER"),
    "人民调解": ("DISPUTE",),
    "心理疏导": ("DISPUTE", "DAILY_LIFE"),
    "社会工作": ("DAILY_LIFE", "DISPUTE"),
    "政策宣讲": ("POLICY",),
    "粤语讲解": ("POLICY", "CULTURE_SPORTS"),
    "文艺演出": ("CULTURE_SPORTS",),
    "体育指导": ("CULTURE_SPORTS",),
    "书法": ("CULTURE_SPORTS",),
    "醒狮": ("CULTURE_SPORTS",),
    "摄影": ("CULTURE_SPORTS", "POLICY"),
    "垃圾分类指导": ("ENVIRONMENT",),
    "园艺": ("ENVIRONMENT", "SPACE"),
    "环境整治": ("ENVIRONMENT",),
    "电脑操作": ("OTHER", "POLICY"),
    "智能手机教学": ("DAILY_LIFE", "POLICY"),
    "财务会计": ("OTHER",),
    "课业辅导": ("CULTURE_SPORTS", "OTHER"),
    "就业指导": ("OTHER",),
    "农技": ("ENVIRONMENT", "OTHER"),
}


@dataclass(frozen=True, slots=True)
class NeedTemplate:
    title: str
    skills: tuple[str, ...]
    # Kinds the need may request (one unit each, sometimes two).
    resources: tuple[str, ...]
    # Mostly major (党群议事会, level-1 approval) rather than a neighbourhood-association matter.
    major: bool = False
    # Comes from one household (助餐, 上门理发) rather than from a whole street or compound.
    household: bool = False


N = NeedTemplate
NEEDS: dict[str, tuple[NeedTemplate, ...]] = {
    "SPACE": (
        N("楼道杂物清理", ("环境整治",), ("VEHICLE",)),
        N("停车位规划", ("泥水工",), ("FUNDS", "MATERIAL"), major=True),
        N("卫生死角改建停车场", ("泥水工", "环境整治"), ("FUNDS", "EQUIPMENT"), major=True),
        N("电动车集中停放棚建设", ("电工", "木工"), ("FUNDS", "MATERIAL"), major=True),
        N("公共空间微改造", ("园艺", "木工"), ("MATERIAL",)),
        N("村道违章搭建整治", ("法律咨询",), ("VEHICLE",)),
        N("老旧房屋修缮", ("泥水工", "木工"), ("MATERIAL", "FUNDS"), household=True),
    ),
    "SAFETY": (
        N("楼道照明维修", ("电工",), ("EQUIPMENT", "MATERIAL")),
        N("消防隐患排查", ("消防安全",), ("EQUIPMENT",)),
        N("老旧电线改造", ("电工",), ("MATERIAL", "FUNDS"), household=True),
        N("防溺水巡查", ("急救",), ("EQUIPMENT",)),
        N("路口加装监控", ("电工",), ("FUNDS", "FACILITY"), major=True),
        N("独居老人燃气安全检查", ("消防安全",), (), household=True),
        N("电动车充电安全宣传", ("消防安全", "政策宣讲"), ("VENUE",)),
    ),
    "ENVIRONMENT": (
        N("垃圾分类宣传", ("垃圾分类指导",), ("MATERIAL", "VENUE")),
        N("卫生死角清理", ("环境整治",), ("VEHICLE", "EQUIPMENT")),
        N("河涌保洁", ("环境整治",), ("EQUIPMENT",)),
        N("党群结对认养微花园", ("园艺",), ("MATERIAL",)),
        N("村容村貌整治", ("环境整治", "园艺"), ("FUNDS", "VEHICLE"), major=True),
        N("灭蚊防登革热", ("环境整治",), ("MATERIAL",)),
        N("化粪池清掏", ("环境整治",), ("VEHICLE", "SERVICE"), household=True),
    ),
    "CULTURE_SPORTS": (
        N("篮球场修缮", ("泥水工",), ("FUNDS", "MATERIAL"), major=True),
        N("广场舞音响添置", ("文艺演出",), ("EQUIPMENT",)),
        N("长者文艺汇演", ("文艺演出",), ("VENUE", "EQUIPMENT")),
        N("暑期青少年托管", ("课业辅导",), ("VENUE",)),
        N("龙舟文化活动", ("体育指导",), ("VENUE", "FUNDS")),
        N("书法兴趣班", ("书法",), ("VENUE",)),
        N("醒狮队训练场地", ("醒狮",), ("VENUE",)),
        N("村史馆布展", ("摄影", "粤语讲解"), ("VENUE", "FUNDS"), major=True),
    ),
    "POLICY": (
        N("政策宣讲", ("政策宣讲",), ("VENUE",)),
        N("医保社保政策解读", ("政策宣讲",), ("VENUE",)),
        N("反诈骗宣传", ("政策宣讲", "智能手机教学"), ("VENUE", "MATERIAL")),
        N("乡村振兴政策宣讲", ("政策宣讲", "粤语讲解"), ("VENUE",)),
        N("疫苗接种宣传动员", ("医疗", "政策宣讲"), ("MATERIAL",)),
        N("退役军人优待政策咨询", ("政策宣讲",), (), household=True),
    ),
    "DAILY_LIFE": (
        N("独居老人助餐", ("厨艺", "驾驶"), ("FACILITY", "VEHICLE"), household=True),
        N("长者义诊", ("医疗", "护理"), ("VENUE", "SERVICE")),
        N("上门理发", ("理发",), (), household=True),
        N("家电维修", ("家电维修",), (), household=True),
        N("智能手机使用教学", ("智能手机教学",), ("VENUE",)),
        N("困难家庭慰问", ("社会工作",), ("MATERIAL",), household=True),
        N("残疾人康复陪护", ("护理", "社会工作"), ("SERVICE",), household=True),
        N("代购代办生活用品", ("驾驶",), ("VEHICLE",), household=True),
        N("水管漏水维修", ("水电维修",), ("MATERIAL",), household=True),
    ),
    "DISPUTE": (
        N("邻里纠纷调解", ("人民调解",), ()),
        N("宅基地界线纠纷调解", ("人民调解", "法律咨询"), (), major=True),
        N("噪音扰民协调", ("人民调解",), ()),
        N("物业费纠纷调解", ("法律咨询", "人民调解"), ("VENUE",)),
        N("楼上漏水纠纷协调", ("人民调解", "水电维修"), (), household=True),
        N("家庭矛盾调解", ("心理疏导", "人民调解"), (), household=True),
    ),
    "OTHER": (
        N("证件代办", ("电脑操作",), (), household=True),
        N("法律援助咨询", ("法律咨询",), ("SERVICE",), household=True),
        N("就业岗位推荐", ("就业指导",), ("SERVICE",)),
        N("农产品销售对接", ("农技", "电脑操作"), ("VEHICLE",)),
        N("集体资产台账整理", ("财务会计",), (), major=True),
    ),
}
del N


@dataclass(frozen=True, slots=True)
class ResourceTemplate:
    title: str
    kind: str
    categories: tuple[str, ...]  # empty = any domain
    capacity: tuple[int, int]
    unit: str


R = ResourceTemplate
RESOURCES: tuple[ResourceTemplate, ...] = (
    R("党群服务中心活动室", "VENUE", (), (2, 6), "场次/月"),
    R("会议室", "VENUE", ("POLICY", "DISPUTE", "OTHER"), (2, 8), "场次/月"),
    R("祠堂", "VENUE", ("CULTURE_SPORTS", "POLICY"), (1, 4), "场次/月"),
    R("文化室", "VENUE", ("CULTURE_SPORTS", "POLICY"), (2, 6), "场次/月"),
    R("灯光篮球场", "VENUE", ("CULTURE_SPORTS",), (2, 8), "场次/月"),
    R("长者饭堂", "FACILITY", ("DAILY_LIFE",), (10, 40), "人次/日"),
    R("健身路径", "FACILITY", ("CULTURE_SPORTS",), (1, 3), "处"),
    R("电动车充电桩", "FACILITY", ("SAFETY", "SPACE"), (4, 20), "个"),
    R("治安监控点", "FACILITY", ("SAFETY",), (1, 4), "个"),
    R("音响设备", "EQUIPMENT", ("CULTURE_SPORTS", "POLICY"), (1, 3), "套"),
    R("投影仪", "EQUIPMENT", ("POLICY", "CULTURE_SPORTS"), (1, 2), "台"),
    R("消防器材", "EQUIPMENT", ("SAFETY",), (5, 30), "件"),
    R("维修工具箱", "EQUIPMENT", ("SAFETY", "SPACE", "DAILY_LIFE"), (1, 4), "套"),
    R("保洁清运工具", "EQUIPMENT", ("ENVIRONMENT", "SPACE"), (2, 10), "套"),
    R("血压血糖检测仪", "EQUIPMENT", ("DAILY_LIFE",), (1, 3), "台"),
    R("志愿服务车", "VEHICLE", ("DAILY_LIFE", "OTHER"), (1, 2), "辆"),
    R("垃圾清运车", "VEHICLE", ("ENVIRONMENT", "SPACE"), (1, 2), "辆"),
    R("公务用车", "VEHICLE", (), (1, 1), "辆"),
    R("党建工作经费", "FUNDS", (), (2, 10), "万元"),
    R("民生实事专项资金", "FUNDS", (), (5, 30), "万元"),
    R("企业捐赠资金", "FUNDS", ("DAILY_LIFE", "CULTURE_SPORTS"), (1, 5), "万元"),
    R("乡贤慈善基金", "FUNDS", ("DAILY_LIFE", "CULTURE_SPORTS", "ENVIRONMENT"), (2, 8), "万元"),
    R("防疫物资", "MATERIAL", ("SAFETY", "DAILY_LIFE"), (20, 200), "份"),
    R("宣传资料", "MATERIAL", ("POLICY", "ENVIRONMENT", "SAFETY"), (50, 500), "份"),
    R("慰问品（米油）", "MATERIAL", ("DAILY_LIFE",), (10, 60), "份"),
    R("绿化苗木", "MATERIAL", ("ENVIRONMENT", "SPACE"), (20, 200), "株"),
    R("建材五金", "MATERIAL", ("SPACE", "SAFETY"), (5, 40), "批"),
    R("分类垃圾桶", "MATERIAL", ("ENVIRONMENT",), (10, 80), "个"),
    R("义诊服务", "SERVICE", ("DAILY_LIFE",), (1, 4), "场/月"),
    R("法律咨询服务", "SERVICE", ("DISPUTE", "OTHER"), (2, 8), "次/月"),
    R("社工个案服务", "SERVICE", ("DAILY_LIFE", "DISPUTE"), (2, 10), "个案"),
    R("物业保洁服务", "SERVICE", ("ENVIRONMENT", "SPACE"), (2, 6), "次/月"),
    R("家政上门服务", "SERVICE", ("DAILY_LIFE",), (2, 10), "次/月"),
    R("就业招聘岗位", "SERVICE", ("OTHER",), (5, 30), "个"),
    R("志愿服务积分兑换", "OTHER", (), (20, 100), "分"),
    R("场地协调", "OTHER", ("SPACE", "CULTURE_SPORTS"), (1, 4), "次/月"),
)
del R

# What a member (党员, 乡贤) offers the branch or group from their own means.
PERSONAL_RESOURCES: tuple[ResourceTemplate, ...] = (
    ResourceTemplate("私家车接送", "VEHICLE", ("DAILY_LIFE", "OTHER"), (1, 1), "辆"),
    ResourceTemplate("电动三轮车", "VEHICLE", ("ENVIRONMENT", "DAILY_LIFE"), (1, 1), "辆"),
    ResourceTemplate("家用维修工具", "EQUIPMENT", ("SAFETY", "SPACE", "DAILY_LIFE"), (1, 2), "套"),
    ResourceTemplate("摄影器材", "EQUIPMENT", ("CULTURE_SPORTS", "POLICY"), (1, 1), "套"),
    ResourceTemplate(
        "自家铺面（临时活动场地）", "VENUE", ("CULTURE_SPORTS", "POLICY"), (1, 2), "场次/月"
    ),
    ResourceTemplate("乡贤捐资", "FUNDS", (), (1, 5), "万元"),
    ResourceTemplate("自种蔬果慰问品", "MATERIAL", ("DAILY_LIFE",), (5, 20), "份"),
    ResourceTemplate("义务理发服务", "SERVICE", ("DAILY_LIFE",), (2, 8), "次/月"),
)

# Which organisation kinds provide which resource kinds (the person-provided rest: 党员, 乡贤).
PROVIDER_KINDS: dict[str, tuple[str, ...]] = {
    "VENUE": ("PARTY_BODY", "NEIGHBOURHOOD_ASSOCIATION", "UNIT", "PROPERTY_COMPANY"),
    "FACILITY": ("PARTY_BODY", "UNIT", "PROPERTY_COMPANY"),
    "EQUIPMENT": ("PARTY_BODY", "ENTERPRISE", "PROPERTY_COMPANY", "UNIT"),
    "VEHICLE": ("PARTY_BODY", "ENTERPRISE", "AGENCY"),
    "FUNDS": ("PARTY_BODY", "ENTERPRISE", "SOCIAL_ORGANISATION", "AGENCY"),
    "MATERIAL": ("ENTERPRISE", "SOCIAL_ORGANISATION", "PARTY_BODY"),
    "SERVICE": ("SOCIAL_ORGANISATION", "UNIT", "PROPERTY_COMPANY"),
    "OTHER": ("NEIGHBOURHOOD_ASSOCIATION", "SOCIAL_ORGANISATION", "PARTY_BODY"),
}

# Entries only some providers give (a health centre runs the free clinic, the justice office the
# legal advice); every other entry may come from any organisation of PROVIDER_KINDS[kind].
TEMPLATE_PROVIDERS: dict[str, tuple[str, ...]] = {
    "祠堂": ("PARTY_BODY",),
    "长者饭堂": ("PARTY_BODY", "SOCIAL_ORGANISATION"),
    "公务用车": ("PARTY_BODY", "AGENCY"),
    "党建工作经费": ("PARTY_BODY",),
    "民生实事专项资金": ("PARTY_BODY",),
    "家政上门服务": ("SOCIAL_ORGANISATION", "ENTERPRISE"),
    "音响设备": ("PARTY_BODY", "NEIGHBOURHOOD_ASSOCIATION", "ENTERPRISE"),
    "企业捐赠资金": ("ENTERPRISE",),
    "乡贤慈善基金": ("SOCIAL_ORGANISATION",),
    "义诊服务": ("UNIT",),
    "法律咨询服务": ("AGENCY",),
    "社工个案服务": ("SOCIAL_ORGANISATION",),
    "物业保洁服务": ("PROPERTY_COMPANY",),
    "就业招聘岗位": ("ENTERPRISE", "AGENCY"),
    "分类垃圾桶": ("PARTY_BODY", "PROPERTY_COMPANY", "AGENCY"),
    "血压血糖检测仪": ("UNIT", "SOCIAL_ORGANISATION"),
}

# The plan (组织实施和推进方案) every deed gets, as milestones.
MILESTONES: tuple[str, ...] = (
    "入户核实需求，明确服务对象",
    "制定实施方案，报村（社区）党组织审议",
    "对接资源，组织党员志愿者实施",
    "完成实施，公开结果接受群众监督",
)

PLAN_TEMPLATE = (
    "由{lead}担任负责人，联合{partners}共同推进“{title}”。{start}前完成入户核实，"
    "{end}前实施完毕；党支部书记每月汇总更新进度，重点难点提交党建暨驻点联系专题联席会议跟进。"
)

# The level-3 duties (惠民政策必讲、实际困难必听 …) as what a contact visit covered.
VISIT_TOPICS: tuple[str, ...] = (
    "惠民政策宣讲",
    "倾听实际困难",
    "中心工作解读",
    "听取意见建议",
    "村（居）委工作通报",
    "听取评议",
)

VISIT_NOTES: tuple[str, ...] = (
    "家中一切正常，已宣传反诈知识。",
    "长者反映楼道灯不亮，已登记需求。",
    "住户希望增加长者饭堂送餐次数。",
    "已讲解医保缴费政策，住户表示理解。",
    "反映门前排水不畅，已转经济社跟进。",
    "对村容村貌整治表示满意。",
    "邻里之间因晾晒问题有矛盾，已约街坊会协调。",
)

CLOSE_REASONS: tuple[str, ...] = (
    "重复登记，已合并",
    "住户已自行解决",
    "不属于村（社区）事权，已转办",
)

# The board's labels: a demo resource names the domains it serves as the board shows them.
CATEGORY_NAMES: dict[str, str] = labels.CATEGORY

CHANNEL_NAMES: dict[str, str] = {
    "HOUSEHOLD_VISIT": "入户走访",
    "QUESTIONNAIRE": "问卷调查",
    "STATION_CONTACT": "驻点直联",
    "HOTLINE": "热线来电",
    "MEETING": "党群议事会",
}
