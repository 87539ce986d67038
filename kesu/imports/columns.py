"""What a spreadsheet's columns can mean: each field Kesu imports, its label, the headers it is
recognised by (Chinese, traditional Chinese and English), and the presets of known exports
(the 12315 platform's ODR list). Headers are compared without spaces, case or punctuation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    target: str  # field of the intake payload (nested with a dot), or "" for import-only fields
    headers: tuple[str, ...]
    historical_only: bool = False


COLUMNS: tuple[Column, ...] = (
    Column(
        "received_at",
        _("time received"),
        "received_at",
        (
            "received_at",
            "received",
            "date",
            "time",
            "投诉时间",
            "受理时间",
            "登记时间",
            "接收时间",
            "来电时间",
            "日期",
            "投訴時間",
            "登記時間",
        ),
    ),
    Column(
        "customer_name",
        _("customer name"),
        "customer.name",
        (
            "customer_name",
            "name",
            "customer",
            "顾客姓名",
            "客户姓名",
            "投诉人",
            "姓名",
            "消费者",
            "消费者姓名",
            "联系人",
            "顧客姓名",
            "客戶姓名",
            "投訴人",
        ),
    ),
    Column(
        "customer_phone",
        _("phone"),
        "customer.phone",
        (
            "customer_phone",
            "phone",
            "mobile",
            "tel",
            "电话",
            "联系电话",
            "手机",
            "手机号",
            "手机号码",
            "电话号码",
            "電話",
            "聯絡電話",
            "手機",
        ),
    ),
    Column(
        "customer_email",
        _("e-mail"),
        "customer.email",
        ("customer_email", "email", "e-mail", "邮箱", "电子邮件", "电子邮箱", "郵箱", "電子郵件"),
    ),
    Column(
        "description",
        _("what happened"),
        "description",
        (
            "description",
            "complaint",
            "details",
            "text",
            "投诉内容",
            "投诉描述",
            "问题描述",
            "内容",
            "事情经过",
            "投诉详情",
            "投訴內容",
            "問題描述",
        ),
    ),
    Column("title", _("title"), "title", ("title", "subject", "标题", "主题", "標題", "主題")),
    Column(
        "channel",
        _("channel"),
        "channel",
        ("channel", "source", "渠道", "来源", "投诉渠道", "投诉方式", "來源", "投訴渠道"),
    ),
    Column("category", _("category"), "category", ("category", "类别", "分类", "投诉类别", "投诉类型", "類別", "分類")),
    Column("severity", _("severity"), "severity", ("severity", "严重程度", "等级", "嚴重程度", "等級")),
    Column("urgency", _("urgency"), "urgency", ("urgency", "紧急程度", "緊急程度")),
    Column(
        "product_name",
        _("product or service"),
        "product.name",
        ("product_name", "product", "产品", "产品名称", "商品", "商品名称", "產品", "產品名稱"),
    ),
    Column(
        "product_sku",
        _("article number"),
        "product.sku",
        ("product_sku", "sku", "货号", "型号", "料号", "貨號", "型號"),
    ),
    Column(
        "product_lot", _("lot number"), "product.lot", ("product_lot", "lot", "batch", "批号", "批次", "批次号", "批號")
    ),
    Column(
        "order_no",
        _("order number"),
        "product.order_no",
        ("order_no", "order", "ordernumber", "订单号", "订单编号", "訂單號", "訂單編號"),
    ),
    Column("quantity", _("quantity"), "product.quantity", ("quantity", "qty", "数量", "數量")),
    Column("location", _("location"), "location", ("location", "place", "store", "地点", "门店", "地點", "門店")),
    Column(
        "demand",
        _("customer's demand"),
        "demand",
        ("demand", "诉求", "客户诉求", "顾客要求", "要求", "訴求", "客戶訴求"),
    ),
    Column(
        "amount_claimed",
        _("amount claimed"),
        "amount_claimed",
        ("amount_claimed", "amount", "索赔金额", "金额", "诉求金额", "索賠金額", "金額"),
    ),
    Column("overseas", _("overseas customer"), "overseas", ("overseas", "海外", "海外客户", "海外客戶")),
    Column(
        "external_ref",
        _("external reference"),
        "external_ref",
        ("external_ref", "reference", "ref", "外部编号", "原编号", "原单号", "外部編號", "原編號"),
    ),
    Column("related_to", _("earlier complaint"), "related_to", ("related_to", "关联投诉", "原投诉", "關聯投訴")),
    # Historical mode only: what became of the complaint.
    Column(
        "status", _("status"), "", ("status", "state", "状态", "处理状态", "狀態", "處理狀態"), historical_only=True
    ),
    Column(
        "result", _("result"), "", ("result", "outcome", "处理结果", "结果", "處理結果", "結果"), historical_only=True
    ),
    Column(
        "closed_at",
        _("closed at"),
        "",
        ("closed_at", "closed", "结案时间", "办结时间", "结案日期", "結案時間", "辦結時間"),
        historical_only=True,
    ),
)
BY_KEY = {c.key: c for c in COLUMNS}


def normalise_header(text: str) -> str:
    return re.sub(r"[\s_\-:：()（）*/\\.]+", "", str(text)).lower()


_ALIASES = {normalise_header(h): c.key for c in COLUMNS for h in c.headers}


@dataclass(frozen=True)
class Preset:
    """A known export: extra header names, fixed values, and the clock it brings."""

    code: str
    label: str | Promise
    headers: dict[str, str] = field(default_factory=dict)  # header → column key
    channel: str = ""
    # Column holding the platform's own due time for settling, if the export has one.
    due_column: str = ""
    # Without a due time in the file: settle within this many working days of receipt.
    settle_working_days: int = 0


GENERIC = "generic"
ODR_12315 = "odr_12315"

PRESETS: dict[str, Preset] = {
    GENERIC: Preset(GENERIC, _("any spreadsheet (columns recognised by their headers)")),
    # The 12315 platform's ODR (在线消费纠纷解决) export: the complaint number the platform gives
    # becomes the external reference; the settlement clock is the platform's 10 working days
    # (kesu/deadlines should own that figure as a preset; docs/platforms.md).
    ODR_12315: Preset(
        ODR_12315,
        _("12315 ODR export (在线消费纠纷解决)"),
        headers={
            "投诉单号": "external_ref",
            "投诉编号": "external_ref",
            "诉求编号": "external_ref",
            "工单编号": "external_ref",
            "登记时间": "received_at",
            "投诉日期": "received_at",
            "消费者姓名": "customer_name",
            "消费者电话": "customer_phone",
            "消费者联系电话": "customer_phone",
            "诉求内容": "description",
            "投诉问题": "title",
            "商品名称": "product_name",
            "订单编号": "order_no",
            "诉求": "demand",
            "涉及金额": "amount_claimed",
            "处理期限": "odr_due",
            "办理期限": "odr_due",
            "和解期限": "odr_due",
        },
        channel="regulator",
        due_column="odr_due",
        settle_working_days=10,
    ),
}
ODR_DUE = Column("odr_due", _("platform's deadline"), "", ("odr_due",))


def guess_mapping(headers: list[str], preset: str = GENERIC) -> dict[str, str]:
    """Column index (as text) → column key for every header Kesu recognises."""
    extra = {normalise_header(h): key for h, key in PRESETS[preset].headers.items()}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        name = normalise_header(header)
        key = extra.get(name) or _ALIASES.get(name, "")
        if key and key not in taken:
            mapping[str(index)] = key
            taken.add(key)
        else:
            mapping[str(index)] = ""
    return mapping


def column_label(key: str) -> str:
    if key == ODR_DUE.key:
        return str(ODR_DUE.label)
    column = BY_KEY.get(key)
    return str(column.label) if column else key


def mappable(*, historical: bool, preset: str) -> list[Column]:
    columns = [c for c in COLUMNS if historical or not c.historical_only]
    if PRESETS[preset].due_column:
        columns.append(ODR_DUE)
    return columns
