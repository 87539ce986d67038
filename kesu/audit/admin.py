from django.contrib import admin

from kesu.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin[AuditRecord]):
    """Read-only: the audit trail is append-only."""

    list_display = ("id", "at", "actor", "action", "object_type", "object_id", "chain_seq")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor")

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
