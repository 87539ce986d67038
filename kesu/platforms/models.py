"""Complaints that arrive from outside bodies: regulator referrals (12315, 12378, 监管部门转办),
the WeChat Pay consumer complaint platform (消费者投诉 2.0), and suggestion-box batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReferringBody(models.TextChoices):
    MARKET_12315 = "12315", _("12315 market regulation hotline / platform")
    FINANCE_12378 = "12378", _("12378 banking and insurance consumer hotline")
    REGULATOR = "regulator", _("other regulator or government department (监管部门转办)")


class Referral(models.Model):
    """A complaint a regulator referred to us (SPEC IN-1, §7): registered within 1 working day of
    its arrival, handled by the deadline the body sets, reported back in the body's format."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.PROTECT, related_name="referral")
    body = models.CharField(_("referring body"), max_length=20, choices=ReferringBody.choices)
    body_name = models.CharField(_("name of the referring office"), max_length=120, blank=True)
    reference = models.CharField(_("referral number"), max_length=80)
    arrived_at = models.DateTimeField(_("referral received at"))
    due_at = models.DateTimeField(_("deadline set by the body"))
    register_due = models.DateTimeField(_("to be registered by"))
    registered_at = models.DateTimeField(_("registered at"))
    registered_on_time = models.BooleanField(_("registered in time"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The report back (12315 反馈): result, whether the parties settled, the amount agreed.
    result = models.TextField(_("handling result"), blank=True)
    settled = models.BooleanField(_("settled between the parties"), null=True, blank=True)
    settlement_amount = models.DecimalField(
        _("amount agreed in mediation"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    refusal_reason = models.TextField(_("why no settlement was reached"), blank=True)
    contact_person = models.CharField(_("our contact person"), max_length=80, blank=True)
    contact_phone = models.CharField(_("our contact phone"), max_length=40, blank=True)
    reported_at = models.DateTimeField(_("reported back at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("regulator referral")
        verbose_name_plural = _("regulator referrals")
        ordering = ["-arrived_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["body", "reference"], name="referral_unique_per_body"),
            models.CheckConstraint(
                condition=models.Q(settlement_amount__gte=0) | models.Q(settlement_amount__isnull=True),
                name="referral_settlement_amount_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.reference}"


class SuggestionBatch(models.Model):
    """The opinion cards taken out of a suggestion box, entered together the next morning."""

    box = models.CharField(_("suggestion box"), max_length=80)
    opened_on = models.DateField(_("opened on"))
    card_count = models.PositiveIntegerField(_("cards in the box"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("started at"))
    closed_at = models.DateTimeField(_("reconciled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opinion-card batch")
        verbose_name_plural = _("opinion-card batches")
        ordering = ["-opened_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["box", "opened_on"], name="suggestion_batch_once_a_day")]

    def __str__(self) -> str:
        return f"{self.box} {self.opened_on}"


class CardOutcome(models.TextChoices):
    COMPLAINT = "complaint", _("registered as a complaint")
    BLANK = "blank", _("blank or unreadable card")
    PRAISE = "praise", _("praise or suggestion, no complaint")
    ANONYMOUS = "anonymous", _("complaint without contact details (kept with the batch)")


class SuggestionCard(models.Model):
    """One card of a batch, by the number written on it when it was taken out of the box."""

    batch = models.ForeignKey(SuggestionBatch, on_delete=models.CASCADE, related_name="cards")
    number = models.PositiveIntegerField(_("card number"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=CardOutcome.choices)
    text = models.TextField(_("what the card says"), blank=True)
    complaint = models.OneToOneField(
        "complaints.Complaint", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("opinion card")
        verbose_name_plural = _("opinion cards")
        ordering = ["batch", "number"]
        constraints = [models.UniqueConstraint(fields=["batch", "number"], name="suggestion_card_number_once")]


class PlatformComplaint(models.Model):
    """A WeChat Pay consumer complaint (消费者投诉 2.0) and the Kesu complaint it became."""

    platform_ref = models.CharField(_("platform complaint number"), max_length=64, unique=True)
    mchid = models.CharField(_("merchant number"), max_length=64)
    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.PROTECT, related_name="platform_complaint"
    )
    state = models.CharField(_("platform state"), max_length=40)
    transaction_id = models.CharField(max_length=64, blank=True)
    out_trade_no = models.CharField(max_length=64, blank=True)
    apply_refund_amount = models.PositiveIntegerField(null=True, blank=True)  # fen, as the platform gives it
    detail = models.JSONField(default=dict)  # the last detail read (the payer's phone left out)
    response_due = models.DateTimeField(_("platform's reply deadline"))
    last_action = models.CharField(max_length=40, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        verbose_name = _("WeChat Pay complaint")
        verbose_name_plural = _("WeChat Pay complaints")
        ordering = ["-synced_at", "-id"]


class PushKind(models.TextChoices):
    RESPONSE = "response", _("reply to the customer")
    REFUND = "refund", _("refund decision")
    COMPLETE = "complete", _("handling complete")


class PushState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("refused by the platform")


class PlatformPush(models.Model):
    """Kesu's answer to the platform, written with the change and sent after commit (the
    platforms' outbox), retried until the platform accepts it."""

    platform_complaint = models.ForeignKey(PlatformComplaint, on_delete=models.CASCADE, related_name="pushes")
    kind = models.CharField(_("kind"), max_length=10, choices=PushKind.choices)
    body = models.JSONField()
    state = models.CharField(_("state"), max_length=10, choices=PushState.choices, default=PushState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer to the platform")
        verbose_name_plural = _("answers to the platform")
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="platform_push_due")]


class NotificationReceipt(models.Model):
    """Each platform notification once (the platform sends the same one again until answered)."""

    notification_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=60)
    platform_ref = models.CharField(max_length=64)
    action_type = models.CharField(max_length=60)
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
