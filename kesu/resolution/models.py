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


# --- investigation and responsibility (SPEC IV-1, IV-2, CL-1, CL-4) --------------------------

class CauseClass(models.TextChoices):
    """SPEC CL-4."""

    POLICY_NOT_UNDERSTOOD = "policy_not_understood", _("policy or rules not understood")
    STAFF = "staff", _("our staff's attitude, skill or error")
    SYSTEM_OR_OTHER_DEPARTMENT = "system_or_other_department", _("a system fault or another department's error")


class Responsibility(models.TextChoices):
    """SPEC IV-2 (责任归属)."""

    OURS = "ours", _("our department and staff")
    CUSTOMER_MISUSE = "customer_misuse", _("customer misuse")
    SUPPLIER = "supplier", _("supplier")
    CARRIER = "carrier", _("carrier")
    NOT_ESTABLISHED = "not_established", _("not established")


class Investigation(models.Model):
    """What the investigation found, one per complaint, kept up to date as facts come in.

    A solution may be proposed only once `root_cause` and `responsibility` are recorded
    (a guard in the transition table)."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="investigation")
    findings = models.TextField(_("findings"), blank=True)
    evidence = models.ManyToManyField("complaints.Attachment", verbose_name=_("evidence"), blank=True,
                                      related_name="+")
    # 5W1H of the LED seed (000) for product complaints.
    fact_what = models.TextField(_("what"), blank=True)
    fact_who = models.TextField(_("who"), blank=True)
    fact_when = models.TextField(_("when"), blank=True)
    fact_where = models.TextField(_("where"), blank=True)
    fact_why = models.TextField(_("why"), blank=True)
    fact_how = models.TextField(_("how"), blank=True)
    lot_number = models.CharField(_("lot number"), max_length=80, blank=True)
    bill_of_materials = models.TextField(_("bill of materials"), blank=True)
    process_records = models.TextField(_("process records"), blank=True)
    lab_analysis = models.TextField(_("lab analysis"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    reason_category = models.ForeignKey(
        "triage.Category", verbose_name=_("level-4 reason"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    cause_class = models.CharField(_("cause class"), max_length=30, choices=CauseClass.choices, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices,
                                      blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department", verbose_name=_("responsible department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("responsible person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    loss_amount = models.DecimalField(_("loss amount (CNY)"), max_digits=12, decimal_places=2, null=True,
                                      blank=True)
    penalty_amount = models.DecimalField(_("penalty (CNY)"), max_digits=12, decimal_places=2, null=True,
                                         blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.CheckConstraint(condition=models.Q(loss_amount__gte=0), name="investigation_loss_gte_0"),
            models.CheckConstraint(condition=models.Q(penalty_amount__gte=0), name="investigation_penalty_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}"

    @property
    def ready_for_solution(self) -> bool:
        return bool(self.root_cause.strip()) and bool(self.responsibility)
