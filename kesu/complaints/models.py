from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from kesu.triage.models import Severity, Urgency


class Channel(models.TextChoices):
    PHONE = "phone", _("phone / hotline")
    EMAIL = "email", _("e-mail")
    WEB = "web", _("web form")
    SOCIAL = "social", _("social media")
    WALK_IN = "walk_in", _("walk-in")
    LETTER = "letter", _("letter")
    SUGGESTION_BOX = "suggestion_box", _("suggestion box / opinion card")
    REGULATOR = "regulator", _("regulator or government referral")
    MEDIA = "media", _("media enquiry")
    INTERNAL = "internal", _("internal staff report")


class Status(models.TextChoices):
    REGISTERED = "registered", _("registered")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    ASSIGNED = "assigned", _("assigned")
    INVESTIGATING = "investigating", _("investigating")
    SOLUTION_PROPOSED = "solution_proposed", _("solution awaiting confirmation")
    IMPLEMENTING = "implementing", _("solution being implemented")
    RESOLVED = "resolved", _("resolved, awaiting callback")
    CLOSED = "closed", _("closed")
    WITHDRAWN = "withdrawn", _("withdrawn")
    MERGED = "merged", _("merged")
    INVALID = "invalid", _("invalid complaint")


class Confidentiality(models.TextChoices):
    """SPEC PV-1: who may read a complaint or a document (kesu.complaints.confidentiality)."""

    NORMAL = "normal", _("normal (一般)")
    SECRET = "secret", _("secret (秘密)")
    TOP_SECRET = "top_secret", _("top secret (绝密)")


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.WITHDRAWN, Status.MERGED, Status.INVALID})
OPEN_STATUSES = frozenset(set(Status) - TERMINAL_STATUSES)


