"""Scheduled reports (SPEC RP-3): the weekly summary every Monday, the monthly summary by the
5th and the monthly statistics of closed complaints (responsibility shares, losses and penalties
per department and person, SPEC IV-2, SV-4) by the 10th, as XLSX and PDF.

`kesu report KIND --at T` writes the report for the period that ends before T. The scheduler
produces each report on its day (local time); when that day is not a working day (the working-day
calendar of kesu.deadlines), on the working day before, for the period its day reports."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint, Status
from kesu.core import clock
from kesu.reports.analysis import Analysis, analysis
from kesu.reports.kpis import INDICATORS, kpi_report, local_bounds
from kesu.reports.models import ReportKind, ReportRun, ReportSubscription
from kesu.reports.tallies import refresh_tallies

KINDS = tuple(k.value for k in ReportKind)
NOMINAL_DAY = {"monthly": 5, "statistics": 10}  # weekly: Monday


def report_period(kind: str, at: dt.datetime) -> tuple[dt.date, dt.date]:
    """The period that ends before `at` (local): the last complete Monday–Sunday for the weekly
    summary, the last complete calendar month otherwise. Both dates inclusive."""
    day = timezone.localtime(at, timezone.get_default_timezone()).date()
    if kind == "weekly":
        end = day - dt.timedelta(days=day.weekday() + 1)
        return end - dt.timedelta(days=6), end
    end = day.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


def _is_nominal(kind: str, day: dt.date) -> bool:
    return day.weekday() == 0 if kind == "weekly" else day.day == NOMINAL_DAY[kind]


def production_day(nominal: dt.date, is_working_day: Any) -> dt.date:
    """The nominal day, or the last working day before it when it is not one."""
    day = nominal
    while not is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def reports_due(today: dt.date, is_working_day: Any) -> list[tuple[str, dt.date]]:
    """(kind, nominal day) of every report to produce on `today`: a report's day in the next two
    weeks whose production day (itself, or the working day before it) is today."""
    due = []
    for kind in KINDS:
        for offset in range(15):
            nominal = today + dt.timedelta(days=offset)
            if _is_nominal(kind, nominal) and production_day(nominal, is_working_day) == today:
                due.append((kind, nominal))
    return due


# --- content ------------------------------------------------------------------------------------


@dataclass
class ReportContent:
    kind: str
    title: str
    date_from: dt.date
    date_to: dt.date
    kpis: dict[str, Any]
    by_department: dict[str, Any]
    analysis: Analysis
    closed: list[dict[str, Any]]


def _closed_rows(date_from: dt.date, date_to: dt.date) -> list[dict[str, Any]]:
    start, end = local_bounds(date_from, date_to)
    rows = (
        Complaint.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .select_related("department", "investigation__responsible_department", "investigation__responsible_person")
        .order_by("closed_at", "id")
    )
    out = []
    for c in rows.iterator(chunk_size=2000):
        inv = getattr(c, "investigation", None)
        out.append(
            {
                "number": c.number,
                "closed_at": timezone.localtime(c.closed_at).strftime("%Y-%m-%d"),
                "department": c.department.name if c.department else "",
                "responsibility": str(inv.get_responsibility_display()) if inv and inv.responsibility else "",
                "responsible_department": inv.responsible_department.name if inv and inv.responsible_department else "",
                "responsible_person": str(inv.responsible_person) if inv and inv.responsible_person else "",
                "loss": inv.loss_amount if inv and inv.loss_amount is not None else None,
                "penalty": inv.penalty_amount if inv and inv.penalty_amount is not None else None,
            }
        )
    return out


def report_content(kind: str, *, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> ReportContent:
    """The figures of a report, the tallies first brought in step as of `now`."""
    refresh_tallies(now=now)
    titles = {
        "weekly": _("Weekly complaint summary"),
        "monthly": _("Monthly complaint summary"),
        "statistics": _("Monthly statistics of closed complaints"),
    }
    return ReportContent(
        kind=kind,
        title=titles[kind],
        date_from=date_from,
        date_to=date_to,
        kpis=kpi_report(user=None, date_from=date_from, date_to=date_to),
        by_department=kpi_report(user=None, date_from=date_from, date_to=date_to, group_by="department"),
        analysis=analysis(user=None, date_from=date_from, date_to=date_to, level=1, months=12),
        closed=_closed_rows(date_from, date_to) if kind == "statistics" else [],
    )


def _indicator_rows(content: ReportContent) -> list[tuple[str, str, str]]:
    total = content.kpis["total"]
    rows = []
    for key, label, kind in INDICATORS:
        rows.append((str(label), _format(total[key], kind), _format(total["previous"][key], kind)))
    return rows


def _format(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "hours":
        return f"{value:.1f}"
    return f"{value:,}"


def bar_chart_svg(labels: list[str], values: Sequence[float], *, width: int = 640, height: int = 240) -> str:
    """A plain SVG bar chart (WeasyPrint draws SVG; no script is needed)."""
    if not values:
        return ""
    top = max(values) or 1
    left, bottom, gap = 40, 50, 6
    slot = (width - left - 10) / len(values)
    bar = max(4.0, slot - gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#555"/>',
    ]
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = (height - bottom - 20) * value / top
        x = left + index * slot + gap / 2
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="#3a6ea5"/>')
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{y - 4:.1f}" font-size="10" text-anchor="middle">{value:g}</text>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
            f"{escape(label[:8])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def render_xlsx(content: ReportContent) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)
    sheet = workbook.active
    sheet.title = _("Indicators")[:31]
    sheet.append([content.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"{content.date_from.isoformat()} – {content.date_to.isoformat()}"])
    sheet.append([_("Indicator"), _("This period"), _("Previous period")])
    for cell in sheet[3]:
        cell.font = bold
    for row in _indicator_rows(content):
        sheet.append(list(row))
    departments = workbook.create_sheet(_("By department")[:31])
    departments.append(
        [_("Department"), _("Complaints received"), _("Complaints closed"), _("On-time rate"), _("Satisfaction rate")]
    )
    for group in content.by_department["groups"]:
        departments.append(
            [
                group["label"],
                group["received"],
                group["closed"],
                _format(group["on_time_rate"], "rate"),
                _format(group["satisfaction_rate"], "rate"),
            ]
        )
    reasons = workbook.create_sheet(_("Pareto of reasons")[:31])
    reasons.append([_("Reason"), _("Complaints"), _("Share"), _("Cumulative share")])
    for r in content.analysis.reasons:
        reasons.append([r.label, r.count, _format(r.share, "rate"), _format(r.cumulative, "rate")])
    if content.kind == "statistics":
        for title, rows in (
            (_("Responsibility shares by department"), content.analysis.departments),
            (_("Responsibility shares by person"), content.analysis.people),
        ):
            sheet = workbook.create_sheet(title[:31])
            sheet.append([_("Name"), _("Complaints"), _("Share"), _("Our fault"), _("Loss (CNY)"), _("Penalty (CNY)")])
            for s in rows:
                sheet.append([s.label, s.complaints, _format(s.share, "rate"), s.our_fault, s.loss, s.penalty])
        closed = workbook.create_sheet(_("Closed complaints")[:31])
        closed.append(
            [
                _("Number"),
                _("Closed"),
                _("Department"),
                _("Responsibility"),
                _("Responsible department"),
                _("Responsible person"),
                _("Loss (CNY)"),
                _("Penalty (CNY)"),
            ]
        )
        for record in content.closed:
            closed.append(list(record.values()))
    for ws in workbook.worksheets:
        for cell in ws[1]:
            cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its progress steps are not news

    reasons = content.analysis.reasons[:10]
    html = render_to_string(
        "reports/report.html",
        {
            "content": content,
            "indicators": _indicator_rows(content),
            "departments": content.by_department["groups"],
            "reasons": reasons,
            "reasons_svg": bar_chart_svg([r.label for r in reasons], [r.count for r in reasons]),
            "trend_svg": bar_chart_svg(content.analysis.trend_months, content.analysis.trend_received),
            "generated": timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M"),
            "totals": {
                "loss": sum((s.loss for s in content.analysis.departments), Decimal("0.00")),
                "penalty": sum((s.penalty for s in content.analysis.departments), Decimal("0.00")),
            },
        },
    )
    return bytes(HTML(string=html).write_pdf())


def file_stem(kind: str, date_from: dt.date, date_to: dt.date) -> str:
    return f"{kind}-{date_from.isoformat()}-{date_to.isoformat()}"


def write_report(kind: str, *, at: dt.datetime, out: Path, language: str | None = None) -> tuple[Path, Path]:
    """`kesu report`: the XLSX and PDF of the period that ends before `at`, into `out`."""
    date_from, date_to = report_period(kind, at)
    with translation.override(language or settings.LANGUAGE_CODE):
        content = report_content(kind, date_from=date_from, date_to=date_to, now=clock.now())
        xlsx, pdf = render_xlsx(content), render_pdf(content)
    out.mkdir(parents=True, exist_ok=True)
    stem = file_stem(kind, date_from, date_to)
    xlsx_path, pdf_path = out / f"{stem}.xlsx", out / f"{stem}.pdf"
    xlsx_path.write_bytes(xlsx)
    pdf_path.write_bytes(pdf)
    return xlsx_path, pdf_path


def produce_due_reports(*, now: dt.datetime) -> list[ReportRun]:
    """The scheduler's job: the reports due today (local), each once, archived and mailed to their
    subscribers through the outbox (a link to the archive: the outbox carries no attachments)."""
    from kesu.deadlines.selectors import deadline_config

    calendar = deadline_config().calendar
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    produced = []
    for kind, nominal in reports_due(today, calendar.is_working_day):
        at = dt.datetime.combine(nominal, dt.time.min, tzinfo=timezone.get_default_timezone())
        date_from, date_to = report_period(kind, at)
        if ReportRun.objects.filter(kind=kind, period_start=date_from, period_end=date_to).exists():
            continue
        run = archive_report(kind, date_from=date_from, date_to=date_to, now=now)
        if run is not None:
            produced.append(run)
    return produced


def archive_report(kind: str, *, date_from: dt.date, date_to: dt.date, now: dt.datetime) -> ReportRun | None:
    """Render, keep in the archive and queue the subscribers' e-mails, in one transaction."""
    from kesu.notifications.services import outbox_add

    with translation.override(settings.LANGUAGE_CODE):
        content = report_content(kind, date_from=date_from, date_to=date_to, now=now)
        xlsx, pdf = render_xlsx(content), render_pdf(content)
        stem = file_stem(kind, date_from, date_to)
        subject = f"{content.title} {date_from.isoformat()} – {date_to.isoformat()}"
        body = _("The report is in the workspace's report archive: %(path)s") % {"path": "/reports/archive/"}
    try:
        with transaction.atomic():
            run = ReportRun(kind=kind, period_start=date_from, period_end=date_to, generated_at=now)
            run.xlsx.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
            run.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
            run.save()
            for subscription in ReportSubscription.objects.filter(kind=kind).select_related("user"):
                if subscription.user.email and subscription.user.is_active:
                    outbox_add(
                        kind="report",
                        recipient=subscription.user.email,
                        recipient_user=subscription.user,
                        subject=subject,
                        body=body,
                        now=now,
                    )
    except IntegrityError:  # produced meanwhile by another worker
        return None
    return run
