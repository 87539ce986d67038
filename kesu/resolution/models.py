from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Role


class RemedyType(models.TextChoices):
    EXPLANATION = "explanation", _("explanation")
    APOLOGY = "apology", _("apology")
    REFUND = "refund", _("refund")
    RETURN = "return", _("return")
    EXCHANGE = "exchange", _("exchange")
    REPAIR = "repair", _("repair")
    COMPENSATION = "compensation", _("compensation")
    VOUCHER = "voucher", _("voucher")
    ALLOWANCE = "allowance", _("price allowance")
    MEDICAL = "medical", _("medical costs")
    OTHER = "other", _("other")


class ApprovalAuthority(models.Model):
    """How much a role may approve (SPEC DP-3); a department row overrides the default row."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    limit = models.DecimalField(
        _("limit (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Empty means unlimited."),
    )

    class Meta:
        verbose_name = _("approval authority")
        verbose_name_plural = _("approval authorities")
        constraints = [
            models.UniqueConstraint(fields=["role", "department"], name="authority_role_department"),
            models.UniqueConstraint(
                fields=["role"], condition=models.Q(department__isnull=True), name="authority_role_default"
            ),
        ]


class SolutionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("awaiting approval")
    APPROVED = "approved", _("approved")
    APPROVAL_REJECTED = "approval_rejected", _("rejected by approver")
    ACCEPTED = "accepted", _("accepted by customer")
    CUSTOMER_REJECTED = "customer_rejected", _("rejected by customer")
    SUPERSEDED = "superseded", _("superseded")


class Solution(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="solutions")
    round = models.PositiveSmallIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=20, choices=SolutionStatus.choices)
    total = models.DecimalField(_("total (CNY)"), max_digits=12, decimal_places=2)
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    customer_answered_at = models.DateTimeField(null=True, blank=True)
    customer_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["complaint", "round"]
        constraints = [models.UniqueConstraint(fields=["complaint", "round"], name="solution_round_unique")]


class Remedy(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="remedies")
    type = models.CharField(_("type"), max_length=20, choices=RemedyType.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="remedy_amount_gte_0")]


class Callback(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField(_("customer reached"))
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (1-5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["at", "id"]
