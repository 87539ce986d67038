from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """Append-only. `digest` is the SHA-256 of the record's content, written with the change;
    the sealer later links records into one chain (`chain_seq`, `prev_hash`, `chain_hash`)
    so intake never waits on a global lock."""

    at = models.DateTimeField(_("at"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object"), max_length=60)
    data = models.JSONField(default=dict)
    digest = models.CharField(max_length=64)
    chain_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["id"], condition=models.Q(chain_seq__isnull=True), name="audit_unsealed"),
        ]


class AuditChainHead(models.Model):
    """A single row: the last sealed record. Locked by the sealer only.

    `keyed_from_seq` / `keyed_from_id` record the cut-over to the keyed chain: links from that
    sequence on, and digests of records from that id on, are HMAC-SHA256 under the key kept
    outside the database; earlier ones (written before keying) are plain SHA-256. The cut-over is
    copied into every anchor, so moving it later (to pass off a rewrite as old) is reported."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    keyed_from_seq = models.BigIntegerField(default=1)
    keyed_from_id = models.BigIntegerField(default=1)
    # The highest sequence copied to the anchor file: an anchor file that lost it (truncated,
    # replaced) is reported; an attacker must then change both the database and the file.
    anchored_seq = models.BigIntegerField(default=0)