class Complaint(models.Model):
    number = models.CharField(_("number"), max_length=40, unique=True)
    period = models.CharField(_("month"), max_length=6)  # YYYYMM, local month of received_at
    serial = models.PositiveIntegerField(_("serial"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL)
    severity_rule = models.ForeignKey(
        "triage.SeverityRule",
        verbose_name=_("severity rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity_source = models.CharField(_("severity source"), max_length=10, default="intake")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    category = models.ForeignKey(
        "triage.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    # What the customer gave on this occasion (the Customer row keeps the deduplicated identity).
    contact_name = models.CharField(_("complainant name"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("what happened"), max_length=10000)
    received_at = models.DateTimeField(_("received at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    product_name = models.CharField(_("product or service"), max_length=200, blank=True)
    product_sku = models.CharField(_("article number"), max_length=80, blank=True)
    product_lot = models.CharField(_("lot number"), max_length=80, blank=True)
    order_no = models.CharField(_("order number"), max_length=80, blank=True)
    product_quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    demand = models.TextField(_("customer's demand"), max_length=2000, blank=True)
    amount_claimed = models.DecimalField(_("amount claimed"), max_digits=12, decimal_places=2, null=True, blank=True)
    overseas = models.BooleanField(_("overseas customer"), default=False)
    # The language letters and SMS to this customer are written in (SPEC RS-4, SV-3).
    language = models.CharField(
        _("customer's language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans", db_default="zh-hans"
    )
    external_ref = models.CharField(_("external reference"), max_length=100, blank=True)
    sample_kept = models.BooleanField(_("sample kept aside"), default=False)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
        db_default=Confidentiality.NORMAL,
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recorded_complaints",
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    reply_due = models.DateTimeField(_("reply by"), null=True, blank=True)
    close_due = models.DateTimeField(_("close by"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("first reply at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    result = models.TextField(_("result"), blank=True)
    is_resolved_contact = models.BooleanField(_("resolved contact (enquiry)"), default=False)
    settled_on_spot = models.BooleanField(_("settled on the spot"), default=False)
    related_to = models.ForeignKey(
        "self",
        verbose_name=_("earlier complaint"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_complaints",
    )
    # The full-text tokens of the searchable fields (kesu.complaints.search), written by
    # complaint_reindex; PostgreSQL indexes them in ComplaintSearch (by trigger), SQLite in FTS5.
    search_text = models.TextField(blank=True, editable=False)
    # The contact phone's digits reversed, so "the last 4 or more digits" is a prefix range on an
    # index (kesu.complaints.search.phone_key); number, e-mail, order and lot are exact keys.
    phone_key = models.CharField(max_length=20, blank=True, default="", db_default="", editable=False)
    created_at = models.DateTimeField(_("created at"), db_default=Now())
    updated_at = models.DateTimeField(_("updated at"), db_default=Now())

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period", "serial"], name="complaint_number_unique_in_month"),
            models.CheckConstraint(condition=models.Q(amount_claimed__gte=0), name="complaint_amount_claimed_gte_0"),
        ]
        indexes = [
            models.Index(fields=["status", "department", "-received_at"], name="complaint_status_dept_recv"),
            models.Index(fields=["department", "-received_at"], name="complaint_dept_recv"),
            models.Index(fields=["-received_at", "-id"], name="complaint_recv"),
            models.Index(fields=["updated_at"], name="complaint_updated"),  # what changed (reports/tallies)
            # closed in a period (analysis, statistics, indicators counted for part of the organisation)
            models.Index(fields=["closed_at"], name="complaint_closed", condition=models.Q(status="closed")),
            models.Index(fields=["assignee", "status"], name="complaint_assignee_status"),
            models.Index(fields=["overdue", "status"], name="complaint_overdue_status"),
            models.Index(fields=["severity", "-received_at"], name="complaint_severity_recv"),
            # The exact keys of search, over the rows that have one: most complaints have no order or
            # lot number, and an index whose one common value is '' makes SQLite's planner scan.
            *(
                models.Index(fields=[key], name=f"complaint_{key}", condition=models.Q(**{f"{key}__gt": ""}))
                for key in ("phone_key", "contact_email", "order_no", "product_lot", "contact_name")
            ),
            # The queue's "closing deadline, soonest first" sort reads it in order instead of sorting.
            models.Index(fields=["close_due", "id"], name="complaint_close_due"),
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """The timeline: one row per change, written in the same transaction as the change."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    internal = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["complaint", "at"], name="event_complaint_at"),
            models.Index(fields=["at"], name="event_at"),  # what changed since (reports/tallies)
        ]


class TextSearchVector(models.Field):  # type: ignore[type-arg]
    """PostgreSQL's `tsvector` (text elsewhere: SQLite searches its FTS5 table instead)."""

    def db_type(self, connection: object) -> str:
        return "tsvector" if getattr(connection, "vendor", "") == "postgresql" else "text"


class ComplaintSearch(models.Model):
    """PostgreSQL's full-text index of a complaint (kesu.complaints.search): the `tsvector` of its
    `search_text` and its `received_at`, with a GIN index on the vector. Written only by the
    database trigger `complaint_search_sync` (migration 0011) in the transaction that writes the
    complaint's text, so it is never out of step and rolls back with the write. Kept apart from the
    complaint row so that the many updates that do not change the text (status, deadlines,
    escalation, assignment) neither recompute the vector nor add GIN entries. Empty on SQLite,
    whose index is the FTS5 table `complaint_fts`."""

    complaint = models.OneToOneField(Complaint, on_delete=models.CASCADE, primary_key=True, related_name="+")
    received_at = models.DateTimeField()
    vector = TextSearchVector()

    class Meta:
        indexes = [models.Index(fields=["-received_at", "-complaint"], name="complaint_search_recv")]


class MonthlyCounter(models.Model):
    """The last serial handed out in a month; locked while a complaint is numbered."""

    period = models.CharField(max_length=6, unique=True)
    last_value = models.PositiveIntegerField(default=0)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"evidence/{instance.complaint.period}/{instance.complaint.number}/{filename}"


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=12,
        choices=Confidentiality.choices,
        default=Confidentiality.NORMAL,
        db_default=Confidentiality.NORMAL,
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at", "id"]


class NamedReader(models.Model):
    """A person named to read a secret or top-secret complaint (SPEC PV-1: 绝密, named people only)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="named_readers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("named reader")
        verbose_name_plural = _("named readers")
        constraints = [models.UniqueConstraint(fields=["complaint", "user"], name="named_reader_once")]
