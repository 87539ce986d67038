from __future__ import annotations

from django.db import models


class ReferenceVersion(models.Model):
    """One row whose `token` changes, by database trigger, in the same transaction as any write to
    a reference table (kesu/core/reference.py): processes compare it with what they cached."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = "reference data version"
