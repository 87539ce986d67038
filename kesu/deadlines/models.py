"""Working-day calendar, SLA policies, and the deadlines each complaint carries (SPEC §7, DP-4)."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("official holiday (day off)")
    WORKDAY = "workday", _("make-up working day (调休)")


class CalendarSource(models.TextChoices):
    PACKAGE = "package", _("chinese-calendar package")
    ADMIN = "admin", _("entered by an administrator")
    IMPORT = "import", _("imported file")


class CalendarYear(models.Model):
    """A year whose official schedule is known. Years without a row fall back to Monday–Friday."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("source"), max_length=10, choices=CalendarSource.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a weekday off or a weekend working day."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=80, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=CalendarSource.choices)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


def _new_version() -> str:
    return uuid.uuid4().hex


class DeadlineSettings(models.Model):
    """The organisation's deadline settings (one row). `version` changes with every edit of the
    calendar, the policies or these settings, so processes know when to reload them."""

    business_start = models.TimeField(_("business hours start"), default=dt.time(9, 0))
    business_end = models.TimeField(_("business hours end"), default=dt.time(18, 0))
    time_zone = models.CharField(_("time zone"), max_length=60, default="Asia/Shanghai")
    reminder_leads = models.CharField(
        _("reminder lead times (minutes, comma-separated)"),
        max_length=100,
        default="1440,120",
        help_text=_("A reminder goes out this long before a deadline, e.g. 1440,120 for one day and two hours."),
    )
    auto_close_unreachable = models.BooleanField(
        _("close automatically when the customer stays unreachable"),
        default=False,
        help_text=_(
            "After the standard SMS, close the complaint if the customer does not get back within the waiting time."
        ),
    )
    unreachable_wait_working_days = models.PositiveSmallIntegerField(
        _("working days to wait after the unreachable SMS"),
        default=2,
    )
    unreachable_sms = models.TextField(_("standard SMS when the customer cannot be reached"), blank=True)
    version = models.CharField(max_length=32, default=_new_version, editable=False)

    class Meta:
        verbose_name = _("deadline settings")
        verbose_name_plural = _("deadline settings")

    def __str__(self) -> str:
        return str(_("deadline settings"))


class MetWhen(models.TextChoices):
    REGISTERED = "registered", _("when the complaint is registered")
    INVESTIGATING = "investigating", _("when the investigation starts")
    INVESTIGATION_DONE = "investigation_done", _("when the investigation record is complete")
    ACKNOWLEDGED = "acknowledged", _("when the complaint is acknowledged")
    REPLIED = "replied", _("when the customer gets a first reply")
    RESOLVED = "resolved", _("when the complaint is resolved")
    CLOSED = "closed", _("when the complaint is closed")
    CALLBACK_REACHED = "callback_reached", _("when the customer is reached on a callback")
    AUDIT_REPORTED = "audit_reported", _("when the violation is reported to internal audit")


class DeadlineKind(models.Model):
    """acknowledge, reply, close, and any further kind an administrator defines."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    met_when = models.CharField(_("met"), max_length=20, choices=MetWhen.choices)
    escalates = models.BooleanField(_("escalates when missed"), default=True)
    builtin = models.BooleanField(_("built in"), default=False, editable=False)

    class Meta:
        verbose_name = _("deadline kind")
        verbose_name_plural = _("deadline kinds")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Unit(models.TextChoices):
    HOURS = "hours", _("clock hours")
    BUSINESS_HOURS = "business_hours", _("business hours")
    WORKING_DAYS = "working_days", _("working days")
    CALENDAR_DAYS = "calendar_days", _("calendar days")


class SlaPolicy(models.Model):
    """One deadline rule. Blank match fields match anything; the most specific match wins."""

    kind = models.ForeignKey(
        DeadlineKind, verbose_name=_("deadline"), on_delete=models.CASCADE, related_name="policies"
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField(_("amount"))
    by_time = models.TimeField(
        _("by time of day"),
        null=True,
        blank=True,
        help_text=_("For day units: due at this local time instead of 23:59:59 (e.g. 15:30)."),
    )
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, blank=True)
    channel = models.CharField(_("channel"), max_length=20, blank=True)
    category = models.ForeignKey(
        "triage.Category",
        verbose_name=_("category (and its sub-categories)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    overseas = models.BooleanField(_("overseas customer"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["kind_id", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__lte=10000), name="sla_policy_amount_sane")]

    def __str__(self) -> str:
        return self.name or f"{self.kind.code} {self.amount} {self.unit}"


class RegulatoryPreset(models.Model):
    """A regulator's rules the organisation switches on (codes in kesu.deadlines.policies.PRESETS)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)

    class Meta:
        verbose_name = _("regulatory preset")
        verbose_name_plural = _("regulatory presets")
        ordering = ["id"]

    def __str__(self) -> str:
        from kesu.deadlines.policies import PRESETS

        preset = PRESETS.get(self.code)
        return str(preset.name) if preset else self.code


