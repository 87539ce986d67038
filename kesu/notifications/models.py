from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    LOGGED = "logged", _("logged (no mail server configured)")
    FAILED = "failed", _("failed for good")


class OutboxMessage(models.Model):
    """A notification written in the transaction of the change, delivered after commit."""

    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=10, default="email")  # email | sms
    recipient = models.CharField(_("recipient"), max_length=254)
    recipient_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    complaint = models.ForeignKey(
        "complaints.Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # A delivery worker's claim: set in a short transaction before sending (no transaction is
    # open while talking to the mail server), checked and cleared when the outcome is recorded.
    # A worker that dies mid-send leaves the lease to expire; the message is then claimed again.
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # A user's in-app notifications, newest first (kesu.notifications.inbox).
            models.Index(fields=["recipient_user", "-created_at"], name="outbox_user_created"),
        ]


class LetterKind(models.TextChoices):
    """Standard letters and scripts kept as templates (SPEC SV-3, IN-4, FU-2, RS-4)."""

    ACKNOWLEDGEMENT = "acknowledgement", _("acknowledgement letter")
    UNREACHABLE_SMS = "unreachable_sms", _("SMS when the customer cannot be reached")
    APOLOGY = "apology", _("apology letter")
    RESULT = "result", _("result letter")
    COMPLAINT_RECORD = "complaint_record", _("complaint record form (internal)")


class LetterTemplate(models.Model):
    """One letter in one language, in Django template syntax restricted to the kind's variables
    (kesu/notifications/templating.py). A template flagged internal is printed, never sent."""

    kind = models.CharField(_("kind"), max_length=30, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    internal = models.BooleanField(
        _("internal form"),
        default=False,
        help_text=_("Internal forms can be printed but are never sent to customers."),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "language"]
        constraints = [models.UniqueConstraint(fields=["kind", "language"], name="letter_template_kind_language")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"

    def clean(self) -> None:
        from kesu.notifications.templating import template_problems

        errors = {}
        for field in ("subject", "body"):
            problems = template_problems(getattr(self, field) or "", kind=self.kind)
            if problems:
                errors[field] = problems
        if errors:
            raise ValidationError(errors)


# --- helpdesk: in-app notifications and canned responses -------------------------------------


class InboxMark(models.Model):
    """When a staff member last opened their notifications; what came before counts as read.

    The notifications themselves are not stored twice: they are the staff messages of the outbox
    and the work waiting for the user (approvals, callbacks, overdue complaints), read live."""

    user = models.OneToOneField("accounts.User", primary_key=True, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("last opened"))

    class Meta:
        verbose_name = _("notifications read marker")
        verbose_name_plural = _("notifications read markers")


class CannedPurpose(models.TextChoices):
    NOTE = "note", _("notes")
    SOLUTION = "solution", _("solutions")
    CALLBACK = "callback", _("callback comments")


class CannedResponse(models.Model):
    """A standard phrase (话术模板, SPEC SV-3, OP-4) that staff insert into a text box."""

    title = models.CharField(_("title"), max_length=80)
    body = models.TextField(_("text"), max_length=2000)
    purpose = models.CharField(_("used for"), max_length=10, choices=CannedPurpose.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["purpose", "language", "title", "id"]
        indexes = [models.Index(fields=["purpose", "language", "active"], name="canned_purpose_language")]

    def __str__(self) -> str:
        return self.title
