"""Reads for deadlines: the configuration snapshot the engine works from, the on-time record,
the overdue condition, and which years lack an official calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from kesu.core.reference import remembered
from kesu.deadlines.engine import Rule, WorkingCalendar
from kesu.deadlines.models import (
    CalendarDay,
    CalendarYear,
    ComplaintDeadline,
    DayKind,
    DeadlineKind,
    DeadlinePause,
    DeadlineSettings,
    DeadlineState,
    MetWhen,
    RegulatoryPreset,
    SlaPolicy,
)
from kesu.deadlines.policies import (
    ACKNOWLEDGE,
    ACKNOWLEDGE_LIMIT,
    CALLBACK_CONTACT,
    CARRY_OUT,
    CLOSE,
    INTERNAL_AUDIT_REPORT,
    INVESTIGATE,
    INVESTIGATION_REPORT,
    PRESETS,
    REGISTER,
    REPLY,
    REPORT_RESULT,
    SOLUTION_DUE,
    PolicySpec,
)

# Kinds every installation has, whatever the database holds.
BUILTIN_KINDS: dict[str, tuple[str, bool]] = {
    ACKNOWLEDGE: (MetWhen.ACKNOWLEDGED, True),
    REPLY: (MetWhen.REPLIED, True),
    CLOSE: (MetWhen.CLOSED, True),
    CALLBACK_CONTACT: (MetWhen.CALLBACK_REACHED, False),
    ACKNOWLEDGE_LIMIT: (MetWhen.ACKNOWLEDGED, True),
    REGISTER: (MetWhen.REGISTERED, True),
    INVESTIGATE: (MetWhen.INVESTIGATING, True),
    CARRY_OUT: (MetWhen.RESOLVED, True),
    REPORT_RESULT: (MetWhen.CLOSED, True),
    SOLUTION_DUE: (MetWhen.RESOLVED, True),
    INTERNAL_AUDIT_REPORT: (MetWhen.AUDIT_REPORTED, True),
    INVESTIGATION_REPORT: (MetWhen.INVESTIGATION_DONE, True),
}


@dataclass(frozen=True)
class KindInfo:
    code: str
    met_when: str
    escalates: bool


@dataclass(frozen=True)
class DeadlineConfig:
    version: str
    calendar: WorkingCalendar
    policies: tuple[PolicySpec, ...]
    presets: frozenset[str]
    kinds: dict[str, KindInfo]
    reminder_leads: tuple[int, ...]
    auto_close_unreachable: bool
    unreachable_wait_working_days: int
    unreachable_sms: str


def deadline_config() -> DeadlineConfig:
    """The current configuration, kept in memory under the reference-data version: any write to
    the calendar, the policies, the presets, the kinds or these settings (by a service, the admin
    or SQL) has every process build it again (kesu/core/reference.py)."""
    return remembered("deadlines.config", _build)


def _leads(text: str) -> tuple[int, ...]:
    leads: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if part.isdigit() and int(part) > 0:
            leads.append(int(part))
    return tuple(sorted(set(leads), reverse=True))


def _build() -> DeadlineConfig:
    stored = DeadlineSettings.objects.filter(pk=1).first()
    row = stored or DeadlineSettings(pk=1, time_zone=settings.TIME_ZONE)
    version = stored.version if stored else "unseeded"
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    names: dict[dt.date, str] = {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
        names[day] = name
    calendar = WorkingCalendar(
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        covered_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        tz=ZoneInfo(row.time_zone or settings.TIME_ZONE),
        business_start=row.business_start,
        business_end=row.business_end,
        names=names,
    )
    kinds = {code: KindInfo(code, met_when, escalates) for code, (met_when, escalates) in BUILTIN_KINDS.items()}
    for code, met_when, escalates in DeadlineKind.objects.values_list("code", "met_when", "escalates"):
        kinds[code] = KindInfo(code, met_when, escalates)
    specs: list[PolicySpec] = []
    for policy in SlaPolicy.objects.filter(active=True).select_related("kind", "category"):
        specs.append(
            PolicySpec(
                kind=policy.kind.code,
                rule=Rule(policy.unit, policy.amount, policy.by_time),
                severity=policy.severity,
                urgency=policy.urgency,
                channel=policy.channel,
                category_code=policy.category.code if policy.category else "",
                overseas=policy.overseas,
                policy_id=policy.pk,
                name=policy.name,
            )
        )
    enabled = frozenset(RegulatoryPreset.objects.filter(enabled=True).values_list("code", flat=True))
    for code in sorted(enabled):
        if code in PRESETS:
            specs.extend(PRESETS[code].policies)
    return DeadlineConfig(
        version=version,
        calendar=calendar,
        policies=tuple(specs),
        presets=enabled,
        kinds=kinds,
        reminder_leads=_leads(row.reminder_leads),
        auto_close_unreachable=row.auto_close_unreachable,
        unreachable_wait_working_days=row.unreachable_wait_working_days,
        unreachable_sms=row.unreachable_sms,
    )


def calendar_missing_years(*, now: dt.datetime, horizon_days: int = 90) -> list[int]:
    """This year, and next year once it is within `horizon_days`, if no official schedule is known."""
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    years = {today.year, (today + dt.timedelta(days=horizon_days)).year}
    known = set(CalendarYear.objects.filter(year__in=years).values_list("year", flat=True))
    return sorted(years - known)


def calendar_years() -> QuerySet[CalendarYear]:
    return CalendarYear.objects.annotate(day_count=Count("pk")).order_by("year")


def open_pause(complaint_id: int) -> DeadlinePause | None:
    return DeadlinePause.objects.filter(complaint_id=complaint_id, ended_at__isnull=True).first()


def complaint_deadlines(complaint_id: int) -> QuerySet[ComplaintDeadline]:
    return ComplaintDeadline.objects.filter(complaint_id=complaint_id).order_by("due_at", "id")


def overdue_deadline_q(now: dt.datetime) -> Q:
    """Deadlines not met, recorded as missed or past due with the clock running."""
    return Q(state=DeadlineState.OPEN) & (Q(missed_at__isnull=False) | Q(paused_at__isnull=True, due_at__lt=now))


def complaint_overdue_exists(now: dt.datetime) -> Exists:
    """For a Complaint queryset: it has an overdue deadline."""
    return Exists(ComplaintDeadline.objects.filter(overdue_deadline_q(now), complaint_id=OuterRef("pk")))


def complaint_paused_exists() -> Exists:
    return Exists(DeadlinePause.objects.filter(complaint_id=OuterRef("pk"), ended_at__isnull=True))


@dataclass(frozen=True)
class OnTimeRate:
    met_on_time: int
    finished: int

    @property
    def rate(self) -> float | None:
        return self.met_on_time / self.finished if self.finished else None


def on_time_rate(
    *,
    kind: str,
    due_from: dt.datetime | None = None,
    due_to: dt.datetime | None = None,
    department_id: int | None = None,
) -> OnTimeRate:
    """SPEC RP-2: deadlines met on time / deadlines met or missed (cancelled ones are left out)."""
    queryset = ComplaintDeadline.objects.filter(kind=kind).filter(
        Q(state=DeadlineState.MET) | Q(missed_at__isnull=False)
    )
    if due_from is not None:
        queryset = queryset.filter(due_at__gte=due_from)
    if due_to is not None:
        queryset = queryset.filter(due_at__lt=due_to)
    if department_id is not None:
        queryset = queryset.filter(complaint__department_id=department_id)
    counts = queryset.aggregate(finished=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)))
    return OnTimeRate(met_on_time=counts["on_time"] or 0, finished=counts["finished"] or 0)
