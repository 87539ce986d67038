"""The complaint page's violation panel (SPEC §7): a supervisor records the violation the handling
found, then its report to internal audit. Thin edges over kesu/resolution/internal_audit.py."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kesu.core import clock
from kesu.resolution.internal_audit import internal_audit_reported, violation_found
from kesu.web.supervision_forms import Labelled
from kesu.web.views import _panel


class ViolationForm(Labelled, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("The violation found"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What rule or law was broken, and by whom; the report is due in 3 working days."),
    )


class AuditReportForm(Labelled, forms.Form):
    reference = forms.CharField(label=gettext_lazy("Reference of the report"), max_length=100)
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@require_POST
def violation(request: HttpRequest, number: str) -> HttpResponse:
    form = ViolationForm(request.POST)
    note = request.POST.get("note", "")
    return _panel(
        request,
        number,
        "violation",
        form,
        lambda: violation_found(actor=request.user, number=number, note=note, now=clock.now()),  # type: ignore[arg-type]
        _("The violation is recorded; report it to internal audit within 3 working days."),
        "#h-violation",
    )


@login_required
@require_POST
def audit_report(request: HttpRequest, number: str) -> HttpResponse:
    form = AuditReportForm(request.POST)
    reference, note = request.POST.get("reference", ""), request.POST.get("note", "")
    return _panel(
        request,
        number,
        "audit_report",
        form,
        lambda: internal_audit_reported(
            actor=request.user,  # type: ignore[arg-type]
            number=number,
            reference=reference,
            note=note,
            now=clock.now(),
        ),
        _("The report to internal audit is recorded."),
        "#h-violation",
    )
