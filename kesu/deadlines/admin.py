"""Admin for the calendar, policies, presets and settings. Every save bumps the configuration
version (so all processes reload) and calendar edits recompute the open deadlines concerned.
Pages of this section carry a warning while a year lacks its official schedule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.core import clock
from kesu.core.errors import ValidationFailed
from kesu.deadlines.calendar import (
    bump_version,
    calendar_edited,
    calendar_import_year,
    calendar_load_package,
    parse_calendar_csv,
)
from kesu.deadlines.models import (
    CalendarDay,
    CalendarSource,
    CalendarYear,
    ComplaintDeadline,
    DeadlineKind,
    DeadlineSettings,
    Escalation,
    RegulatoryPreset,
    SlaPolicy,
)
from kesu.deadlines.selectors import calendar_missing_years


class _WarnMissingYears:
    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        for year in calendar_missing_years(now=clock.now()):
            messages.warning(
                request,
                _(
                    "No official holiday schedule for %(year)d: deadlines in it count Monday to Friday only. "
                    "Import or enter the schedule as soon as it is published."
                )
                % {"year": year},
            )
        response: HttpResponse = super().changelist_view(request, extra_context)  # type: ignore[misc]
        return response


class _BumpsVersion:
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        bump_version()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)  # type: ignore[misc]
        bump_version()


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("year"), min_value=2000, max_value=2100)
    file = forms.FileField(label=gettext_lazy("CSV file: date,kind,name (kind: holiday or workday)"))


@admin.register(CalendarYear)
class CalendarYearAdmin(_WarnMissingYears, admin.ModelAdmin[CalendarYear]):
    list_display = ("year", "source", "note", "updated_at")
    readonly_fields = ("updated_at",)
    change_list_template = "admin/deadlines/calendaryear/change_list.html"
    actions = ["reload_from_package"]

    def get_urls(self) -> list[Any]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="deadlines_calendar_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                days = parse_calendar_csv(form.cleaned_data["file"].read().decode("utf-8-sig"))
                imported = calendar_import_year(
                    actor=request.user, year=form.cleaned_data["year"], days=days, now=clock.now()
                )
            except ValidationFailed as exc:
                for error in exc.errors:
                    form.add_error(None, f"{error.field}: {error.message}")
            else:
                messages.success(
                    request,
                    _(
                        "%(year)d imported: %(holidays)d holidays, %(workdays)d make-up working days; "
                        "%(recomputed)d complaints' deadlines recomputed."
                    )
                    % imported.__dict__,
                )
                return redirect("admin:deadlines_calendaryear_changelist")
        return render(
            request,
            "admin/deadlines/calendaryear/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "title": _("Import a year's schedule"),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=gettext_lazy("Reload the selected years from the chinese-calendar package"))
    def reload_from_package(self, request: HttpRequest, queryset: Any) -> None:
        years = calendar_load_package(
            now=clock.now(), years=list(queryset.values_list("year", flat=True)), replace=True
        )
        messages.info(request, _("Reloaded: %(years)s") % {"years": ", ".join(map(str, years)) or "-"})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)
        calendar_edited(actor=request.user, years=[obj.year], now=clock.now())


@admin.register(CalendarDay)
class CalendarDayAdmin(_WarnMissingYears, admin.ModelAdmin[CalendarDay]):
    list_display = ("date", "kind", "name", "source")
    list_filter = ("kind", "source")
    date_hierarchy = "date"
    search_fields = ("name",)
    readonly_fields = ("source", "updated_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        if not change:
            obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)
        calendar_edited(actor=request.user, years=[obj.date.year], now=clock.now())

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        year = obj.date.year
        super().delete_model(request, obj)
        calendar_edited(actor=request.user, years=[year], now=clock.now())


@admin.register(DeadlineKind)
class DeadlineKindAdmin(_BumpsVersion, admin.ModelAdmin[DeadlineKind]):
    list_display = ("code", "name", "met_when", "escalates", "builtin")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not (obj is not None and obj.builtin)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(_WarnMissingYears, _BumpsVersion, admin.ModelAdmin[SlaPolicy]):
    list_display = (
        "kind",
        "name",
        "amount",
        "unit",
        "by_time",
        "severity",
        "urgency",
        "channel",
        "category",
        "overseas",
        "active",
    )
    list_filter = ("kind", "unit", "active", "severity", "channel")
    list_editable = ("active",)


@admin.register(RegulatoryPreset)
class RegulatoryPresetAdmin(_BumpsVersion, admin.ModelAdmin[RegulatoryPreset]):
    list_display = ("code", "__str__", "enabled")
    list_editable = ("enabled",)
    readonly_fields = ("code",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DeadlineSettings)
class DeadlineSettingsAdmin(_WarnMissingYears, _BumpsVersion, admin.ModelAdmin[DeadlineSettings]):
    list_display = (
        "__str__",
        "business_start",
        "business_end",
        "time_zone",
        "reminder_leads",
        "auto_close_unreachable",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not DeadlineSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if obj.business_end <= obj.business_start:
            raise DjangoValidationError(_("Business hours must end after they start."))
        super().save_model(request, obj, form, change)


@admin.register(ComplaintDeadline)
class ComplaintDeadlineAdmin(admin.ModelAdmin[ComplaintDeadline]):
    list_display = ("complaint", "kind", "due_at", "state", "on_time", "met_at", "missed_at", "preset")
    list_filter = ("kind", "state", "on_time", "preset")
    search_fields = ("complaint__number",)
    list_select_related = ("complaint",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin[Escalation]):
    list_display = ("complaint", "at", "from_level", "to_level", "cause", "reason")
    list_filter = ("cause", "to_level")
    search_fields = ("complaint__number",)
    list_select_related = ("complaint",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
