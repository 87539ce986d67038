"""Disclosure pages (SPEC RP-5): publishing a closed complaint's outcome from its page, the list of
published outcomes, the JR/T 0169-2018 export and its mapping. Thin edges over
kesu/reports/disclosure.py; a refusal keeps what was typed with the message by the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import User
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.reports import disclosure
from kesu.reports.models import DisclosureCode
from kesu.reports.services import may_read_reports
from kesu.web import disclosure_forms as df
from kesu.web import reports_forms as rf
from kesu.web.forms import apply_errors
from kesu.web.views import _panel


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_POST
def publish(request: HttpRequest, number: str) -> HttpResponse:
    """From the complaint page: publish (or correct) the closed complaint's outcome."""
    form = df.PublicationForm(request.POST)
    values = form.payload()
    return _panel(
        request,
        number,
        "publication",
        form,
        lambda: disclosure.outcome_publish(actor=_user(request), number=number, now=clock.now(), **values),
        _("The outcome is published in the public register."),
        "#h-publication",
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    try:
        disclosure.outcome_withdraw(actor=_user(request), number=number, now=clock.now())
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        raise DjangoPermissionDenied(str(exc)) from exc
    messages.success(request, _("The outcome was taken off the public register."))
    back = request.POST.get("next") or ""
    if back == "list":
        return redirect(reverse("web:disclosure"))
    return redirect(reverse("web:complaint", args=[number]) + "#h-publication")


def _context(request: HttpRequest, code_form: df.DisclosureCodeForm | None = None) -> dict[str, Any]:
    user = _user(request)
    if not (may_read_reports(user) or disclosure.may_publish(user)):
        raise DjangoPermissionDenied(_("Reports are for supervisors, managers and auditors."))
    manager = disclosure.may_publish(user)
    period = rf.PeriodForm(request.GET or None)
    if not request.GET:
        from django.utils import timezone

        first, last = rf.last_month(timezone.localdate(clock.now()))
        period = rf.PeriodForm({"date_from": first.isoformat(), "date_to": last.isoformat()})
    del period.fields["group_by"]
    period.is_valid()
    return {
        "nav": "disclosure",
        "manager": manager,
        "outcomes": disclosure.managed_outcomes(user=user) if manager else [],
        "period_form": period,
        "codes": list(DisclosureCode.objects.order_by("axis", "source")),
        "code_form": code_form or (df.DisclosureCodeForm() if manager else None),
        "public_url": reverse("portal:outcomes"),
    }


@login_required
@require_GET
def disclosure_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/disclosure/index.html", _context(request))


@login_required
@require_GET
def export(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in ("csv", "xlsx"):
        raise Http404
    user = _user(request)
    form = rf.PeriodForm(request.GET)
    del form.fields["group_by"]
    if not form.is_valid():
        context = _context(request)
        context["period_form"] = form
        return render(request, "web/disclosure/index.html", context, status=400)
    try:
        rows = disclosure.jrt_export(
            user=user, date_from=form.cleaned_data["date_from"], date_to=form.cleaned_data["date_to"]
        )
    except DomainError as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    content, content_type = disclosure.export_file(rows, file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    response["Content-Disposition"] = f'attachment; filename="jrt0169-{first:%Y%m%d}-{last:%Y%m%d}.{file_format}"'
    return response


@login_required
@require_POST
def code_save(request: HttpRequest) -> HttpResponse:
    form = df.DisclosureCodeForm(request.POST)
    try:
        disclosure.disclosure_code_set(actor=_user(request), now=clock.now(), **form.payload())
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied(str(exc)) from exc
        apply_errors(form, exc.errors)
        return render(request, "web/disclosure/index.html", _context(request, code_form=form), status=exc.status)
    messages.success(request, _("The JR/T code is saved."))
    return redirect(reverse("web:disclosure") + "#h-codes")