class DeadlineState(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    CANCELLED = "cancelled", _("cancelled")


class ComplaintDeadline(models.Model):
    """One SLA clock of a complaint, and its on-time record (met or missed, with timestamps)."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("deadline"), max_length=40)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    preset = models.CharField(_("regulatory preset"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices)
    amount = models.PositiveIntegerField(_("amount"))
    by_time = models.TimeField(_("by time of day"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("recorded as missed at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reminded_lead = models.PositiveIntegerField(_("last reminder lead (minutes)"), null=True, blank=True)
    # The next instant the sweep has something to do here (a reminder or the deadline itself).
    next_check_at = models.DateTimeField(null=True, blank=True)
    extension_step = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    basis = models.JSONField(_("computed from"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind"], name="one_sla_clock_per_kind"),
        ]
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="deadline_sweep_due",
                condition=models.Q(state="open", paused_at__isnull=True),
            ),
            models.Index(fields=["complaint", "state"], name="deadline_complaint_state"),
            models.Index(fields=["kind", "state", "due_at"], name="deadline_kind_state_due"),
            models.Index(fields=["updated_at"], name="deadline_updated"),  # what changed (reports/tallies)
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_at.isoformat()}"


class PauseReason(models.TextChoices):
    AWAITING_CUSTOMER = "awaiting_customer", _("waiting on the customer")
    EXTERNAL_APPRAISAL = "external_appraisal", _("external appraisal or testing")


class DeadlinePause(models.Model):
    """A period in which a complaint's clocks stood still."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="deadline_pauses")
    reason = models.CharField(_("reason"), max_length=30, choices=PauseReason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("deadline pause")
        verbose_name_plural = _("deadline pauses")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"], condition=models.Q(ended_at__isnull=True), name="one_open_pause_per_complaint"
            ),
        ]


class DeadlineExtension(models.Model):
    """An extension a regulatory preset allows, with the approval it names."""

    deadline = models.ForeignKey(ComplaintDeadline, on_delete=models.CASCADE, related_name="extensions")
    step = models.PositiveSmallIntegerField(_("step"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"))
    previous_due = models.DateTimeField(_("previous due"))
    new_due = models.DateTimeField(_("new due"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        ordering = ["at", "id"]


class EscalationCause(models.TextChoices):
    MANUAL = "manual", _("escalated by staff")
    DISSATISFIED = "dissatisfied", _("customer not satisfied")
    OVERDUE = "overdue", _("deadline missed")
    RISK = "risk", _("escalation risk")


class Escalation(models.Model):
    """The escalation history (DP-4): manual, dissatisfaction and missed deadlines alike."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(_("from level"))
    to_level = models.PositiveSmallIntegerField(_("to level"))
    cause = models.CharField(_("cause"), max_length=20, choices=EscalationCause.choices)
    reason = models.TextField(_("reason"), blank=True)
    deadline = models.ForeignKey(ComplaintDeadline, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="escalation_complaint_at")]
