from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kesu.core import clock
from kesu.notifications.letters import letter_template_save
from kesu.notifications.models import LetterTemplate, OutboxMessage
from kesu.notifications.templating import LETTER_VARIABLES


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


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and (user.is_superuser or getattr(user, "role", None) == "admin"))


class LetterTemplateForm(forms.ModelForm[LetterTemplate]):
    """The model's clean() checks both fields against the kind's variables and the sandbox's
    syntax; errors name the unknown variable or the syntax problem."""

    class Meta:
        model = LetterTemplate
        fields = ("kind", "language", "subject", "body", "internal")
        widgets = {"body": forms.Textarea(attrs={"rows": 20, "cols": 100})}


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin[LetterTemplate]):
    form = LetterTemplateForm
    list_display = ("kind", "language", "subject", "internal", "version", "updated_at", "updated_by")
    list_filter = ("kind", "language", "internal")
    readonly_fields = ("variables", "version", "updated_at", "updated_by")

    @admin.display(description=_("variables you may use"))
    def variables(self, obj: LetterTemplate) -> str:
        return ", ".join(f"{{{{ {name} }}}}" for name in LETTER_VARIABLES.get(obj.kind, ()))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a missing template would silence a letter; edit it instead

    def save_model(self, request: HttpRequest, obj: LetterTemplate, form: Any, change: bool) -> None:
        letter_template_save(actor=request.user, template=obj, now=clock.now())  # type: ignore[arg-type]
