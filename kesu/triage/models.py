from __future__ import annotations

import functools
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from kesu.accounts.models import Department


class Severity(models.TextChoices):
    GENERAL = "general", _("general")
    SERIOUS = "serious", _("serious")
    MAJOR = "major", _("major")


SEVERITY_RANK = {Severity.GENERAL: 0, Severity.SERIOUS: 1, Severity.MAJOR: 2}


@functools.lru_cache(maxsize=256)
def _keyword_lines(*texts: str) -> tuple[str, ...]:
    # Split once per text: every complaint registered is matched against every rule's keywords.
    lines = "\n".join(texts)
    return tuple(w.strip().lower() for w in lines.splitlines() if w.strip())


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    CRITICAL = "critical", _("critical")


class Category(models.Model):
    """A node of the reason taxonomy (SPEC CL-1): up to four levels, dotted codes."""

    code = models.CharField(_("code"), max_length=120, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    name_zh_hans = models.CharField(_("name (simplified Chinese)"), max_length=80)
    name_zh_hant = models.CharField(_("name (traditional Chinese)"), max_length=80)
    name_en = models.CharField(_("name (English)"), max_length=120)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=4), name="category_level_1_to_4"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.localized_name}"

    @property
    def localized_name(self) -> str:
        language = (get_language() or "zh-hans").lower()
        if language.startswith("en"):
            return self.name_en
        if language in {"zh-hant", "zh-tw", "zh-hk"}:
            return self.name_zh_hant
        return self.name_zh_hans

    def ancestor_codes(self) -> list[str]:
        """The codes from the top level down to this node's own: a child's code is its parent's code,
        a dot and its own part (food, food.expired), so the codes name the ancestors."""
        parts = self.code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]

    def lineage(self) -> list[Category]:
        """The nodes from the top level down to this one, read in one query and kept on the node."""
        cached: list[Category] | None = self.__dict__.get("_lineage")
        if cached is not None:
            return cached
        if self.parent_id is None:
            lineage = [self]
        elif Category.parent.is_cached(self):
            lineage = [*(self.parent.lineage() if self.parent else []), self]
        else:
            codes = self.ancestor_codes()[:-1]
            found = {row.code: row for row in Category.objects.filter(code__in=codes)}
            if len(found) == len(codes):
                lineage = [*(found[code] for code in codes), self]
            else:  # a code that does not follow its parent's: walk the parents
                lineage = [*(self.parent.lineage() if self.parent else []), self]
        self.__dict__["_lineage"] = lineage
        return lineage

    @property
    def localized_path(self) -> str:
        """The names from the top level down, in the reader's language (食品安全 › 过期变质)."""
        return " › ".join(node.localized_name for node in self.lineage()[-6:])

    def responsible_department(self) -> Department | None:
        """This node's department, or the nearest ancestor's (SPEC DP-1)."""
        node: Category | None = self
        while node is not None:
            if node.department_id:
                return node.department
            node = node.parent
        return None


class SeverityRule(models.Model):
    """A rule suggesting a complaint's severity (SPEC CL-2). Keywords one per line."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    keywords_zh_hans = models.TextField(_("keywords (simplified Chinese)"), blank=True)
    keywords_zh_hant = models.TextField(_("keywords (traditional Chinese)"), blank=True)
    keywords_en = models.TextField(_("keywords (English)"), blank=True)
    channels = models.CharField(
        _("channels"),
        max_length=200,
        blank=True,
        help_text=_("Comma-separated channel codes that trigger this rule on their own."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("severity rule")
        verbose_name_plural = _("severity rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def localized_name(self) -> str:
        """A rule named "中文 / English" shows the part in the reader's language."""
        chinese, _sep, english = self.name.partition(" / ")
        if not english:
            return self.name
        return english if (get_language() or "").lower().startswith("en") else chinese

    def keywords(self) -> list[str]:
        return list(_keyword_lines(self.keywords_zh_hans, self.keywords_zh_hant, self.keywords_en))

    def channel_codes(self) -> set[str]:
        return {c.strip() for c in self.channels.split(",") if c.strip()}


# --- triage intelligence (issue 10): classifier versions, suggestions, overrides, links, risk ---


