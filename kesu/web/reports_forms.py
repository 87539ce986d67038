"""Forms of the reports pages: the period picker and the sales-volume entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.web.supervision_forms import Labelled

GROUP_CHOICES = [
    ("", _("no grouping")),
    ("department", _("department")),
    ("category", _("category")),
    ("channel", _("channel")),
    ("person", _("person")),
    ("severity", _("severity")),
]
LEVEL_CHOICES = [("1", _("level 1")), ("2", _("level 2")), ("3", _("level 3")), ("4", _("level 4"))]
MONTH_CHOICES = [("12", _("12 months")), ("24", _("24 months"))]


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


class PeriodForm(Labelled, forms.Form):
    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))
    group_by = forms.ChoiceField(label=_("Group by"), choices=GROUP_CHOICES, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("date_from"), data.get("date_to")
        for name, value in (("date_from", first), ("date_to", last)):
            if value is not None and not 1900 <= value.year <= 2999:
                self.add_error(name, _("Enter a date between the years 1900 and 2999."))
        if first and last and last < first:
            self.add_error("date_to", _("The period ends before it starts."))
        elif first and last and (last - first).days > 3660:
            self.add_error("date_to", _("A period is at most ten years long."))
        return data


class AnalysisForm(PeriodForm):
    level = forms.ChoiceField(label=_("Reason level"), choices=LEVEL_CHOICES, required=False)
    months = forms.ChoiceField(label=_("Trend"), choices=MONTH_CHOICES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["group_by"]


class SalesVolumeForm(Labelled, forms.Form):
    period = forms.CharField(
        label=_("Month"), max_length=7, widget=forms.TextInput(attrs={"placeholder": "2026-11", "inputmode": "numeric"})
    )
    category = forms.ChoiceField(label=_("Product category"), required=False)
    units = forms.CharField(
        label=_("Units sold"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("all categories")), *categories]  # type: ignore[attr-defined]
