from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Customer(models.Model):
    """A complainant, deduplicated by normalised phone (E.164) and by lower-cased e-mail."""

    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, null=True, blank=True, unique=True)
    email = models.EmailField(_("e-mail"), max_length=254, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created at"))
    # Set when the personal fields were anonymised (on request or by the retention job, PIPL).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name
