"""Channels in and out: webhooks and their deliveries, group robots, staff channel preferences,
and the mail taken in from the complaint mailbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEvent(models.TextChoices):
    REGISTERED = "complaint.registered", _("Complaint registered")
    TRANSITIONED = "complaint.transitioned", _("Complaint status changed")
    OVERDUE = "complaint.overdue", _("Complaint overdue")
    ESCALATED = "complaint.escalated", _("Complaint escalated")
    CLOSED = "complaint.closed", _("Complaint closed")


class Webhook(models.Model):
    """An address that receives signed JSON for the events it subscribed to (API.md Webhooks)."""

    url = models.URLField(_("address"), max_length=500)
    secret = models.CharField(_("secret"), max_length=200)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent to one webhook: the exact body that is signed, and the outbox row that
    carries it (attempts, next attempt, last error). A replay is a new delivery of the same body."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    delivery_id = models.CharField(_("delivery id"), max_length=32, unique=True)
    body = models.TextField(_("body"))
    complaint_number = models.CharField(_("complaint"), max_length=40, blank=True)
    outbox = models.OneToOneField(
        "notifications.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_delivery"
    )
    created_at = models.DateTimeField(_("created at"))
    response_status = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]


class RobotPlatform(models.TextChoices):
    DINGTALK = "dingtalk", _("DingTalk group robot")
    WECOM = "wecom", _("WeCom group robot")


class RobotKind(models.TextChoices):
    """What a group robot announces."""

    MAJOR_COMPLAINT = "major_complaint", _("New major complaint")
    OVERDUE_ESCALATION = "overdue_escalation", _("Overdue escalation")
    APPROVAL_WAITING = "approval_waiting", _("Approval waiting")
    DAILY_DIGEST = "daily_digest", _("Daily digest")


class Robot(models.Model):
    """A DingTalk or WeCom group robot of one department (or of the whole organisation)."""

    name = models.CharField(_("name"), max_length=80)
    platform = models.CharField(_("platform"), max_length=10, choices=RobotPlatform.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the whole organisation."),
    )
    url = models.URLField(_("robot address"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=200, blank=True)
    kinds = models.JSONField(_("announces"), default=list)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ChannelPreference(models.Model):
    """How a staff member wants to hear of each kind of event: e-mail, robot, SMS."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="channel_preference"
    )
    mobile = models.CharField(_("mobile for SMS"), max_length=20, blank=True)
    choices = models.JSONField(default=dict)  # kind → ["email", "robot", "sms"]
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")


class InboundStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be processed")
    REGISTERED = "registered", _("registered as a complaint")
    THREADED = "threaded", _("added to a complaint")
    IGNORED = "ignored", _("ignored")
    FAILED = "failed", _("failed, will be retried")


class InboundMail(models.Model):
    """A message taken from the complaint mailbox, kept whole until it is processed: a message
    that fails is retried from here, and its Message-ID makes a second fetch a no-op."""

    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    raw = models.BinaryField()
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(_("received at"))
    next_attempt_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("incoming mail")
        verbose_name_plural = _("incoming mail")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="inbound_due")]


class MailboxState(models.Model):
    """What the last poll of the mailbox did (one row), for the status page."""

    last_poll_at = models.DateTimeField(null=True, blank=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    idle_supported = models.BooleanField(default=False)
    fetched_total = models.PositiveIntegerField(default=0)
