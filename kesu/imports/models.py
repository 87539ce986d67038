"""Spreadsheet imports (SPEC IN-9): an uploaded file kept between preview and import, and the
rows already imported (what makes running the same file twice store each row once)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchState(models.TextChoices):
    PREVIEW = "preview", _("checked, not imported yet")
    QUEUED = "queued", _("waiting to be imported")
    RUNNING = "running", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("stopped by an error")


class ImportBatch(models.Model):
    """One uploaded file: its rows as read, the column mapping, the checks and the progress."""

    filename = models.CharField(_("file"), max_length=200)
    preset = models.CharField(_("kind of file"), max_length=20, default="generic")
    historical = models.BooleanField(_("historical complaints"), default=False)
    default_channel = models.CharField(_("channel for rows without one"), max_length=20, blank=True)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column index (as text) → field key, "" for ignored
    rows = models.JSONField(default=list)  # every cell as text, in file order
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.PREVIEW)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("rows handled"), default=0)
    created_count = models.PositiveIntegerField(_("complaints created"), default=0)
    skipped_count = models.PositiveIntegerField(_("rows already imported"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    problems = models.JSONField(default=list)  # [{"row", "column", "field", "message"}]
    error = models.TextField(blank=True)
    language = models.CharField(max_length=10, default="zh-hans")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"))
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "id"], name="import_batch_state")]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 100


class ImportedRecord(models.Model):
    """A row already turned into a complaint: `key` is `ref:<external_ref>`, or, for a row
    without one, `row:<hash of its values>`. Unique, so no row is ever imported twice."""

    key = models.CharField(max_length=120, unique=True)
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="records")
    row = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
