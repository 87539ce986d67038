"""The default checklists of the major complaints (SPEC DP-6, seed 000 "重大客诉状况处理").

Each item: simplified Chinese, traditional Chinese, English, the owner's role, due within hours.
Managers edit them in the workspace (配置 › 重大客诉清单); the data migration loads them once."""

from __future__ import annotations

from typing import Any

Item = tuple[str, str, str, str, int]

# kind: (report to gm, operations, marketing, legal counsel, insurer, crisis team), items
TEMPLATES: dict[str, tuple[tuple[bool, bool, bool, bool, bool, bool], list[Item]]] = {
    "injury_light": (
        (False, False, False, False, False, False),
        [
            (
                "征得顾客同意后用医药箱做简单处理",
                "徵得顧客同意後用醫藥箱做簡單處理",
                "First aid from the kit, with the customer's consent",
                "agent",
                1,
            ),
            ("通知当班主管", "通知當班主管", "Tell the duty supervisor", "agent", 1),
            (
                "慰问顾客（视情形赠送小礼品）",
                "慰問顧客（視情形贈送小禮品）",
                "Comfort the customer (a small gift if fitting)",
                "supervisor",
                4,
            ),
            ("检查现场设施设备", "檢查現場設施設備", "Inspect the facilities at the scene", "supervisor", 24),
        ],
    ),
    "injury_serious": (
        (True, True, True, False, True, False),
        [
            (
                "当班主管第一时间赶到现场",
                "當班主管第一時間趕到現場",
                "Duty supervisor at the scene at once",
                "supervisor",
                1,
            ),
            (
                "汇报值班经理与客服经理，决定是否送医",
                "匯報值班經理與客服經理，決定是否送醫",
                "Report to the duty manager and the customer-service manager; decide on hospital",
                "supervisor",
                1,
            ),
            (
                "经顾客或家属同意，派人送医",
                "經顧客或家屬同意，派人送醫",
                "Take the customer to hospital with their or their family's consent",
                "supervisor",
                2,
            ),
            (
                "填写重大异常事故报告，通报总经理",
                "填寫重大異常事故報告，通報總經理",
                "Fill in the major incident report (重大异常事故报告) and tell the GM",
                "manager",
                24,
            ),
            ("会同人资向保险公司索赔", "會同人資向保險公司索賠", "Claim from the insurer with HR", "manager", 72),
            ("通报营运处、行销处", "通報營運處、行銷處", "Report to operations and marketing", "manager", 24),
        ],
    ),
    "product_harm": (
        (True, True, True, False, True, False),
        [
            (
                "通知当班主管，汇报总经理及客服经理",
                "通知當班主管，匯報總經理及客服經理",
                "Tell the duty supervisor; report to the GM and the customer-service manager",
                "supervisor",
                1,
            ),
            (
                "客服经理代表门店协调处理",
                "客服經理代表門店協調處理",
                "Customer-service manager takes charge for the store",
                "manager",
                4,
            ),
            (
                "以电子邮件将人身伤害、财产损失报营运处、行销处",
                "以電子郵件將人身傷害、財產損失報營運處、行銷處",
                "E-mail the injury and damage to operations and marketing",
                "manager",
                24,
            ),
            ("封存产品样品与批号", "封存產品樣品與批號", "Keep the product sample and its lot number", "handler", 24),
            ("通知保险公司", "通知保險公司", "Inform the insurer", "manager", 48),
        ],
    ),
    "lost_valuables": (
        (True, True, True, False, False, False),
        [
            (
                "通知当班主管，报告客服经理、总经理",
                "通知當班主管，報告客服經理、總經理",
                "Tell the duty supervisor; report to the customer-service manager and the GM",
                "agent",
                1,
            ),
            (
                "请防损部协助顾客报警",
                "請防損部協助顧客報警",
                "Loss prevention helps the customer call the police",
                "supervisor",
                2,
            ),
            ("调取监控录像", "調取監控錄像", "Secure the security camera footage", "supervisor", 4),
            ("报告营运处、行销处", "報告營運處、行銷處", "Report to operations and marketing", "manager", 24),
        ],
    ),
    "food_poisoning": (
        (True, True, True, False, True, True),
        [
            (
                "第一时间汇报总经理及客服经理",
                "第一時間匯報總經理及客服經理",
                "Report to the GM and the customer-service manager at once",
                "supervisor",
                1,
            ),
            (
                "派专人安排顾客就诊",
                "派專人安排顧客就診",
                "Send someone to take the customers to the doctor",
                "manager",
                2,
            ),
            ("报告营运处、行销处", "報告營運處、行銷處", "Report to operations and marketing", "manager", 4),
            ("人资联系保险公司理赔", "人資聯繫保險公司理賠", "HR contacts the insurer about the claim", "manager", 24),
            ("通知供应商到场协助", "通知供應商到場協助", "Call the supplier in to help", "handler", 24),
            (
                "接待新闻单位及卫生监督部门",
                "接待新聞單位及衛生監督部門",
                "Receive the press and the health authority",
                "manager",
                24,
            ),
        ],
    ),
    "media": (
        (True, True, True, True, False, True),
        [
            (
                "员工婉拒采访，立即报告客服经理",
                "員工婉拒採訪，立即報告客服經理",
                "Staff decline the interview and tell the customer-service manager at once",
                "agent",
                1,
            ),
            (
                "客服经理作为唯一发言人接待",
                "客服經理作為唯一發言人接待",
                "The customer-service manager receives the media as the one spokesperson",
                "manager",
                4,
            ),
            (
                "无法回答的问题报营运处、行销处",
                "無法回答的問題報營運處、行銷處",
                "Questions that cannot be answered go to operations and marketing",
                "manager",
                24,
            ),
            (
                "涉及法律问题咨询法律顾问",
                "涉及法律問題諮詢法律顧問",
                "Consult legal counsel on legal questions",
                "manager",
                24,
            ),
        ],
    ),
    "regulator": (
        (True, True, True, True, False, False),
        [
            (
                "立即报告客服经理并告知投诉内容",
                "立即報告客服經理並告知投訴內容",
                "Tell the customer-service manager the complaint at once",
                "agent",
                1,
            ),
            (
                "客服经理代表门店接待",
                "客服經理代表門店接待",
                "The customer-service manager receives the officials for the store",
                "manager",
                4,
            ),
            (
                "整理投诉资料报营运处、行销处",
                "整理投訴資料報營運處、行銷處",
                "Send the complaint file to operations and marketing",
                "manager",
                24,
            ),
            (
                "涉及法律问题咨询法律顾问",
                "涉及法律問題諮詢法律顧問",
                "Consult legal counsel on legal questions",
                "manager",
                24,
            ),
        ],
    ),
    "court": (
        (True, True, True, True, False, False),
        [
            (
                "第一时间将相关资料传真行销处",
                "第一時間將相關資料傳真行銷處",
                "Send the papers to marketing at once",
                "manager",
                4,
            ),
            (
                "准备营业执照复印件（请印）",
                "準備營業執照複印件（請印）",
                "Business licence copy (stamped)",
                "manager",
                48,
            ),
            (
                "法人代表证明（请印）",
                "法人代表證明（請印）",
                "Legal representative certificate (stamped)",
                "manager",
                48,
            ),
            ("聘请律师合同（请印）", "聘請律師合同（請印）", "Lawyer's contract (stamped)", "manager", 72),
            (
                "聘请律师授权委托书（请印）",
                "聘請律師授權委託書（請印）",
                "Lawyer's power of attorney (stamped)",
                "manager",
                72,
            ),
            ("收集相关证人证词（原件）", "收集相關證人證詞（原件）", "Witness statements (originals)", "handler", 72),
            ("收集相关物证（原件）", "收集相關物證（原件）", "Physical evidence (originals)", "handler", 72),
            ("事发地拍照（原件）", "事發地拍照（原件）", "Photos of the scene (originals)", "handler", 48),
            ("安排车辆接送律师", "安排車輛接送律師", "Transport for the lawyer", "supervisor", 120),
            ("追踪处理结果", "追蹤處理結果", "Follow up the outcome", "manager", 240),
            ("所有相关文案归档", "所有相關文案歸檔", "File all the papers", "manager", 336),
        ],
    ),
    "professional_claimant": (
        (True, False, False, True, False, False),
        [
            (
                "当班主管判断并接待处理",
                "當班主管判斷並接待處理",
                "The duty supervisor judges and receives the claimant",
                "supervisor",
                2,
            ),
            (
                "无法解决时及时通知客服经理",
                "無法解決時及時通知客服經理",
                "Tell the customer-service manager when it cannot be settled",
                "supervisor",
                4,
            ),
            (
                "客服经理依合法、合理、合情原则处理",
                "客服經理依合法、合理、合情原則處理",
                "The manager settles it lawfully, reasonably and fairly",
                "manager",
                48,
            ),
            (
                "保留证据，必要时咨询法律顾问",
                "保留證據，必要時諮詢法律顧問",
                "Keep the evidence; consult legal counsel if needed",
                "manager",
                48,
            ),
        ],
    ),
}


def load_templates(template_model: Any, item_model: Any) -> int:
    """Create the templates that do not exist yet (the models are passed in, for migrations)."""
    created = 0
    for kind, (flags, items) in TEMPLATES.items():
        if template_model.objects.filter(kind=kind).exists():
            continue
        gm, operations, marketing, legal, insurer, crisis = flags
        template = template_model.objects.create(
            kind=kind,
            notify_gm=gm,
            notify_operations=operations,
            notify_marketing=marketing,
            notify_legal=legal,
            notify_insurer=insurer,
            crisis_team=crisis,
        )
        item_model.objects.bulk_create(
            [
                item_model(
                    template=template,
                    position=position,
                    text_zh_hans=hans,
                    text_zh_hant=hant,
                    text_en=en,
                    owner_role=role,
                    due_hours=hours,
                )
                for position, (hans, hant, en, role, hours) in enumerate(items, start=1)
            ]
        )
        created += 1
    return created
