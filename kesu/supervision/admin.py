from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kesu.supervision.models import CorrectiveAction, QualityReview, SampleRun


class _ReadOnly:
    """Supervision records change only through the services (history and audit with each change)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(_ReadOnly, admin.ModelAdmin[CorrectiveAction]):
    list_display = ("id", "title", "owner", "department", "due_at", "status", "overdue", "escalation_level")
    list_filter = ("status", "overdue", "department")
    search_fields = ("title", "complaints__number")


@admin.register(SampleRun)
class SampleRunAdmin(_ReadOnly, admin.ModelAdmin[SampleRun]):
    list_display = ("id", "period_start", "period_end", "size", "population", "seed", "drawn_by", "drawn_at")


@admin.register(QualityReview)
class QualityReviewAdmin(_ReadOnly, admin.ModelAdmin[QualityReview]):
    list_display = ("id", "run", "complaint", "department", "reviewer", "score", "reviewed_at")
    list_filter = ("run", "department")
