"""Forms of the disclosure pages (SPEC RP-5): an outcome for the public register, a JR/T code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.reports.models import DisclosureAxis
from kesu.web.supervision_forms import Labelled


class PublicationForm(Labelled, forms.Form):
    summary = forms.CharField(
        label=_("Summary for the public"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What happened, in words that name nobody: no name, phone, number or address."),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How it was settled and what the organisation changed."),
    )

    def payload(self) -> dict[str, Any]:
        return {"summary": self.data.get("summary", ""), "outcome": self.data.get("outcome", "")}


class DisclosureCodeForm(Labelled, forms.Form):
    axis = forms.ChoiceField(label=_("Axis"), choices=DisclosureAxis.choices)
    source = forms.CharField(
        label=_("Kesu code"),
        max_length=120,
        help_text=_("A channel code (axis A) or a category code (axes B and C); * for everything else."),
    )
    code = forms.CharField(label=_("JR/T code"), max_length=20)
    label = forms.CharField(label=_("JR/T name"), max_length=120)

    def payload(self) -> dict[str, Any]:
        return {name: self.data.get(name, "") for name in ("axis", "source", "code", "label")}
