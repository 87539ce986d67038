"""Reference data shipped with Kesu: departments, the reason taxonomy (SPEC CL-1, DP-1) and
severity rules (SPEC CL-2). Loaded by migrations; administrators edit them in the admin."""

from __future__ import annotations

from typing import Any

DEPARTMENTS = [
    ("customer_service", "客服部"),
    ("sales", "销售部"),
    ("quality", "品质部"),
    ("logistics", "物流部"),
    ("rnd", "研发部"),
    ("finance", "财务部"),
]

# code, zh-hans, zh-hant, en, department (DP-1 routing)
CATEGORIES: list[tuple[str, str, str, str, str | None]] = [
    ("product_quality", "产品质量", "產品質量", "Product quality", "quality"),
    ("product_quality.food", "食品", "食品", "Food", None),
    ("product_quality.food.expired", "过期变质", "過期變質", "Expired or spoiled", None),
    ("product_quality.food.foreign_matter", "异物", "異物", "Foreign matter", None),
    ("product_quality.defect", "产品缺陷", "產品缺陷", "Product defect", None),
    ("product_quality.defect.design", "设计缺陷", "設計缺陷", "Design defect", "rnd"),
    ("product_quality.defect.manufacturing", "制造不良", "製造不良", "Manufacturing defect", None),
    ("product_quality.counterfeit", "假冒伪劣", "假冒偽劣", "Counterfeit", None),
    ("logistics", "交期与物流", "交期與物流", "Delivery and logistics", "logistics"),
    ("logistics.late", "延迟交货", "延遲交貨", "Late delivery", None),
    ("logistics.damaged", "运输破损", "運輸破損", "Damaged in transit", None),
    ("logistics.lost", "货物丢失", "貨物丟失", "Lost shipment", None),
    ("logistics.wrong_item", "错发漏发", "錯發漏發", "Wrong or missing item", "sales"),
    ("after_sales", "售后服务", "售後服務", "After-sales service", "customer_service"),
    ("after_sales.return_refused", "拒绝退换货", "拒絕退換貨", "Return or exchange refused", None),
    ("after_sales.repair", "维修问题", "維修問題", "Repair problem", None),
    ("service_attitude", "服务态度", "服務態度", "Service attitude", "customer_service"),
    ("service_attitude.rude", "态度恶劣", "態度惡劣", "Rude staff", None),
    ("service_attitude.no_response", "无人处理", "無人處理", "No response", None),
    ("business_error", "业务差错", "業務差錯", "Business or operation error", "sales"),
    ("business_error.wrong_info", "产品信息错误", "產品信息錯誤", "Wrong product information", None),
    ("business_error.order_error", "订单错误", "訂單錯誤", "Order error", None),
    ("billing", "收费与退款", "收費與退款", "Billing and refunds", "finance"),
    ("billing.overcharge", "多收费", "多收費", "Overcharged", None),
    ("billing.refund_delay", "退款延迟", "退款延遲", "Refund delayed", None),
    ("system", "系统与网站", "系統與網站", "System and website", "rnd"),
    ("safety", "安全与人身伤害", "安全與人身傷害", "Safety and injury", "quality"),
    ("safety.injury_on_premises", "店内受伤", "店內受傷", "Injury on the premises", "customer_service"),
    ("safety.food_poisoning", "食物中毒", "食物中毒", "Food poisoning", None),
    ("lost_property", "财物遗失", "財物遺失", "Lost property", "customer_service"),
    ("privacy", "隐私与个人信息", "隱私與個人信息", "Privacy and personal data", "customer_service"),
    ("other", "其他", "其他", "Other", "customer_service"),
]

