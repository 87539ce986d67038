"""Default loss and penalty standards (SPEC IV-2, seed 004 客诉损失金额核算基准 / 客诉罚扣判定基准)
and example compensation standards (RS-6, seed 003 客诉赔付标准) for the demo.

Managers edit them in the workspace (配置); the data migration loads the loss and penalty tables
once. The compensation standards guide every proposal, so only the demo loads them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

# code, "中文 / English", basis, rate
LOSS_STANDARDS = [
    ("product_cost", "产品成本（每件） / Product cost (per unit)", "per_unit", Decimal("0.00")),
    ("freight", "往返运费（每次） / Freight both ways (per shipment)", "per_unit", Decimal("30.00")),
    ("rework_hour", "返工工时（每小时） / Rework (per hour)", "per_unit", Decimal("45.00")),
    ("inspection", "检验与分析费 / Inspection and analysis", "fixed", Decimal("200.00")),
    ("order_value", "订单金额的比例 / Share of the order value", "percent", Decimal("10.00")),
]

# responsibility ("" any), loss from, loss below (None: no limit), fixed, percent, note
PENALTY_STANDARDS = [
    ("ours", Decimal("0"), Decimal("1000"), Decimal("50.00"), Decimal("0"), "一般疏失 / minor lapse"),
    ("ours", Decimal("1000"), Decimal("10000"), Decimal("100.00"), Decimal("5.00"), "较大损失 / larger loss"),
    ("ours", Decimal("10000"), None, Decimal("500.00"), Decimal("10.00"), "重大损失 / major loss"),
    ("supplier", Decimal("0"), None, Decimal("0.00"), Decimal("100.00"), "供应商全额承担 / supplier bears it all"),
    ("carrier", Decimal("0"), None, Decimal("0.00"), Decimal("100.00"), "承运商全额承担 / carrier bears it all"),
]

# category code, remedy, from, up to, note
COMPENSATION_STANDARDS = [
    ("product_quality", "exchange", Decimal("0"), Decimal("200.00"), "退换货为主 / exchange or refund first"),
    ("product_quality.food", "refund", Decimal("0"), Decimal("1000.00"), "食品安全法十倍以内 / within the food law"),
    ("logistics", "voucher", Decimal("0"), Decimal("50.00"), "延迟送达补偿券 / voucher for late delivery"),
    ("service_attitude", "apology", Decimal("0"), Decimal("100.00"), "致歉及小礼品 / apology and small gift"),
    ("billing", "refund", Decimal("0"), Decimal("500.00"), "退还多收款项 / refund what was overcharged"),
    ("safety", "medical", Decimal("0"), Decimal("2000.00"), "医药费凭单据 / medical costs against receipts"),
    ("lost_property", "compensation", Decimal("0"), Decimal("1000.00"), "按寄存物品价值 / by the value kept"),
]


def load_tables(loss_model: Any, penalty_model: Any) -> None:
    for code, name, basis, rate in LOSS_STANDARDS:
        loss_model.objects.get_or_create(code=code, defaults={"name": name, "basis": basis, "rate": rate})
    if not penalty_model.objects.exists():
        penalty_model.objects.bulk_create(
            [
                penalty_model(responsibility=r, loss_from=low, loss_below=high, fixed=fixed, percent=pct, note=note)
                for r, low, high, fixed, pct, note in PENALTY_STANDARDS
            ]
        )


def load_compensation_standards(standard_model: Any, category_model: Any) -> int:
    created = 0
    for code, remedy, low, high, note in COMPENSATION_STANDARDS:
        category = category_model.objects.filter(code=code).first()
        if category is None or standard_model.objects.filter(category=category).exists():
            continue
        standard_model.objects.create(category=category, remedy_type=remedy, min_amount=low, max_amount=high, note=note)
        created += 1
    return created
