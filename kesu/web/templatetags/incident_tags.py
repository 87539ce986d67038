"""The complaint page's panels of issue 13 (major complaints, money at the desk), computed from the
page's complaint and reader so that complaint.html only includes them."""

from __future__ import annotations

from typing import Any

from django import template

from kesu.compensation.selectors import complaint_standard, money_panel
from kesu.core import clock
from kesu.incidents.selectors import incident_panel
from kesu.web import incidents_forms as f

register = template.Library()


@register.simple_tag
def complaint_incident(complaint: Any, user: Any) -> dict[str, Any]:
    panel = incident_panel(complaint=complaint, user=user)
    attachments = list(complaint.attachments.order_by("id")) if panel["items"] else []
    panel["rows"] = [
        {
            "item": item,
            "overdue": item.done_at is None and item.due_at <= clock.now(),
            "mine": item.owner_id == user.pk and item.done_at is None,
            "form": f.ItemDoneForm(auto_id=f"item{item.pk}_%s", attachments=attachments)
            if item.owner_id == user.pk and item.done_at is None
            else None,
        }
        for item in panel["items"]
    ]
    for row in panel["rows"]:
        undone = row["item"].done_at is None
        row["reassign_form"] = (
            f.ReassignForm(auto_id=f"owner{row['item'].pk}_%s") if undone and panel["can_reassign"] else None
        )
    panel["done_count"] = sum(1 for item in panel["items"] if item.done_at is not None)
    panel["open_form"] = f.OpenChecklistForm() if panel["can_open"] else None
    panel["team_form"] = f.CrisisTeamForm() if panel["can_convene"] else None
    panel["decisions_form"] = f.CrisisDecisionsForm() if panel["can_record_team"] else None
    panel["media_form"] = f.MediaEnquiryForm() if panel["can_record_media"] else None
    panel["answer_form"] = f.MediaAnswerForm() if panel["can_answer_media"] else None
    panel["show"] = panel["major"] or bool(panel["enquiries"])
    return panel


@register.simple_tag
def complaint_money(complaint: Any, user: Any) -> dict[str, Any]:
    panel = money_panel(complaint=complaint, user=user, now=clock.now())
    panel["voucher_form"] = f.VoucherForm() if panel["can_request_voucher"] else None
    panel["receivable_form"] = f.ReceivableForm() if panel["can_hold"] else None
    panel["recovery_form"] = f.RecoveryForm() if panel["can_claim"] else None
    panel["answer_form"] = f.RecoveryAnswerForm() if panel["can_claim"] else None
    panel["decision_form"] = f.RecoveryDecisionForm() if panel["can_decide"] else None
    panel["loss_form"] = f.LossForm(standards=panel["loss_standards"]) if panel["can_assess"] else None
    panel["show"] = user.role != "auditor" or any(
        panel[k] for k in ("vouchers", "receivables", "recoveries", "assessments")
    )
    return panel


@register.simple_tag
def compensation_standard(complaint: Any) -> Any:
    return complaint_standard(complaint)
