"""Money at the desk: compensation standards (RS-6), petty-cash vouchers (RS-7), held receivables
(RS-8), supplier cost recovery and the loss and penalty standards (IV-2). Decimal CNY throughout."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesu.resolution.models import RemedyType, Responsibility


def _two_languages(name: str) -> str:
    """A name written "中文 / English" shows the part in the reader's language."""
    chinese, _sep, english = name.partition(" / ")
    if not english:
        return name
    return english if (get_language() or "").lower().startswith("en") else chinese


class CompensationStandard(models.Model):
    """RS-6 (客诉赔付标准): the usual remedy and amount range for a kind of complaint."""

    category = models.ForeignKey(
        "triage.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    remedy_type = models.CharField(_("usual remedy"), max_length=20, choices=RemedyType.choices)
    min_amount = models.DecimalField(_("from (CNY)"), max_digits=12, decimal_places=2, default=0)
    max_amount = models.DecimalField(_("up to (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("compensation standard")
        verbose_name_plural = _("compensation standards")
        ordering = ["category__code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_amount__gte=0, max_amount__gte=models.F("min_amount")),
                name="compensation_standard_range",
            )
        ]

    @property
    def localized_note(self) -> str:
        return _two_languages(self.note)


class VoucherStatus(models.TextChoices):
    REQUESTED = "requested", _("awaiting approval")
    PAID = "paid", _("paid, awaiting countersignature")
    COUNTERSIGNED = "countersigned", _("countersigned")
    REJECTED = "rejected", _("rejected")


class PettyCashVoucher(models.Model):
    """RS-7 备用金借支单: money paid out for a solution."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="vouchers")
    solution = models.ForeignKey("resolution.Solution", on_delete=models.PROTECT, related_name="vouchers")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("paid to"), max_length=120)
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=VoucherStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, blank=True)
    countersign_due = models.DateTimeField(_("countersign by"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("petty-cash voucher")
        verbose_name_plural = _("petty-cash vouchers")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "countersign_due"], name="voucher_countersign")]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="voucher_amount_positive")]

    @property
    def number(self) -> str:
        return f"BYJ-{self.pk:06d}"


class ReceivableStatus(models.TextChoices):
    HELD = "held", _("held back")
    RELEASED = "released", _("released to finance")
    OFFSET = "offset", _("offset against the compensation")


class HeldReceivable(models.Model):
    """RS-8: a receivable held back while the complaint is open; collected as usual when the
    complaint is not upheld."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="held_receivables")
    reference = models.CharField(_("invoice or order"), max_length=80)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=ReceivableStatus.choices)
    held_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField(_("held at"))
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("held receivable")
        verbose_name_plural = _("held receivables")
        ordering = ["held_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="receivable_amount_positive")]


class RecoveryStatus(models.TextChoices):
    CLAIMED = "claimed", _("claimed from the supplier")
    ACCEPTED = "accepted", _("the supplier bears the cost")
    REFUSED = "refused", _("refused by the supplier, awaiting the GM")
    COMPANY_PAYS = "company_pays", _("the company pays (GM approved)")
    DECLINED = "declined", _("GM declined to pay")


class SupplierRecovery(models.Model):
    """IV-2: the supplier bears the cost; if it refuses, the company pays after GM approval."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="supplier_recoveries")
    supplier = models.CharField(_("supplier"), max_length=120)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=RecoveryStatus.choices)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"))
    supplier_answer = models.TextField(_("supplier's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("GM's note"), blank=True)

    class Meta:
        verbose_name = _("supplier cost recovery")
        verbose_name_plural = _("supplier cost recoveries")
        ordering = ["opened_at", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="recovery_amount_positive")]


class LossBasis(models.TextChoices):
    PER_UNIT = "per_unit", _("per unit")
    FIXED = "fixed", _("fixed amount")
    PERCENT = "percent", _("percent of a value")


class LossStandard(models.Model):
    """IV-2 客诉损失金额核算基准: one line of the loss calculation."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, help_text=_("中文 / English"))
    basis = models.CharField(_("basis"), max_length=10, choices=LossBasis.choices)
    rate = models.DecimalField(_("rate (CNY, or percent)"), max_digits=12, decimal_places=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("loss standard")
        verbose_name_plural = _("loss standards")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.localized_name

    @property
    def localized_name(self) -> str:
        return _two_languages(self.name)


class PenaltyStandard(models.Model):
    """IV-2 客诉罚扣判定基准: the penalty for a responsibility and a loss band."""

    responsibility = models.CharField(
        _("responsibility"), max_length=20, choices=Responsibility.choices, blank=True, help_text=_("blank: any")
    )
    loss_from = models.DecimalField(_("loss from (CNY)"), max_digits=12, decimal_places=2, default=0)
    loss_below = models.DecimalField(
        _("loss below (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True, help_text=_("blank: no limit")
    )
    fixed = models.DecimalField(_("fixed penalty (CNY)"), max_digits=12, decimal_places=2, default=0)
    percent = models.DecimalField(_("percent of the loss"), max_digits=5, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("penalty standard")
        verbose_name_plural = _("penalty standards")
        ordering = ["responsibility", "loss_from", "id"]

    @property
    def localized_note(self) -> str:
        return _two_languages(self.note)


class LossAssessment(models.Model):
    """The amounts a handler proposes from the standards, with the lines they came from."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="loss_assessments")
    lines = models.JSONField(_("lines"), default=list)
    responsibility = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices, blank=True)
    loss_amount = models.DecimalField(_("loss amount (CNY)"), max_digits=12, decimal_places=2)
    penalty_amount = models.DecimalField(_("penalty (CNY)"), max_digits=12, decimal_places=2)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))

    class Meta:
        verbose_name = _("loss assessment")
        verbose_name_plural = _("loss assessments")
        ordering = ["proposed_at", "id"]
