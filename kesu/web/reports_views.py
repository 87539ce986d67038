"""Reports pages for managers (SPEC RP-1…RP-4): indicators with the previous period beside them,
sales volumes, analysis, the ledger exported from any queue, the archive of scheduled reports.

Thin edges: parse, call the reports selector or service, render; refusals answer 403 and write
nothing; a form that fails keeps what was typed with the service's message by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.accounts.models import User
from kesu.complaints.selectors import visible_complaints
from kesu.core import clock
from kesu.core.errors import ValidationFailed
from kesu.reports import ledger
from kesu.reports.analysis import analysis as analysis_of
from kesu.reports.kpis import INDICATORS, kpi_report
from kesu.reports.services import may_enter_sales_volumes, may_read_reports, sales_volume_set, sales_volumes
from kesu.reports.tallies import refresh_tallies
from kesu.triage.models import Category
from kesu.web import reports_forms as rf
from kesu.web.forms import apply_errors

# The group columns of the grouped table (a subset: the page stays readable).
GROUP_COLUMNS = [
    "received",
    "closed",
    "open_at_end",
    "on_time_rate",
    "satisfaction_rate",
    "incidence_rate",
    "reopen_rate",
]
KIND_LABELS = {
    "acknowledge": gettext_lazy("acknowledge"),
    "reply": gettext_lazy("reply to the customer"),
    "close": gettext_lazy("close"),
    "callback_contact": gettext_lazy("wait for the customer to call back"),
}
# Which queue filter a group's key drills down into (the queue has no filter by person).
DRILL_FILTER = {"department": "department", "category": "category", "channel": "channel", "severity": "severity"}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require_reader(user: User) -> None:
    if not may_read_reports(user):
        raise DjangoPermissionDenied(_("Indicators are for supervisors, managers and auditors."))


def _period(
    request: HttpRequest, form_class: type[rf.PeriodForm]
) -> tuple[rf.PeriodForm, dt.date | None, dt.date | None]:
    today = timezone.localdate(clock.now())
    first, last = rf.last_month(today)
    data = request.GET.copy() if request.GET else QueryDict(mutable=True)
    data.setdefault("date_from", first.isoformat())
    data.setdefault("date_to", last.isoformat())
    form = form_class(data)
    if form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, None, None


def _categories() -> list[tuple[str, str]]:
    return [(c.code, c.localized_name) for c in Category.objects.filter(level=1).order_by("code")]


def _drill(group_by: str | None, key: str) -> str | None:
    name = DRILL_FILTER.get(group_by or "")
    if not name or not key:
        return None
    return reverse("web:workspace") + "?" + urlencode({"queue": "all", name: key})


def _indicator_context(request: HttpRequest, sales_form: rf.SalesVolumeForm | None = None) -> dict[str, Any]:
    user = _user(request)
    form, date_from, date_to = _period(request, rf.PeriodForm)
    report = None
    table: list[dict[str, Any]] = []
    groups: list[dict[str, Any]] = []
    chart: dict[str, Any] = {}
    kinds: list[dict[str, Any]] = []
    group_by = form.cleaned_data.get("group_by") or None if form.is_valid() else None
    if date_from and date_to:
        refresh_tallies(now=clock.now())
        report = kpi_report(user=user, date_from=date_from, date_to=date_to, group_by=group_by)
        total = report["total"]
        table = [
            {"key": key, "label": label, "kind": kind, "now": total[key], "before": total["previous"][key]}
            for key, label, kind in INDICATORS
        ]
        kinds = [
            {
                "label": KIND_LABELS.get(kind, kind),
                "now": total["on_time_by_kind"].get(kind),
                "before": total["previous"]["on_time_by_kind"].get(kind),
            }
            for kind in report["deadline_kinds"]
        ]
        for group in report["groups"]:
            groups.append(
                {
                    "label": group["label"],
                    "drill": _drill(group_by, group["key"]),
                    "cells": [
                        {
                            "kind": next(kind for key, _label, kind in INDICATORS if key == column),
                            "now": group[column],
                            "before": group["previous"][column],
                        }
                        for column in GROUP_COLUMNS
                    ],
                }
            )
        chart = {
            "labels": [g["label"] for g in report["groups"]] or [str(_("Total"))],
            "received": [g["received"] for g in report["groups"]] or [total["received"]],
            "previous": [g["previous"]["received"] for g in report["groups"]] or [total["previous"]["received"]],
            "on_time": [g["on_time_rate"] for g in report["groups"]] or [total["on_time_rate"]],
            "satisfaction": [g["satisfaction_rate"] for g in report["groups"]] or [total["satisfaction_rate"]],
            "drill": [_drill(group_by, g["key"]) for g in report["groups"]],
            "names": {
                "received": str(_("Complaints received")),
                "previous": str(_("Received, previous period")),
                "on_time": str(_("On-time rate")),
                "satisfaction": str(_("Satisfaction rate")),
            },
        }
    column_labels = [label for key, label, _kind in INDICATORS if key in GROUP_COLUMNS]
    may_enter = may_enter_sales_volumes(user)
    if sales_form is None and may_enter:
        sales_form = rf.SalesVolumeForm(categories=_categories())
    return {
        "nav": "indicators",
        "form": form,
        "report": report,
        "table": table,
        "kinds": kinds,
        "groups": groups,
        "column_labels": column_labels,
        "chart": chart,
        "sales_form": sales_form,
        "sales": sales_volumes() if may_enter else [],
        "group_by": group_by,
    }


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    _require_reader(_user(request))
    context = _indicator_context(request)
    return render(request, "web/reports/indicators.html", context, status=422 if context["form"].errors else 200)


@login_required
@require_POST
def sales_volume_add(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_enter_sales_volumes(user):
        raise DjangoPermissionDenied(_("Only managers enter sales volumes."))
    form = rf.SalesVolumeForm(request.POST, categories=_categories())
    if form.is_valid():
        data = form.cleaned_data
        try:
            row, _created = sales_volume_set(
                actor=user,
                period=data["period"],
                units=data["units"],
                category=data["category"] or None,
                now=clock.now(),
            )
        except ValidationFailed as error:
            apply_errors(form, error.errors)
        else:
            messages.success(request, _("Sales volume for %(month)s saved.") % {"month": row.period})
            return redirect(reverse("web:indicators"))
    context = _indicator_context(request, sales_form=form)
    return render(request, "web/reports/indicators.html", context, status=422)


@login_required
@require_GET
def analysis(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_reader(user)
    form, date_from, date_to = _period(request, rf.AnalysisForm)
    refresh_tallies(now=clock.now())  # the trends of the whole organisation are read from them
    result = None
    chart: dict[str, Any] = {}
    if date_from and date_to:
        level = int(form.cleaned_data.get("level") or 1)
        months = int(form.cleaned_data.get("months") or 12)
        result = analysis_of(user=user, date_from=date_from, date_to=date_to, level=level, months=months)
        queue = reverse("web:workspace")
        chart = {
            "pareto": {
                "labels": [r.label for r in result.reasons],
                "counts": [r.count for r in result.reasons],
                "cumulative": [r.cumulative for r in result.reasons],
                "drill": [
                    queue + "?" + urlencode({"queue": "all", "category": r.key}) if r.key else None
                    for r in result.reasons
                ],
            },
            "causes": {
                "labels": [r.label for r in result.root_causes],
                "counts": [r.count for r in result.root_causes],
            },
            "trend": {
                "months": result.trend_months,
                "received": result.trend_received,
                "closed": result.trend_closed,
            },
            "departments": {
                "labels": [r.label for r in result.departments],
                "counts": [r.complaints for r in result.departments],
            },
            "names": {
                "count": str(_("Complaints")),
                "cumulative": str(_("Cumulative share")),
                "received": str(_("Complaints received")),
                "closed": str(_("Complaints closed")),
            },
        }
    return render(
        request,
        "web/reports/analysis.html",
        {"nav": "analysis", "form": form, "result": result, "chart": chart},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_export(request: HttpRequest) -> HttpResponseBase:
    """The ledger of a queue: POST with `numbers` exports the selection; GET exports the whole
    filter (the queue's own query string). `format`: xlsx (default) or csv."""
    from kesu.api.reports import ledger_response
    from kesu.web.queue_forms import QueueForm
    from kesu.web.selectors import IS_OPEN, filter_choices, queue_q, queues_for

    user = _user(request)
    source = request.POST if request.method == "POST" else request.GET
    file_format = "csv" if source.get("format") == "csv" else "xlsx"
    numbers = [str(n) for n in source.getlist("numbers")] if request.method == "POST" else []
    now = clock.now()
    if numbers:
        queryset = visible_complaints(user).filter(number__in=numbers)
    else:
        from kesu.complaints.selectors import ComplaintFilters, complaint_list

        # A POST without a selection exports the queue it came from (its path in `next`).
        back = str(source.get("next", ""))
        query_data = (
            QueryDict(back.split("?", 1)[1] if "?" in back else "") if request.method == "POST" else request.GET
        )
        form = QueueForm(query_data, **filter_choices())
        query = form.query(query_data.get("queue", ""), None, str(query_data.get("q", "")))
        queues = queues_for(user)
        queue = query.queue if query.queue in queues else "all"
        received_from = received_to = None
        if query.day is not None:
            tz = timezone.get_current_timezone()
            received_from = dt.datetime.combine(query.day, dt.time.min, tzinfo=tz)
            received_to = received_from + dt.timedelta(days=1)
        filters = ComplaintFilters(
            received_from=received_from,
            received_to=received_to,
            status=("" if query.status == "open" else query.status) or None,
            severity=query.severity or None,
            channel=query.channel or None,
            category=query.category or None,
            department=query.department or None,
            q=query.q or None,
        )
        queryset = complaint_list(user=user, filters=filters, now=now).filter(queue_q(queue, user=user, now=now))
        if query.status == "open":
            queryset = queryset.filter(IS_OPEN)
    return ledger_response(ledger.ledger_table(user=user, queryset=queryset), file_format=file_format)


def _archive_context(user: User) -> dict[str, Any]:
    from kesu.reports.forms import PERIOD_FORMS
    from kesu.reports.models import ReportKind, ReportRun, ReportSubscription

    runs = list(ReportRun.objects.order_by("-period_end", "kind")[:200])
    subscribed = set(ReportSubscription.objects.filter(user=user).values_list("kind", flat=True))
    kinds = [{"code": k.value, "label": k.label, "subscribed": k.value in subscribed} for k in ReportKind]
    return {
        "nav": "report_archive",
        "runs": runs,
        "kinds": kinds,
        "period_forms": [{"code": code, "label": label} for code, label in PERIOD_FORMS.items()],
    }


@login_required
@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    """The scheduled reports kept so far, newest first, the caller's subscriptions, and the
    period forms to print."""
    user = _user(request)
    _require_reader(user)
    form, _first, _last = _period(request, rf.PeriodForm)
    return render(request, "web/reports/archive.html", {**_archive_context(user), "period_form": form})


@login_required
@require_POST
def subscription_toggle(request: HttpRequest, kind: str) -> HttpResponse:
    from django.http import Http404

    from kesu.reports.models import ReportKind
    from kesu.reports.services import report_subscription_set

    user = _user(request)
    _require_reader(user)
    if kind not in ReportKind.values:
        raise Http404  # the address names no report
    report_subscription_set(actor=user, kind=kind, on=request.POST.get("on") == "1")
    return redirect(reverse("web:report_archive"))


@login_required
@require_GET
def archive_file(request: HttpRequest, run_id: int, file_format: str) -> HttpResponseBase:
    from django.http import FileResponse, Http404

    from kesu.reports.models import ReportRun

    _require_reader(_user(request))
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None or file_format not in ("xlsx", "pdf"):
        raise Http404(_("No such report."))
    stored = run.xlsx if file_format == "xlsx" else run.pdf
    name = f"{run.kind}-{run.period_start.isoformat()}-{run.period_end.isoformat()}.{file_format}"
    return FileResponse(stored.open("rb"), as_attachment=True, filename=name)


@login_required
@require_GET
def complaint_form(request: HttpRequest, number: str, form: str, pdf: bool = False) -> HttpResponse:
    """A complaint's form as a print page (the browser prints it) or as PDF."""
    from django.http import Http404

    from kesu.core.errors import NotFound
    from kesu.reports.forms import complaint_form_html, html_to_pdf

    try:
        html = complaint_form_html(user=_user(request), number=number, form=form, print_page=not pdf)
    except NotFound as error:
        raise Http404(str(error)) from error
    if pdf:
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{form}-{number}.pdf"'
        return response
    return HttpResponse(html)


@login_required
@require_GET
def period_form(request: HttpRequest, form: str, pdf: bool = False) -> HttpResponse:
    from django.http import Http404

    from kesu.reports.forms import PERIOD_FORMS, html_to_pdf, period_form_html

    if form not in PERIOD_FORMS:
        raise Http404(_("No such form."))
    period_form_data, date_from, date_to = _period(request, rf.PeriodForm)
    if date_from is None or date_to is None:
        return render(
            request,
            "web/reports/archive.html",
            {**_archive_context(_user(request)), "period_form": period_form_data},
            status=422,
        )
    html = period_form_html(user=_user(request), form=form, date_from=date_from, date_to=date_to, print_page=not pdf)
    if pdf:
        response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{form}-{date_from}-{date_to}.pdf"'
        return response
    return HttpResponse(html)
