"""The procedures' printable forms (SPEC RP-6), as HTML (print pages) and PDF (WeasyPrint):
per complaint 顾客投诉记录表 (`complaint_record`) and 客户埋怨处理表 with its sign-off chain
(`handling_form`); per period 顾客意见单处理追踪簿 (`opinion_card_book`) and 顾客投诉记录汇总表
(`record_summary`). Personal data is masked for readers who may not see it."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import User
from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints.models import Channel, Complaint
from kesu.complaints.selectors import complaint_for, visible_complaints
from kesu.core.errors import NotFound
from kesu.core.privacy import mask_name, mask_phone
from kesu.customers.services import display_phone
from kesu.reports.kpis import local_bounds

COMPLAINT_FORMS = {
    "complaint_record": gettext_lazy("Complaint record"),
    "handling_form": gettext_lazy("Customer complaint handling form"),
}
PERIOD_FORMS = {
    "opinion_card_book": gettext_lazy("Opinion card tracking book"),
    "record_summary": gettext_lazy("Summary of complaint records"),
}
PERIOD_LIMIT = 2000  # rows on one printed book


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def _person(user: User | None) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _customer(complaint: Complaint, personal: bool) -> tuple[str, str]:
    phone = display_phone(complaint.contact_phone) or ""
    if personal:
        return complaint.contact_name, phone
    return mask_name(complaint.contact_name) or "", mask_phone(phone) or ""


def _complaint_context(complaint: Complaint, user: User) -> dict[str, Any]:
    from kesu.resolution.models import Investigation, Solution

    personal = can_view_personal_data(user)
    name, phone = _customer(complaint, personal)
    investigation = (
        Investigation.objects.filter(complaint=complaint)
        .select_related("responsible_department", "responsible_person")
        .first()
    )
    solution = (
        Solution.objects.filter(complaint=complaint)
        .exclude(status="superseded")
        .select_related("proposed_by", "approved_by")
        .prefetch_related("remedies")
        .order_by("-round", "-id")
        .first()
    )
    remedies = [f"{r.get_type_display()} {r.amount}" for r in solution.remedies.all()] if solution else []
    return {
        "c": complaint,
        "customer_name": name,
        "customer_phone": phone,
        "customer_email": complaint.contact_email if personal else "",
        "received": _local(complaint.received_at),
        "closed": _local(complaint.closed_at),
        "delivery": complaint.delivery_date.isoformat() if complaint.delivery_date else "",
        "category": complaint.category.localized_name if complaint.category else "",
        "investigation": investigation,
        "solution": solution,
        "remedies": "；".join(remedies),
        "approved_at": _local(solution.approved_at) if solution else "",
        "recorded_by": _person(complaint.recorded_by),
        "assignee": _person(complaint.assignee),
        "responsible_person": _person(investigation.responsible_person) if investigation else "",
    }


def complaint_form_html(*, user: User, number: str, form: str, print_page: bool = False) -> str:
    if form not in COMPLAINT_FORMS:
        raise NotFound(_("No such form."))
    complaint = complaint_for(user=user, number=number)
    context = {
        **_complaint_context(complaint, user),
        "title": COMPLAINT_FORMS[form],
        "printed": _local(timezone.now()),
        "print_page": print_page,
    }
    return render_to_string(f"reports/forms/{form}.html", context)


def period_form_html(*, user: User, form: str, date_from: dt.date, date_to: dt.date, print_page: bool = False) -> str:
    if form not in PERIOD_FORMS:
        raise NotFound(_("No such form."))
    start, end = local_bounds(date_from, date_to)
    complaints = (
        visible_complaints(user)
        .filter(received_at__gte=start, received_at__lt=end)
        .select_related("category", "department", "assignee")
        .order_by("received_at", "id")
    )
    if form == "opinion_card_book":
        complaints = complaints.filter(channel__in=[Channel.SUGGESTION_BOX, Channel.LETTER])
    personal = can_view_personal_data(user)
    rows = []
    for c in complaints[:PERIOD_LIMIT]:
        name, phone = _customer(c, personal)
        rows.append(
            {
                "date": _local(c.received_at, "%m-%d"),
                "number": c.number,
                "channel": c.get_channel_display(),
                "customer": name,
                "phone": phone,
                "summary": (c.title or c.description)[:80],
                "category": c.category.localized_name if c.category else "",
                "department": c.department.name if c.department else "",
                "handler": _person(c.assignee),
                "result": c.result[:80],
                "status": c.get_status_display(),
                "closed": _local(c.closed_at, "%m-%d"),
            }
        )
    return render_to_string(
        f"reports/forms/{form}.html",
        {
            "title": PERIOD_FORMS[form],
            "rows": rows,
            "date_from": date_from,
            "date_to": date_to,
            "truncated": complaints.count() > PERIOD_LIMIT if len(rows) == PERIOD_LIMIT else False,
            "printed": _local(timezone.now()),
            "print_page": print_page,
        },
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    return bytes(HTML(string=html).write_pdf())
