"""The violation panel's state, from the deadlines the complaint page already read (no query)."""

from __future__ import annotations

from typing import Any

from django import template

from kesu.deadlines.policies import INTERNAL_AUDIT_REPORT
from kesu.resolution.internal_audit import may_record_violation

register = template.Library()


@register.simple_tag
def violation_panel(page: Any, user: Any, panels: Any) -> dict[str, Any]:
    from kesu.web.internal_audit_views import AuditReportForm, ViolationForm

    if not may_record_violation(user):
        return {"show": False}
    row = next((r for _label, r in page.other_deadlines if r.kind == INTERNAL_AUDIT_REPORT), None)
    panels = panels or {}
    return {
        "show": True,
        "row": row,
        "reported": row is not None and row.met_at is not None,
        "violation_form": panels.get("violation") or (ViolationForm() if row is None else None),
        "report_form": panels.get("audit_report")
        or (AuditReportForm() if row is not None and row.met_at is None else None),
        "failed": "violation" in panels or "audit_report" in panels,
    }
