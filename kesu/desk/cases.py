"""The case library (SPEC SV-3): a closed complaint promoted to an anonymised training case with its
lesson, searchable by category; its reply script is kept with the letter templates (a canned
response for solutions, kesu/notifications/canned.py)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES, SUPERVISORS
from kesu.audit.services import audit_record
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.desk.models import TrainingCase
from kesu.desk.phrases import check_outgoing
from kesu.notifications.canned import can_manage_canned, canned_response_save
from kesu.triage.models import Category

PHONE = re.compile(r"\+?\d[\d\s-]{6,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
ORDER = re.compile(r"\b[A-Z]{1,4}\d{6,}\b")


def anonymise(text: str, *, names: list[str]) -> str:
    """Remove what identifies the customer: their name(s), phone numbers, e-mails, order numbers."""
    out = text or ""
    for name in sorted({n for n in names if n and len(n) >= 2}, key=len, reverse=True):
        out = out.replace(name, _("the customer"))
    out = EMAIL.sub("***@***", out)
    out = PHONE.sub("***", out)
    return ORDER.sub("***", out)


def may_promote(user: User) -> bool:
    return user.role in SUPERVISORS


def case_draft(complaint: Complaint) -> dict[str, str]:
    names = [complaint.contact_name, complaint.customer.name if complaint.customer_id else ""]
    return {
        "title": anonymise(complaint.title or complaint.description[:60], names=names),
        "summary": anonymise(complaint.description, names=names),
        "handling": anonymise(complaint.result, names=names),
    }


def case_promote(
    *,
    actor: User,
    number: str,
    title: str,
    summary: str,
    handling: str,
    lesson: str,
    now: dt.datetime,
    reply_script: str = "",
) -> TrainingCase:
    """Promote a closed complaint. A `reply_script` is kept with the letter templates as a canned
    response for solutions (SV-3), by managers, who keep those."""
    if not may_promote(actor):
        raise PermissionDenied(_("Only supervisors and managers promote complaints to training cases."))
    complaint = visible_complaints(actor).select_related("customer", "category").filter(number=number).first()
    if complaint is None:
        raise NotFound(_("No complaint has this number."))
    if complaint.status != Status.CLOSED:
        raise Conflict(_("Only a closed complaint becomes a training case."), code="not_closed")
    errors: list[FieldError] = []
    names = [complaint.contact_name, complaint.customer.name if complaint.customer_id else ""]
    values = {}
    for field, value, required, limit in (
        ("title", title, True, 200),
        ("summary", summary, True, 4000),
        ("handling", handling, False, 4000),
        ("lesson", lesson, True, 4000),
    ):
        text = anonymise(str(value or "").strip(), names=names)
        if required and not text:
            errors.append(FieldError(field, _("This field is required."), "required"))
        elif len(text) > limit:
            errors.append(FieldError(field, _("Write at most %(max)d characters.") % {"max": limit}, "too_long"))
        values[field] = text
    reply_script = anonymise(str(reply_script or "").strip(), names=names)
    if reply_script and not can_manage_canned(actor):
        errors.append(FieldError("reply_script", _("Only managers keep reply scripts."), "forbidden"))
    if errors:
        raise ValidationFailed(errors)
    if reply_script:
        check_outgoing({"reply_script": reply_script})
    with transaction.atomic():
        if TrainingCase.objects.filter(complaint=complaint).exists():
            raise Conflict(_("This complaint is already in the case library."), code="already_a_case")
        case = TrainingCase.objects.create(
            complaint=complaint, category=complaint.category, created_by=actor, created_at=now, **values
        )
        if reply_script:
            canned_response_save(
                actor=actor,
                values={
                    "title": values["title"][:80],
                    "body": reply_script,
                    "purpose": "solution",
                    "language": "zh-hans",
                },
                now=now,
            )
        audit_record(
            actor=actor,
            action="training_case.created",
            object_type="training_case",
            object_id=str(case.pk),
            data={"complaint": complaint.number},
            at=now,
        )
    return case


def case_search(*, user: User, q: str = "", category: str = "") -> QuerySet[TrainingCase]:
    if user.role not in STAFF_ROLES:
        return TrainingCase.objects.none()
    queryset = TrainingCase.objects.select_related("category")
    if category:
        queryset = queryset.filter(Q(category__code=category) | Q(category__code__startswith=f"{category}."))
    for term in q.split()[:5]:
        queryset = queryset.filter(Q(title__icontains=term) | Q(summary__icontains=term) | Q(lesson__icontains=term))
    return queryset.order_by("-created_at", "-id")


def case_categories() -> list[Category]:
    used = TrainingCase.objects.exclude(category__isnull=True).values_list("category__code", flat=True)
    tops = sorted({code.split(".")[0] for code in used})
    return list(Category.objects.filter(code__in=tops).order_by("code"))
