"""The demo organisation `make run` loads into an empty database: users, one per role, and a
few dozen complaints in various states so a newcomer sees a living system. The texts are
written for the demo; no real customer data is shipped."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import transaction

from kesu.accounts.models import Department, Role, User
from kesu.complaints.models import Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.services.transitions import complaint_transition
from kesu.resolution.investigations import investigation_record, parse_investigation

USERS = [
    ("admin", Role.ADMIN, "customer_service", "孙磊"),
    ("agent", Role.AGENT, "customer_service", "王芳"),
    ("agent2", Role.AGENT, "customer_service", "周婷"),
    ("agent3", Role.AGENT, "customer_service", "吴昊"),
    ("supervisor", Role.SUPERVISOR, "customer_service", "李强"),
    ("manager", Role.MANAGER, "customer_service", "陈敏"),
    ("handler", Role.HANDLER, "quality", "张伟"),
    ("gm", Role.GM, None, "刘洋"),
    ("auditor", Role.AUDITOR, None, "赵静"),
]

STORIES: list[dict[str, Any]] = [
    {
        "channel": "phone",
        "title": "酸奶过期",
        "description": "昨天在门店购买的酸奶，回家发现已经过期两天，要求退款并赔偿。",
        "category": "product_quality.food.expired",
        "demand": "退款并赔偿",
        "amount_claimed": "30.00",
        "product": {"name": "原味酸奶 200g", "sku": "YG-200", "lot": "L20261101"},
    },
    {
        "channel": "web",
        "title": "快递迟迟未到",
        "description": "订单下单已经十天，物流信息一直停在中转站，客服电话打不通。",
        "category": "logistics.late",
        "demand": "尽快发货或退款",
        "product": {"order_no": "SO202611001"},
    },
    {
        "channel": "walk_in",
        "title": "收银员态度差",
        "description": "结账时收银员不耐烦，还对我大声说话，希望门店道歉。",
        "category": "service_attitude.rude",
        "demand": "道歉",
    },
    {
        "channel": "email",
        "title": "LED 灯珠大面积不亮",
        "description": "上月到货的 LED 灯条有约 5% 灯珠不亮，影响我方出货。",
        "category": "product_quality.defect.manufacturing",
        "demand": "换货并分析原因",
        "product": {"name": "LED 灯条 5050", "sku": "LED-5050", "lot": "B2610-07", "quantity": 2000},
    },
    {
        "channel": "phone",
        "title": "商场地面湿滑摔倒",
        "description": "在商场一楼摔倒，膝盖流血，需要去医院检查。",
        "category": "safety.injury_on_premises",
        "demand": "承担医药费",
        "location": "一楼生鲜区",
    },
    {
        "channel": "regulator",
        "title": "12315 转办：价格欺诈",
        "description": "消费者通过 12315 投诉促销价格与结算价格不一致。",
        "category": "billing.overcharge",
        "demand": "退还差价",
    },
    {
        "channel": "social",
        "title": "微博投诉退款慢",
        "description": "退款申请提交两周仍未到账，顾客在微博上发帖。",
        "category": "billing.refund_delay",
        "demand": "尽快退款",
    },
    {
        "channel": "letter",
        "title": "维修后仍有故障",
        "description": "空调维修后一周再次不制冷，要求更换新机。",
        "category": "after_sales.repair",
        "demand": "换新",
    },
    {
        "channel": "suggestion_box",
        "title": "意见卡：试衣间太少",
        "description": "周末试衣间排队时间太长，建议增加试衣间。",
        "category": "other",
    },
    {
        "channel": "phone",
        "title": "寄存物品丢失",
        "description": "在存包处寄存的背包里的相机不见了，要求调监控。",
        "category": "lost_property",
        "demand": "找回或赔偿",
        "amount_claimed": "3500.00",
    },
    {
        "channel": "web",
        "title": "商品信息与实物不符",
        "description": "网页写的是纯棉，收到的衣服标签是涤纶。",
        "category": "business_error.wrong_info",
        "demand": "退货退款",
    },
    {
        "channel": "email",
        "title": "Damaged parcel",
        "description": "The box arrived crushed and two cups inside were broken.",
        "category": "logistics.damaged",
        "demand": "Replacement",
        "overseas": True,
    },
]

RECORD_INVESTIGATION = "record_investigation"

# How far along each demo complaint is taken (a prefix of this path).
PATH: list[tuple[str, str, dict[str, Any]]] = [
    ("acknowledge", "agent", {}),
    ("assign", "supervisor", {"department": "quality", "assignee": "handler"}),
    ("start_investigation", "handler", {}),
    # Not a transition: the investigation a solution needs (SPEC IV-2), recorded by its own service.
    (
        RECORD_INVESTIGATION,
        "handler",
        {
            "findings": "抽检同批次产品，发现包装密封不良。",
            "root_cause": "供应商包装线封口温度偏低，导致个别批次密封不良。",
            "cause_class": "system_or_other_department",
            "responsibility": "supplier",
            "responsible_department": "quality",
            "loss_amount": "50.00",
        },
    ),
    (
        "propose_solution",
        "handler",
        {"remedies": [{"type": "apology", "amount": "0"}, {"type": "voucher", "amount": "50.00"}]},
    ),
    ("approve", "supervisor", {"note": "在主管权限内"}),
    ("customer_accept", "agent", {}),
    ("resolve", "handler", {"result": "已致歉并发放 50 元购物券，已对相关批次加强检验。"}),
    ("record_callback", "agent", {"reached": True, "satisfied": True, "score": 5}),
    ("close", "manager", {}),
]


def demo_users(password: str) -> dict[str, User]:
    users = {}
    for username, role, department_code, full_name in USERS:
        department = Department.objects.filter(code=department_code).first() if department_code else None
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "department": department,
                "first_name": full_name,
                "email": f"{username}@kesu.example",
                "is_staff": role == Role.ADMIN,
                "is_superuser": role == Role.ADMIN,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        users[username] = user
    return users


def demo_load(*, password: str | None, now: dt.datetime, count: int = 36) -> str | None:
    """Load the demo into an empty database. Returns a generated password when none was given."""
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    with transaction.atomic():
        users = demo_users(password)
        demo_desk(users, now=now)
        if Complaint.objects.exists():
            return generated
        _demo_money_and_incidents()
        for index in range(count):
            story = dict(STORIES[index % len(STORIES)])
            received_at = now - dt.timedelta(days=(count - index) // 2, hours=index % 7, minutes=index * 3)
            payload = {
                **story,
                "received_at": received_at.isoformat(),
                "customer": {"name": f"顾客{index + 1:02d}", "phone": f"1391234{index:04d}"},
            }
            complaint = complaint_register(actor=users["agent"], payload=payload, now=received_at)
            steps = index % (len(PATH) + 1)
            at = received_at
            for action, username, params in PATH[:steps]:
                at = at + dt.timedelta(hours=3)
                if at > now:
                    break
                if action == RECORD_INVESTIGATION:
                    investigation_record(
                        actor=users[username], number=complaint.number, values=parse_investigation(params), now=at
                    )
                    continue
                complaint_transition(
                    actor=users[username],
                    number=complaint.number,
                    action=action,
                    payload={"action": action, **params},
                    now=at,
                )
    return generated


def _demo_money_and_incidents() -> None:
    """Issue 13: example compensation standards (RS-6) and whom major complaints are reported to (DP-5)."""
    from kesu.compensation.models import CompensationStandard
    from kesu.compensation.seed import load_compensation_standards
    from kesu.incidents.models import IncidentContact
    from kesu.triage.models import Category

    load_compensation_standards(CompensationStandard, Category)
    for audience, name in (
        ("operations", "营运处 / Operations"),
        ("marketing", "行销处 / Marketing"),
        ("legal", "法律顾问 / Legal counsel"),
        ("insurer", "保险公司 / Insurer"),
    ):
        IncidentContact.objects.get_or_create(
            audience=audience, name=name, defaults={"email": f"{audience}@kesu.example"}
        )


def demo_desk(users: dict[str, User], *, now: dt.datetime) -> None:
    """The service desk (kesu/desk): the three agents on the complaint desk, a duty roster for the
    previous, current and next month, and the service phrases of seed 004."""
    from django.utils import timezone

    from kesu.desk.models import PhraseKind, ServicePhrase, Team
    from kesu.desk.phrases import DEFAULT_FORBIDDEN, DEFAULT_REQUIRED
    from kesu.desk.roster import COMPLAINT_DESK_TEAM, desk_setup, roster_generate

    desk_setup()
    team = Team.objects.filter(code=COMPLAINT_DESK_TEAM).first()
    if team is None or team.members.exists():
        return
    team.members.add(users["agent"], users["agent2"], users["agent3"])
    today = timezone.localtime(now).date().replace(day=1)
    previous = (today - dt.timedelta(days=1)).replace(day=1)
    following = (today + dt.timedelta(days=32)).replace(day=1)
    for month in (previous, today, following):
        start = dt.datetime.combine(month, dt.time(0, 0), tzinfo=timezone.get_current_timezone())
        roster_generate(actor=None, team=team, year=month.year, month=month.month, now=start)
    for kind, texts in ((PhraseKind.REQUIRED, DEFAULT_REQUIRED), (PhraseKind.FORBIDDEN, DEFAULT_FORBIDDEN)):
        for text in texts:
            ServicePhrase.objects.get_or_create(
                kind=kind, text=text, defaults={"created_by": users["manager"], "created_at": now}
            )
