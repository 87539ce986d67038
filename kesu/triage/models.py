from __future__ import annotations

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

    @property
    def localized_path(self) -> str:
        """The names from the top level down, in the reader's language (食品安全 › 过期变质)."""
        names: list[str] = []
        node: Category | None = self
        while node is not None and len(names) < 6:
            names.append(node.localized_name)
            node = node.parent
        return " › ".join(reversed(names))

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
        lines = "\n".join([self.keywords_zh_hans, self.keywords_zh_hant, self.keywords_en])
        return [w.strip().lower() for w in lines.splitlines() if w.strip()]

    def channel_codes(self) -> set[str]:
        return {c.strip() for c in self.channels.split(",") if c.strip()}
