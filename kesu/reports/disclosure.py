"""Disclosure (SPEC RP-5): the public register of complaint outcomes (投诉处理结果公示) and the export
for regulators and industry bodies coded on the axes of JR/T 0169-2018.

A manager marks a closed complaint for publication with an anonymised summary and the outcome,
both written for the public. What the register shows is only that text, the category and the
month: never a name, contact, number or anything else of the complaint. The text itself is checked
for what identifies a person (a phone number, an e-mail address, an ID number, the complaint's
number, the customer's name, the order number) and refused with the field named."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import User
from kesu.accounts.permissions import MANAGERS
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Confidentiality, Status
from kesu.complaints.selectors import complaint_for
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.reports.models import DisclosureAxis, DisclosureCode, PublishedOutcome
from kesu.triage.models import Category

MAX_TEXT = 2000

# What identifies a person in a text written for the public.
_DIGITS = re.compile(r"(?:\d[\s-]?){7,}")  # phone numbers, ID card numbers, bank cards
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d{6}-\d{5}")  # a complaint number


def may_publish(user: User) -> bool:
    return user.role in MANAGERS


def _identifying(text: str, complaint: Complaint) -> str:
    """Why `text` may not go public, or "" when it may."""
    if _EMAIL.search(text):
        return _("Remove the e-mail address: the public register names nobody.")
    if _NUMBER.search(text) or complaint.number in text:
        return _("Remove the complaint number: the public register does not show it.")
    if _DIGITS.search(text):
        return _("Remove the phone, ID or card number: the public register names nobody.")
    names = {complaint.contact_name.strip(), getattr(complaint.customer, "name", "").strip()}
    for name in sorted(n for n in names if len(n) >= 2):
        if name in text:
            return _("Remove the customer's name (%(name)s): the public register names nobody.") % {"name": name}
    if complaint.order_no.strip() and complaint.order_no.strip() in text:
        return _("Remove the order number: the public register does not show it.")
    return ""


def _text(value: Any, field: str, label: str, complaint: Complaint, errors: list[FieldError]) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors.append(FieldError(field, _("Write the %(what)s for the public.") % {"what": label}, "required"))
    elif len(text) > MAX_TEXT:
        errors.append(
            FieldError(field, _("At most %(n)s characters.") % {"n": MAX_TEXT}, "too_long"),
        )
    else:
        why = _identifying(text, complaint)
        if why:
            errors.append(FieldError(field, why, "identifies_a_person"))
    return text


def _period(complaint: Complaint) -> str:
    return timezone.localtime(complaint.received_at, timezone.get_default_timezone()).strftime("%Y-%m")


def outcome_publish(
    *, actor: User, number: str, summary: Any, outcome: Any, now: dt.datetime
) -> tuple[PublishedOutcome, bool]:
    """Publish (or correct) the outcome of a closed complaint; returns the row and whether it is new.
    Refused for non-managers (403), for a complaint not closed or confidential (409), and for a text
    that identifies a person (422, by its field); a refusal writes nothing."""
    if not may_publish(actor):
        raise PermissionDenied(_("Only managers publish complaint outcomes."))
    complaint = complaint_for(user=actor, number=number)
    if complaint.status != Status.CLOSED:
        raise Conflict(_("Only a closed complaint's outcome is published."))
    if complaint.confidentiality != Confidentiality.NORMAL:
        raise Conflict(_("A confidential complaint is not published."))
    errors: list[FieldError] = []
    summary_text = _text(summary, "summary", str(_("summary")), complaint, errors)
    outcome_text = _text(outcome, "outcome", str(_("outcome")), complaint, errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = PublishedOutcome.objects.select_for_update().filter(complaint=complaint).first()
        created = row is None
        if row is None:
            row = PublishedOutcome(complaint=complaint)
        row.period = _period(complaint)
        row.category = complaint.category
        row.summary, row.outcome = summary_text, outcome_text
        row.published_by, row.published_at = actor, now
        row.withdrawn_by, row.withdrawn_at = None, None
        row.save()
        record_event(
            complaint=complaint,
            kind="outcome_published",
            actor=actor,
            at=now,
            data={"publication": row.pk, "new": created},
        )
    return row, created


def outcome_withdraw(*, actor: User, number: str, now: dt.datetime) -> PublishedOutcome:
    """Take a published outcome off the register (the row stays, for the audit trail)."""
    if not may_publish(actor):
        raise PermissionDenied(_("Only managers publish complaint outcomes."))
    complaint = complaint_for(user=actor, number=number)
    with transaction.atomic():
        row = PublishedOutcome.objects.select_for_update().filter(complaint=complaint).first()
        if row is None or row.withdrawn_at is not None:
            raise NotFound(_("This complaint's outcome is not published."))
        row.withdrawn_by, row.withdrawn_at = actor, now
        row.save(update_fields=["withdrawn_by", "withdrawn_at"])
        record_event(complaint=complaint, kind="outcome_withdrawn", actor=actor, at=now, data={"publication": row.pk})
    return row


def publication_of(complaint: Complaint) -> PublishedOutcome | None:
    return PublishedOutcome.objects.filter(complaint=complaint).first()


def public_outcomes() -> QuerySet[PublishedOutcome]:
    """What the public register shows, newest first: never the complaint itself."""
    return (
        PublishedOutcome.objects.filter(withdrawn_at__isnull=True)
        .select_related("category__parent__parent__parent")
        .only(
            "id",
            "period",
            "summary",
            "outcome",
            "published_at",
            "category__code",
            "category__parent",
            "category__name_zh_hans",
            "category__name_zh_hant",
            "category__name_en",
        )
        .order_by("-published_at", "-id")
    )


def public_row(row: PublishedOutcome) -> dict[str, Any]:
    """A register entry as the public reads it (the API and the portal page): top-level category only."""
    top = row.category.lineage()[0] if row.category else None
    return {
        "month": row.period,
        "category": top.code if top else None,
        "category_name": top.localized_name if top else "",
        "summary": row.summary,
        "outcome": row.outcome,
        "published_at": row.published_at,
    }


def managed_outcomes(*, user: User, limit: int = 200) -> list[PublishedOutcome]:
    if not may_publish(user):
        raise PermissionDenied(_("Only managers publish complaint outcomes."))
    return list(
        PublishedOutcome.objects.select_related("complaint", "category", "published_by", "withdrawn_by").order_by(
            "-published_at", "-id"
        )[:limit]
    )


# --- JR/T 0169-2018 export ---------------------------------------------------------------------------

# The standard's classes, as shipped: a starting point that the organisation's compliance officer
# edits (settings: disclosure codes). "99" is the standard's "other" at every level.
DEFAULT_CODES: list[tuple[str, str, str, str]] = [
    # axis A: the channel the business was done through (前台业务渠道 / 中、后台业务渠道)
    ("channel", "walk_in", "A0101", "营业现场"),
    ("channel", "phone", "A010302", "电子渠道—电话"),
    ("channel", "web", "A010301", "电子渠道—网站"),
    ("channel", "social", "A010304", "电子渠道—网络公众平台"),
    ("channel", "email", "A010399", "电子渠道—其他"),
    ("channel", "internal", "A02", "中、后台业务渠道"),
    ("channel", "*", "A0199", "前台业务渠道—其他"),
    # axis B: the type of business
    ("business", "privacy", "B06", "个人金融信息类"),
    ("business", "billing", "B04", "支付结算类"),
    ("business", "*", "B99", "其他类"),
    # axis C: the reason
    ("reason", "service_attitude", "C01", "服务态度及服务质量"),
    ("reason", "system", "C02", "服务设施、设备、业务系统"),
    ("reason", "after_sales", "C03", "管理制度、业务规则与流程"),
    ("reason", "logistics", "C03", "管理制度、业务规则与流程"),
    ("reason", "business_error", "C03", "管理制度、业务规则与流程"),
    ("reason", "business_error.wrong_info", "C05", "信息披露"),
    ("reason", "privacy", "C10", "消费者信息安全"),
    ("reason", "*", "C99", "其他"),
]


def seed_disclosure_codes() -> int:
    """Load the shipped mapping where the organisation has none yet (idempotent)."""
    created = 0
    for axis, source, code, label in DEFAULT_CODES:
        _row, new = DisclosureCode.objects.get_or_create(
            axis=axis, source=source, defaults={"code": code, "label": label}
        )
        created += int(new)
    return created


@dataclass(frozen=True)
class CodeBook:
    """The mapping, read once for an export."""

    rows: dict[tuple[str, str], DisclosureCode]

    @classmethod
    def load(cls) -> CodeBook:
        return cls({(r.axis, r.source): r for r in DisclosureCode.objects.all()})

    def channel(self, channel: str) -> DisclosureCode | None:
        return self.rows.get(("channel", channel)) or self.rows.get(("channel", "*"))

    def by_category(self, axis: str, category: Category | None) -> DisclosureCode | None:
        codes = category.ancestor_codes() if category else []
        for code in reversed(codes):  # the nearest mapped ancestor
            row = self.rows.get((axis, code))
            if row is not None:
                return row
        return self.rows.get((axis, "*"))


EXPORT_COLUMNS = [
    ("month", gettext_lazy("month")),
    ("channel_code", gettext_lazy("channel code (A)")),
    ("channel_name", gettext_lazy("channel (A)")),
    ("business_code", gettext_lazy("business type code (B)")),
    ("business_name", gettext_lazy("business type (B)")),
    ("reason_code", gettext_lazy("reason code (C)")),
    ("reason_name", gettext_lazy("reason (C)")),
    ("received", gettext_lazy("complaints received")),
    ("closed", gettext_lazy("closed")),
]


def jrt_export(*, user: User, date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    """Complaints received in the period counted by month and by the three JR/T 0169-2018 codes.
    Counts only: no complaint, customer or text leaves."""
    from kesu.reports.services import may_read_reports

    if not may_read_reports(user):
        raise PermissionDenied(_("Reports are for supervisors, managers and auditors."))
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    book = CodeBook.load()
    categories = {c.pk: c for c in Category.objects.all()}
    counts: dict[tuple[str, str, str, str], list[int]] = {}
    missing = DisclosureCode(code="", label="")
    rows = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).values_list(
        "received_at", "channel", "category_id", "status"
    )
    for received_at, channel, category_id, status in rows.iterator(chunk_size=5000):
        category = categories.get(category_id) if category_id else None
        a = book.channel(channel) or missing
        b = book.by_category("business", category) or missing
        c = book.by_category("reason", category) or missing
        key = (timezone.localtime(received_at, tz).strftime("%Y-%m"), a.code, b.code, c.code)
        cell = counts.setdefault(key, [0, 0])
        cell[0] += 1
        cell[1] += int(status == Status.CLOSED)
    labels = {(r.axis, r.code): r.label for r in book.rows.values()}
    return [
        {
            "month": month,
            "channel_code": a,
            "channel_name": labels.get(("channel", a), ""),
            "business_code": b,
            "business_name": labels.get(("business", b), ""),
            "reason_code": c,
            "reason_name": labels.get(("reason", c), ""),
            "received": received,
            "closed": closed,
        }
        for (month, a, b, c), (received, closed) in sorted(counts.items())
    ]


AXIS_LETTER = {"channel": "A", "business": "B", "reason": "C"}


def _source_known(axis: str, source: str) -> bool:
    from kesu.complaints.models import Channel

    if axis == DisclosureAxis.CHANNEL:
        return source in Channel.values
    return Category.objects.filter(code=source).exists()


def disclosure_code_set(
    *, actor: User, axis: Any, source: Any, code: Any, label: Any, now: dt.datetime
) -> DisclosureCode:
    """Add or change one mapping row (managers)."""
    if not may_publish(actor):
        raise PermissionDenied(_("Only managers change the configuration."))
    errors: list[FieldError] = []
    axis_value = axis if axis in DisclosureAxis.values else ""
    if not axis_value:
        errors.append(FieldError("axis", _("Unknown value: %(value)s.") % {"value": axis}, "unknown_value"))
    source_text = source.strip() if isinstance(source, str) else ""
    if not source_text:
        errors.append(FieldError("source", _("This field is required."), "required"))
    elif axis_value and source_text != "*" and not _source_known(axis_value, source_text):
        errors.append(FieldError("source", _("Unknown value: %(value)s.") % {"value": source_text}, "unknown_value"))
    code_text = code.strip() if isinstance(code, str) else ""
    if not re.fullmatch(r"[A-C]\d{2,8}", code_text):
        errors.append(FieldError("code", _("Give the JR/T code, a letter A–C and digits (e.g. C01)."), "invalid"))
    label_text = label.strip() if isinstance(label, str) else ""
    if not label_text or len(label_text) > 120:
        errors.append(FieldError("label", _("Give the JR/T name (at most 120 characters)."), "invalid"))
    if (
        code_text
        and axis_value
        and re.fullmatch(r"[A-C]\d{2,8}", code_text)
        and code_text[0] != AXIS_LETTER[axis_value]
    ):
        errors.append(
            FieldError(
                "code",
                _("A code of this axis starts with %(letter)s.") % {"letter": AXIS_LETTER[axis_value]},
                "invalid",
            )
        )
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = DisclosureCode.objects.select_for_update().filter(axis=axis_value, source=source_text).first()
        before = {"code": row.code, "label": row.label} if row else None
        if row is None:
            row = DisclosureCode(axis=axis_value, source=source_text)
        row.code, row.label = code_text, label_text
        row.save()
        audit_record(
            actor=actor,
            action="disclosure_code.set",
            object_type="disclosure_code",
            object_id=f"{axis_value}:{source_text}",
            data={"before": before, "after": {"code": code_text, "label": label_text}},
            at=now,
        )
    return row


def export_file(rows: list[dict[str, Any]], *, file_format: str) -> tuple[bytes, str]:
    """The JR/T export as CSV (UTF-8 with BOM, for spreadsheet programs) or XLSX; headers in the
    active language. Returns the bytes and the content type."""
    import csv
    import io

    headers = [str(label) for _key, label in EXPORT_COLUMNS]
    if file_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row[key] for key, _label in EXPORT_COLUMNS])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv; charset=utf-8"
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = str(_("JR/T 0169 export")).replace("/", "-")[:31]  # "/" is not allowed in a sheet title
    sheet.append(headers)
    for row in rows:
        sheet.append([row[key] for key, _label in EXPORT_COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