SEVERITY_RULES: list[dict[str, Any]] = [
    {
        "code": "injury",
        "name": "人身伤害 / Personal injury",
        "severity": "major",
        "zh_hans": "受伤\n流血\n骨折\n摔倒\n烫伤\n割伤\n送医\n住院\n人身伤害",
        "zh_hant": "受傷\n流血\n骨折\n摔倒\n燙傷\n割傷\n送醫\n住院\n人身傷害",
        "en": "injured\ninjury\ninjuries\nhurt\nbleeding\nfracture\nhospital\nhospitalized\nhospitalised\nburned",
        "channels": "",
    },
    {
        "code": "food_poisoning",
        "name": "食物中毒 / Food poisoning",
        "severity": "major",
        "zh_hans": "食物中毒\n上吐下泻\n腹泻\n呕吐",
        "zh_hant": "食物中毒\n上吐下瀉\n腹瀉\n嘔吐",
        "en": "food poisoning\ndiarrhea\nvomit",
        "channels": "",
    },
    {
        "code": "lost_valuables",
        "name": "寄存贵重物品遗失 / Valuables lost in custody",
        "severity": "major",
        "zh_hans": "寄存\n存包处\n贵重物品",
        "zh_hant": "寄存\n存包處\n貴重物品",
        "en": "cloakroom\nleft in your custody\nvaluables",
        "channels": "",
    },
    {
        "code": "media",
        "name": "媒体介入 / Media",
        "severity": "major",
        "zh_hans": "记者\n媒体\n电视台\n报社\n曝光",
        "zh_hant": "記者\n媒體\n電視台\n報社\n曝光",
        "en": "journalist\nreporter\nnewspaper\ntv station",
        "channels": "media",
    },
    {
        "code": "regulator",
        "name": "监管部门或政府 / Regulator or government",
        "severity": "major",
        "zh_hans": "12315\n12378\n消协\n消费者协会\n市场监管\n工商局\n监管部门\n政府",
        "zh_hant": "12315\n12378\n消協\n消費者協會\n市場監管\n工商局\n監管部門\n政府",
        "en": "regulator\nconsumer association\ngovernment\ncfpb",
        "channels": "regulator",
    },
    {
        "code": "professional_claimant",
        "name": "职业打假或恶意索赔 / Professional or malicious claimant",
        "severity": "major",
        "zh_hans": "职业打假\n恶意索赔\n十倍赔偿\n假一赔十",
        "zh_hant": "職業打假\n惡意索賠\n十倍賠償\n假一賠十",
        "en": "professional claimant\ntenfold compensation",
        "channels": "",
    },
    {
        "code": "court",
        "name": "法院传票或诉讼 / Court summons or lawsuit",
        "severity": "major",
        "zh_hans": "起诉\n法院\n传票\n律师函\n诉讼",
        "zh_hant": "起訴\n法院\n傳票\n律師函\n訴訟",
        "en": "lawsuit\ncourt\nsummons\nattorney\nsue",
        "channels": "",
    },
    {
        "code": "threat_public",
        "name": "扬言曝光 / Threat to go public",
        "severity": "serious",
        "zh_hans": "发微博\n发朋友圈\n发抖音\n网上曝光\n让大家都知道",
        "zh_hant": "發微博\n發朋友圈\n發抖音\n網上曝光\n讓大家都知道",
        "en": "go public\npost online\nsocial media",
        "channels": "",
    },
]

# Level 4 (CL-1): the reasons a handler sets after the facts are verified, under the common
# level-3 codes (migration triage 0003 adds them to installations seeded before).
LEVEL_4_REASONS: list[tuple[str, str, str, str]] = [
    ("product_quality.food.expired.past_date", "超过保质期销售", "超過保質期銷售", "Sold past its use-by date"),
    ("product_quality.food.expired.spoiled_in_date", "保质期内变质", "保質期內變質", "Spoiled within its date"),
    ("product_quality.food.expired.storage", "储存不当", "儲存不當", "Stored improperly"),
    ("product_quality.food.foreign_matter.hair", "毛发", "毛髮", "Hair"),
    ("product_quality.food.foreign_matter.insect", "虫体", "蟲體", "Insect"),
    (
        "product_quality.food.foreign_matter.hard",
        "塑料、金属等硬物",
        "塑膠、金屬等硬物",
        "Plastic, metal or other hard object",
    ),
    ("product_quality.defect.design.function", "功能设计缺陷", "功能設計缺陷", "Functional design"),
    ("product_quality.defect.design.safety", "安全设计缺陷", "安全設計缺陷", "Safety design"),
    ("product_quality.defect.manufacturing.assembly", "装配不良", "裝配不良", "Assembly fault"),
    ("product_quality.defect.manufacturing.material", "材料不良", "材料不良", "Faulty material"),
    ("product_quality.defect.manufacturing.appearance", "外观不良", "外觀不良", "Appearance fault"),
]
