from django.contrib import admin

from kesu.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only view of the outbox; messages are written by services and delivered by tasks."""

    list_display = ("id", "kind", "channel", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "kind", "channel")
    exclude = ("recipient", "body")  # may hold customers' contact data

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
