"""Supervision and improvement (SPEC SV-1, SV-2, SV-4): corrective and preventive actions
(CAPA, 纠正预防措施) and quality reviews of a seeded random sample of closed complaints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CapaStatus(models.TextChoices):
    OPEN = "open", _("open")
    COMPLETED = "completed", _("actions completed, awaiting verification")
    VERIFIED = "verified", _("verified effective")


class CorrectiveAction(models.Model):
    """A corrective/preventive action report (不合格/纠正、预防措施报告) for one or many complaints."""

    title = models.CharField(_("title"), max_length=200)
    nonconformity = models.TextField(_("nonconformity"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    actions = models.TextField(_("corrective and preventive actions"))
    complaints = models.ManyToManyField("complaints.Complaint", verbose_name=_("complaints"), related_name="capas")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="capas"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="capas",
    )
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=20, choices=CapaStatus.choices, default=CapaStatus.OPEN)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completion_note = models.TextField(_("what was done"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification of effect"), blank=True)
    verifications = models.PositiveSmallIntegerField(_("verifications"), default=0)
    overdue = models.BooleanField(_("overdue"), default=False)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("corrective and preventive action")
        verbose_name_plural = _("corrective and preventive actions")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="capa_status_due")]

    def __str__(self) -> str:
        return f"CAPA-{self.pk}: {self.title}"


class CapaEvent(models.Model):
    """The CAPA's history (created, completed, verified, reopened, escalated), with the audit record."""

    capa = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("CAPA event")
        verbose_name_plural = _("CAPA events")
        ordering = ["at", "id"]


class SampleRun(models.Model):
    """A reproducible random sample of the complaints closed in a period (SV-1)."""

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to (inclusive)"))
    size = models.PositiveIntegerField(_("sample size"))
    seed = models.BigIntegerField(_("seed"))
    population = models.PositiveIntegerField(_("closed complaints in the period"))
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(_("drawn at"))

    class Meta:
        verbose_name = _("quality review sample")
        verbose_name_plural = _("quality review samples")
        ordering = ["-period_start", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="sample_run_period_unique"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="sample_run_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class QualityReview(models.Model):
    """The supervision team's review of one sampled complaint: a score and findings."""

    run = models.ForeignKey(SampleRun, on_delete=models.CASCADE, related_name="reviews")
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="quality_reviews")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score (0-100)"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("quality review")
        verbose_name_plural = _("quality reviews")
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "complaint"], name="quality_review_once_per_run"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="quality_review_score_lte_100"),
        ]