class TriagePolicy(models.Model):
    """The organisation's triage settings (one row): when a classifier suggestion is shown, which
    complaints count as the same matter, and what an escalation-risk flag does."""

    min_confidence = models.FloatField(
        _("minimum confidence of a suggestion"),
        default=0.55,
        help_text=_("Below this confidence (0 to 1) the classifier suggests nothing."),
    )
    duplicate_window_days = models.PositiveIntegerField(
        _("same-matter window (days)"),
        default=90,
        help_text=_("Earlier complaints received within this many days are offered as the same matter."),
    )
    duplicate_similarity = models.FloatField(
        _("text similarity for the same matter"),
        default=0.5,
        help_text=_("Texts at least this similar (0 to 1) are offered as the same matter."),
    )
    risk_threshold = models.PositiveSmallIntegerField(
        _("risk score that flags a complaint"),
        default=3,
        help_text=_("A complaint whose escalation-risk score reaches this is flagged for supervisors."),
    )
    risk_escalation_level = models.PositiveSmallIntegerField(
        _("escalation level of a flagged complaint"),
        default=1,
        help_text=_("A flagged complaint is raised to at least this escalation level (0: not raised)."),
    )
    retrain_hours = models.PositiveIntegerField(
        _("retrain every (hours)"),
        default=24,
        help_text=_("How often the classifier is retrained on the closed complaints (0: only by hand)."),
    )
    # CL-5, manufacturing: a quality complaint is serious rather than general by its loss, the
    # quantity of defective units, or its nature (kesu/triage/manufacturing.py).
    serious_loss_amount = models.DecimalField(
        _("loss that makes a quality complaint serious (CNY)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("5000.00"),
        help_text=_("The amount claimed at or above which a quality complaint is serious (0: not used)."),
    )
    serious_defect_quantity = models.PositiveIntegerField(
        _("defective units that make a quality complaint serious"),
        default=100,
        help_text=_("The quantity at or above which a quality complaint is serious (0: not used)."),
    )
    serious_nature_categories = models.CharField(
        _("categories serious by their nature"),
        max_length=500,
        blank=True,
        default="safety,product_quality.defect.design,product_quality.counterfeit",
        help_text=_("Comma-separated category codes (their sub-categories too) that are at least serious."),
    )

    class Meta:
        verbose_name = _("triage policy")
        verbose_name_plural = _("triage policies")

    def __str__(self) -> str:
        return str(_("triage policy"))

    @classmethod
    def current(cls) -> TriagePolicy:
        return cls.objects.order_by("id").first() or cls()


class ClassifierVersion(models.Model):
    """A trained category and severity classifier; the newest active one makes the suggestions."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trained_at = models.DateTimeField(_("trained at"))
    trained_by = models.ForeignKey(
        "accounts.User", verbose_name=_("trained by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    samples = models.PositiveIntegerField(_("training complaints"), default=0)
    overrides = models.PositiveIntegerField(_("staff corrections used"), default=0)
    metrics = models.JSONField(_("measured quality"), default=dict, blank=True)
    blob = models.BinaryField(editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("classifier version")
        verbose_name_plural = _("classifier versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"


class TriageSuggestion(models.Model):
    """What the classifier and the rules suggested for a complaint when it was registered."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_suggestion")
    model = models.ForeignKey(ClassifierVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category_confidence = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=10, blank=True, choices=Severity.choices)
    severity_confidence = models.FloatField(null=True, blank=True)
    words = models.JSONField(default=list, blank=True)
    rule = models.ForeignKey(SeverityRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_matched = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()


class OverrideField(models.TextChoices):
    CATEGORY = "category", _("category")
    SEVERITY = "severity", _("severity")


class TriageOverride(models.Model):
    """Staff chose something other than the suggestion: the next model learns from it."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_overrides")
    field = models.CharField(max_length=10, choices=OverrideField.choices)
    suggested = models.CharField(max_length=120, blank=True)
    chosen = models.CharField(max_length=120)
    model = models.ForeignKey(ClassifierVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "field"], name="triage_override_complaint")]


class LinkReason(models.TextChoices):
    PHONE = "phone", _("same phone number")
    EMAIL = "email", _("same e-mail address")
    TEXT = "text", _("similar text")
    STAFF = "staff", _("linked by staff")


class ComplaintLink(models.Model):
    """Two complaints about the same matter (SPEC IN-10), linked by staff after intake."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_links")
    other = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="triage_linked_from")
    reason = models.CharField(max_length=10, choices=LinkReason.choices, default=LinkReason.STAFF)
    score = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "other"], name="triage_link_once"),
            models.CheckConstraint(condition=~models.Q(complaint=models.F("other")), name="triage_link_not_self"),
        ]


class RiskReason(models.TextChoices):
    THREAT = "threat", _("threatens a regulator, the media or a court")
    REPEAT = "repeat", _("repeat contacts on the same matter")
    OVERDUE = "overdue", _("a deadline was missed")
    REJECTED = "rejected", _("the customer rejected a solution")
    UNSATISFIED = "unsatisfied", _("the customer was not satisfied at the callback")
    MAJOR = "major", _("major complaint")


class EscalationRisk(models.Model):
    """The escalation risk (上升风险) of an open complaint, with the reasons behind its score."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="escalation_risk")
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    flagged_at = models.DateTimeField(null=True, blank=True)
    assessed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["flagged", "-score"], name="triage_risk_flagged")]
