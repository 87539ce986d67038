"""What the reports keep: sales volumes (the incidence rate's denominator, SPEC RP-2), the archive
of scheduled reports and their subscribers (RP-3), and the outcomes approved for publication (RP-5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SalesVolume(models.Model):
    """Units sold in a month, for one top-level product category or (category empty) in all."""

    period = models.CharField(_("month"), max_length=7)  # YYYY-MM
    category = models.ForeignKey(
        "triage.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    units = models.PositiveBigIntegerField(_("units sold"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"))

    class Meta:
        verbose_name = _("sales volume")
        verbose_name_plural = _("sales volumes")
        ordering = ["-period", "category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "category"],
                name="sales_volume_one_per_category_month",
                condition=models.Q(category__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["period"], name="sales_volume_one_total_per_month", condition=models.Q(category__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.units}"


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("weekly summary")
    MONTHLY = "monthly", _("monthly summary")
    STATISTICS = "statistics", _("monthly statistics of closed complaints")


class ReportRun(models.Model):
    """One scheduled (or requested) report, kept for the archive page."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))  # inclusive
    generated_at = models.DateTimeField(_("generated at"))
    xlsx = models.FileField(_("spreadsheet"), upload_to="reports/", max_length=300)
    pdf = models.FileField(_("PDF"), upload_to="reports/", max_length=300)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "period_start", "period_end"], name="report_run_one_per_period"),
        ]


class ReportSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="report_subscription_unique")]


class PublishedOutcome(models.Model):
    """A closed complaint's outcome approved for the public register (SPEC RP-5, 投诉处理结果公示):
    only the category, the month, an anonymised summary and the outcome a manager wrote for it."""

    complaint = models.OneToOneField(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="publication"
    )
    period = models.CharField(_("month"), max_length=7)  # YYYY-MM of the complaint's receipt, local time
    category = models.ForeignKey(
        "triage.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    summary = models.TextField(_("anonymised summary"))
    outcome = models.TextField(_("outcome"))
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("published outcome")
        verbose_name_plural = _("published outcomes")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["withdrawn_at", "-published_at"], name="outcome_public_order")]

    def __str__(self) -> str:
        return f"{self.period} {self.summary[:20]}"


class DisclosureAxis(models.TextChoices):
    """The three axes of JR/T 0169-2018 (金融消费者投诉统计分类及编码)."""

    CHANNEL = "channel", _("channel of the business (A)")
    BUSINESS = "business", _("type of business (B)")
    REASON = "reason", _("reason (C)")


class DisclosureCode(models.Model):
    """How a Kesu code maps onto a JR/T 0169-2018 axis: a channel code (axis A) or a category code
    (axes B and C; the nearest mapped ancestor of a complaint's category applies). Editable."""

    axis = models.CharField(_("axis"), max_length=10, choices=DisclosureAxis.choices)
    source = models.CharField(_("Kesu code"), max_length=120)
    code = models.CharField(_("JR/T code"), max_length=20)
    label = models.CharField(_("JR/T name"), max_length=120)

    class Meta:
        verbose_name = _("disclosure code")
        verbose_name_plural = _("disclosure codes")
        ordering = ["axis", "source"]
        constraints = [models.UniqueConstraint(fields=["axis", "source"], name="disclosure_code_once_per_axis")]

    def __str__(self) -> str:
        return f"{self.axis} {self.source} → {self.code}"


class DailyTally(models.Model):
    """The additive figures behind the indicators (SPEC RP-2) for one group on one local day or in
    one local month (kesu/reports/tallies.py keeps them in step; `kpi_report` sums them instead of
    scanning the complaints). `dimension` is "" for the whole organisation (key "") or a grouping of
    the report (department, category, channel, person, severity) with the group's key; `counts`
    maps a figure's name to its count, `hours` a handling time in minutes (3 significant digits) to
    the number of complaints closed with it."""

    grain = models.CharField(max_length=1)  # "d": the day `day`; "m": the month starting on `day`
    day = models.DateField()
    dimension = models.CharField(max_length=12, blank=True)
    key = models.CharField(max_length=150, blank=True)
    counts = models.JSONField(default=dict)
    hours = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dimension", "grain", "day", "key"], name="daily_tally_cell"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.day} {self.dimension}={self.key}"


class ComplaintTally(models.Model):
    """What one complaint adds to the tallies as last counted: its group keys and its cells
    ([day ordinal, figure, count]), so a change is applied as the difference (kesu/reports/tallies.py).
    `multi`: closed or reopened on more than one day (the report counts such a complaint once)."""

    # No foreign key: a complaint deleted (through the admin) leaves its record, so the nightly
    # check (tallies.reconcile_tallies) can take its cells away.
    complaint = models.OneToOneField(
        "complaints.Complaint", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    dims = models.JSONField(default=dict)
    cells = models.JSONField(default=list)
    multi = models.BooleanField(default=False, db_index=True)

    def __str__(self) -> str:
        return f"tally of complaint {self.complaint_id}"


class TallyMark(models.Model):
    """The one row saying when the tallies were last brought in step (and locking it serialises
    two refreshes)."""

    refreshed_at = models.DateTimeField(null=True, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)  # the last nightly check

    def __str__(self) -> str:
        return f"tallies refreshed at {self.refreshed_at}"
