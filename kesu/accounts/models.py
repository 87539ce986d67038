from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    AGENT = "agent", _("customer service agent")
    SUPERVISOR = "supervisor", _("shift supervisor")
    MANAGER = "manager", _("customer service manager")
    HANDLER = "handler", _("department handler")
    GM = "gm", _("general manager")
    AUDITOR = "auditor", _("auditor (read-only)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")


class SignInThrottle(models.Model):
    """Failed sign-ins of one account or one address (kesu.accounts.throttle), when no Redis is
    configured: a decaying score, the lockouts so far (each one longer) and until when it holds."""

    key = models.CharField(max_length=200, unique=True)
    score = models.FloatField(default=0)
    strikes = models.PositiveIntegerField(default=0)
    updated_at = models.FloatField(default=0)  # Unix time of the last change
    locked_until = models.FloatField(default=0)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")
