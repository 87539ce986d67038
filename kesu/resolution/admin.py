from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kesu.resolution.models import Adjudication, ApprovalAuthority, DepartmentTask, FollowUpVisit, ReturnDocument


@admin.register(ApprovalAuthority)
class ApprovalAuthorityAdmin(admin.ModelAdmin[ApprovalAuthority]):
    list_display = ("role", "department", "limit")
    list_filter = ("role", "department")


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Written only through the services (timeline and audit with every change); the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReturnDocument)
class ReturnDocumentAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "kind",
        "amount",
        "approved_quantity",
        "returned_quantity",
        "reconciliation",
        "created_at",
    )
    list_filter = ("kind", "reconciliation")
    search_fields = ("number", "complaint__number")


@admin.register(DepartmentTask)
class DepartmentTaskAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "department", "status", "due_at", "finished_at")
    list_filter = ("status", "department")


@admin.register(FollowUpVisit)
class FollowUpVisitAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "scheduled_for", "method", "status", "satisfied")
    list_filter = ("status", "method")


@admin.register(Adjudication)
class AdjudicationAdmin(ReadOnlyAdmin):
    list_display = ("complaint", "validity", "kind", "staff", "ruled_by", "ruled_at")
    list_filter = ("validity", "kind")
