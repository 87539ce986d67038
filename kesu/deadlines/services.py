"""Deadlines on complaints: computed at registration, kept in step with the complaint, paused,
extended, recomputed. Every change writes its timeline event and audit record in the same
transaction; the old value stays in the timeline."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.events import record_event
from kesu.complaints.models import TERMINAL_STATUSES, Complaint, Status
from kesu.complaints.workflow import DeadlineEffect
from kesu.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from kesu.deadlines import engine
from kesu.deadlines.foreign import calendar_for
from kesu.deadlines.models import (
    ComplaintDeadline,
    DeadlineExtension,
    DeadlinePause,
    DeadlineState,
    MetWhen,
    PauseReason,
)
from kesu.deadlines.policies import (
    ACKNOWLEDGED,
    CALLBACK_CONTACT,
    COMPLAINT_FIELDS,
    DEFAULT_KINDS,
    PRESETS,
    RECEIVED,
    RESOLVED,
    Inputs,
    PolicySpec,
    choose,
    fallback,
)
from kesu.deadlines.selectors import DeadlineConfig, deadline_config

logger = logging.getLogger(__name__)


def _iso(value: dt.datetime) -> str:
    """An instant for the timeline, in local time."""
    return timezone.localtime(value).isoformat()


PAUSE_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.HANDLER, Role.GM})


# --- computing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedDeadline:
    kind: str
    spec: PolicySpec
    due: dt.datetime
    start: dt.datetime


@dataclass(frozen=True)
class InitialDeadlines:
    """What registration stores: the three mirrored deadlines and the full plan."""

    acknowledge_due: dt.datetime | None
    reply_due: dt.datetime | None
    close_due: dt.datetime | None
    inputs: Inputs
    planned: tuple[PlannedDeadline, ...]
    config: DeadlineConfig  # the configuration planned with: the clocks open with the same one


def plan_deadlines(
    *,
    config: DeadlineConfig,
    inputs: Inputs,
    start: dt.datetime,
    pauses: Sequence[engine.Pause] = (),
    warn: bool = True,
    starts: Mapping[str, dt.datetime | None] | None = None,
) -> dict[str, PlannedDeadline]:
    """The deadline of every kind that applies, from `start` (or the later step a policy starts
    at, from `starts`; kinds whose step has not happened yet are left out) with the clock stopped
    in `pauses`, each on its rule's calendar."""
    kinds = [code for code, info in config.kinds.items() if info.met_when != MetWhen.CALLBACK_REACHED]
    chosen = choose(config.policies, inputs, kinds)
    begins: Mapping[str, dt.datetime | None] = {RECEIVED: start, **(starts or {})}
    planned: dict[str, PlannedDeadline] = {}
    for kind in kinds:
        spec = chosen.get(kind) or (fallback(kind, inputs) if kind in DEFAULT_KINDS else None)
        if spec is None:
            continue
        begin = begins.get(spec.starts)
        if begin is None:
            continue
        due = engine.deadline(begin, spec.rule, calendar_for(spec.calendar, config.calendar), pauses)
        planned[kind] = PlannedDeadline(kind, spec, due, begin)
    if warn and planned:
        _warn_uncovered(config, start, max(p.due for p in planned.values()))
    return planned


def _warn_uncovered(config: DeadlineConfig, start: dt.datetime, end: dt.datetime) -> None:
    years = config.calendar.uncovered_years(start, end)
    if years:
        logger.warning(
            "deadline computed over %s without an official holiday schedule: Monday to Friday assumed; "
            "enter or import the year's schedule (admin: calendar years)",
            ", ".join(map(str, years)),
        )


def initial_deadlines(
    *, received_at: dt.datetime, severity: str, urgency: str, channel: str, category_code: str | None, overseas: bool
) -> InitialDeadlines:
    """The deadlines of a complaint being registered (SPEC §7 defaults, policies, presets)."""
    inputs = Inputs(severity=severity, urgency=urgency, channel=channel, category_code=category_code, overseas=overseas)
    config = deadline_config()
    planned = plan_deadlines(config=config, inputs=inputs, start=received_at)
    return InitialDeadlines(
        acknowledge_due=planned["acknowledge"].due if "acknowledge" in planned else None,
        reply_due=planned["reply"].due if "reply" in planned else None,
        close_due=planned["close"].due if "close" in planned else None,
        inputs=inputs,
        planned=tuple(planned.values()),
        config=config,
    )


def _inputs_of(complaint: Complaint) -> Inputs:
    return Inputs(
        severity=complaint.severity,
        urgency=complaint.urgency,
        channel=complaint.channel,
        category_code=complaint.category.code if complaint.category is not None else None,
        overseas=complaint.overseas,
    )


def _basis(spec: PolicySpec, inputs: Inputs) -> dict[str, Any]:
    basis: dict[str, Any] = {"inputs": inputs.as_dict(), "policy": spec.name, "preset": spec.preset}
    if spec.calendar:
        basis["calendar"] = spec.calendar
    if spec.starts != RECEIVED:
        basis["starts"] = spec.starts
    return basis


def _starts_of(complaint: Complaint) -> dict[str, dt.datetime | None]:
    """The steps a policy's clock may start at, and when the complaint reached them."""
    return {RECEIVED: complaint.received_at, ACKNOWLEDGED: complaint.acknowledged_at, RESOLVED: complaint.resolved_at}


def row_calendar(row: ComplaintDeadline, config: DeadlineConfig) -> engine.WorkingCalendar:
    """The calendar a running deadline counts on (a foreign rule's own, else the organisation's)."""
    return calendar_for(str((row.basis or {}).get("calendar", "")), config.calendar)


def _closed_pauses(complaint_id: int) -> list[engine.Pause]:
    return [
        engine.Pause(start, end)
        for start, end in DeadlinePause.objects.filter(complaint_id=complaint_id, ended_at__isnull=False).values_list(
            "started_at", "ended_at"
        )
        if end is not None
    ]


def next_check_at(row: ComplaintDeadline, leads: Iterable[int], now: dt.datetime) -> dt.datetime | None:
    """The next instant the sweep has something to do for `row`: a reminder or the deadline."""
    if row.state != DeadlineState.OPEN or row.paused_at is not None or row.missed_at is not None:
        return None
    reminder = engine.next_reminder_at(
        start=row.started_at, due=row.due_at, leads=leads, already=row.reminded_lead, after=now
    )
    # A deadline is missed once its instant has passed: look again just after it.
    missed_check = row.due_at + dt.timedelta(microseconds=1)
    return min(reminder, missed_check) if reminder else missed_check


# --- keeping deadlines in step with the complaint ---------------------------------------------


def met_timestamp(
    row: ComplaintDeadline,
    complaint: Complaint,
    met_when: str,
    callback_reached_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> dt.datetime | None:
    """When the complaint did what `row` waits for, if it has."""
    if met_when == MetWhen.REGISTERED:
        created = complaint.created_at
        return created if isinstance(created, dt.datetime) else row.created_at
    if met_when == MetWhen.INVESTIGATING:
        if complaint.status in INVESTIGATED_STATUSES:
            return now or row.updated_at  # the step's time: `_settle` runs as the complaint moves on
        return None
    if met_when == MetWhen.ACKNOWLEDGED:
        return complaint.acknowledged_at
    if met_when == MetWhen.REPLIED:
        return complaint.replied_at or complaint.resolved_at
    if met_when == MetWhen.RESOLVED:
        # A resolution before the clock started (a reopened complaint's new solution) does not count.
        resolved = complaint.resolved_at
        return resolved if resolved is not None and resolved >= row.started_at else None
    if met_when == MetWhen.CLOSED:
        return complaint.closed_at if complaint.status == Status.CLOSED else None
    if met_when == MetWhen.CALLBACK_REACHED:
        return callback_reached_at if callback_reached_at and callback_reached_at >= row.started_at else None
    # INVESTIGATION_DONE, AUDIT_REPORTED: the complaint alone does not tell; the step's service
    # meets the deadline (deadline_meet): the investigation record complete, the report made.
    return None


INVESTIGATED_STATUSES = frozenset(
    {Status.INVESTIGATING, Status.SOLUTION_PROPOSED, Status.IMPLEMENTING, Status.RESOLVED, Status.CLOSED}
)


def mark_met(row: ComplaintDeadline, at: dt.datetime, now: dt.datetime) -> None:
    """Record the deadline as met: on time unless it was already missed or met after it fell due."""
    row.state = DeadlineState.MET
    row.met_at = at
    row.on_time = row.missed_at is None and (row.paused_at is not None or at <= row.due_at)
    row.paused_at = None
    row.next_check_at = None
    row.updated_at = now


def opening_rows(*, complaint: Complaint, initial: InitialDeadlines, now: dt.datetime) -> list[ComplaintDeadline]:
    """The clocks of a just-registered complaint, unsaved (`complaint_register` writes them with its
    other new rows, kesu/core/inserts.py), with the configuration they were planned with (no
    second read of it inside the transaction)."""
    config = initial.config
    rows = [
        ComplaintDeadline(
            complaint=complaint,
            kind=p.kind,
            policy_id=p.spec.policy_id,
            preset=p.spec.preset,
            unit=p.spec.rule.unit,
            amount=p.spec.rule.amount,
            by_time=p.spec.rule.by_time,
            started_at=p.start,
            due_at=p.due,
            basis=_basis(p.spec, initial.inputs),
            created_at=now,
            updated_at=now,
        )
        for p in initial.planned
    ]
    for row in rows:
        _settle(row, complaint, config, now)
        if row.state == DeadlineState.OPEN:
            row.next_check_at = next_check_at(row, config.reminder_leads, now)
    return rows


def _settle(
    row: ComplaintDeadline,
    complaint: Complaint,
    config: DeadlineConfig,
    now: dt.datetime,
    callback_reached_at: dt.datetime | None = None,
) -> bool:
    """Mark `row` met (or cancelled, for a complaint ended without being handled). True if changed."""
    if row.state != DeadlineState.OPEN:
        return False
    info = config.kinds.get(row.kind)
    met_when = info.met_when if info else MetWhen.CLOSED
    at = met_timestamp(row, complaint, met_when, callback_reached_at, now)
    if at is not None:
        mark_met(row, at, now)
        return True
    if complaint.status in TERMINAL_STATUSES:
        row.state = DeadlineState.CANCELLED
        row.paused_at = None
        row.next_check_at = None
        row.updated_at = now
        return True
    return False


def _mirror(complaint: Complaint, rows: Iterable[ComplaintDeadline]) -> list[str]:
    """Copy the built-in kinds' due times onto the complaint (the API's `deadlines`)."""
    changed: list[str] = []
    for row in rows:
        field = COMPLAINT_FIELDS.get(row.kind)
        if field and getattr(complaint, field) != row.due_at:
            setattr(complaint, field, row.due_at)
            changed.append(field)
    return changed


def _overdue_flag(complaint: Complaint, rows: Iterable[ComplaintDeadline]) -> list[str]:
    overdue = any(r.state == DeadlineState.OPEN and r.missed_at is not None for r in rows)
    if complaint.overdue != overdue:
        complaint.overdue = overdue
        return ["overdue"]
    return []


def _save_complaint(complaint: Complaint, fields: list[str]) -> None:
    if fields:
        Complaint.objects.filter(pk=complaint.pk).update(**{f: getattr(complaint, f) for f in fields})


def deadlines_after_transition(*, complaint: Complaint, effect: str, actor: User | None, now: dt.datetime) -> None:
    """Keep the clocks in step after a lifecycle action (called inside `complaint_transition`'s
    transaction, the complaint row locked): record met deadlines, cancel the clocks of a complaint
    ended without being handled, reopen the closing clock on `reopen`, start the FU-2 wait after an
    unreachable callback, and recompute when what the deadlines depend on changed. `effect` is the
    action's declared deadline effect (kesu/complaints/actions.py, workflow.DeadlineEffect)."""
    config = deadline_config()
    rows = list(ComplaintDeadline.objects.filter(complaint_id=complaint.pk))
    changed: list[ComplaintDeadline] = []
    callback_reached_at = None
    if effect == DeadlineEffect.CALLBACK:
        from kesu.resolution.models import Callback

        last = Callback.objects.filter(complaint_id=complaint.pk).order_by("-at", "-id").first()
        if last is not None and last.reached:
            callback_reached_at = last.at
        elif last is not None:
            row = _customer_unreachable(complaint=complaint, rows=rows, config=config, now=now)
            if row is not None and row not in rows:
                rows.append(row)
    if effect == DeadlineEffect.REOPEN:
        for row in rows:
            info = config.kinds.get(row.kind)
            if info is not None and info.met_when == MetWhen.CLOSED and row.state != DeadlineState.OPEN:
                row.state, row.met_at, row.on_time, row.updated_at = DeadlineState.OPEN, None, None, now
                row.next_check_at = next_check_at(row, config.reminder_leads, now)
                changed.append(row)
    for row in rows:
        if _settle(row, complaint, config, now, callback_reached_at):
            changed.append(row)
    for row in changed:
        row.save(update_fields=["state", "met_at", "on_time", "paused_at", "next_check_at", "updated_at"])
    if complaint.status in TERMINAL_STATUSES:
        DeadlinePause.objects.filter(complaint_id=complaint.pk, ended_at__isnull=True).update(
            ended_at=now, ended_by=actor if getattr(actor, "pk", None) else None
        )
    fields = _overdue_flag(complaint, rows)
    _save_complaint(complaint, fields)
    if complaint.status not in TERMINAL_STATUSES:
        if _inputs_changed(complaint, rows):
            deadlines_recompute(complaint=complaint, actor=actor, now=now, reason=_("classification changed"))
        elif _newly_started(complaint, rows, config):
            deadlines_recompute(complaint=complaint, actor=actor, now=now, reason=_("a later deadline started"))


def _newly_started(complaint: Complaint, rows: Iterable[ComplaintDeadline], config: DeadlineConfig) -> bool:
    """A deadline that starts at a later step (acceptance, resolution) whose step was just reached."""
    present = {r.kind for r in rows}
    planned = plan_deadlines(
        config=config,
        inputs=_inputs_of(complaint),
        start=complaint.received_at,
        warn=False,
        starts=_starts_of(complaint),
    )
    return any(p.start != complaint.received_at and kind not in present for kind, p in planned.items())


def _inputs_changed(complaint: Complaint, rows: Iterable[ComplaintDeadline]) -> bool:
    current = _inputs_of(complaint).as_dict()
    return any(
        r.state == DeadlineState.OPEN and r.kind in COMPLAINT_FIELDS and r.basis.get("inputs") != current for r in rows
    )


def _customer_unreachable(
    *, complaint: Complaint, rows: list[ComplaintDeadline], config: DeadlineConfig, now: dt.datetime
) -> ComplaintDeadline | None:
    """SPEC FU-2: the standard SMS, and a wait of N working days for the customer to get back."""
    from kesu.notifications.services import outbox_add

    if complaint.contact_phone:
        subject, text = _unreachable_sms(complaint, config, now)
        outbox_add(
            kind="unreachable_sms",
            channel="sms",
            recipient=complaint.contact_phone,
            subject=subject,
            body=text,
            now=now,
            complaint=complaint,
        )
    rule = engine.Rule(engine.WORKING_DAYS, config.unreachable_wait_working_days)
    due = engine.deadline(now, rule, config.calendar)
    existing = next((r for r in rows if r.kind == CALLBACK_CONTACT), None)
    row = existing or ComplaintDeadline(complaint=complaint, kind=CALLBACK_CONTACT, created_at=now)
    row.unit, row.amount, row.by_time, row.started_at, row.due_at = rule.unit, rule.amount, None, now, due
    row.state, row.met_at, row.missed_at, row.on_time, row.reminded_lead = DeadlineState.OPEN, None, None, None, None
    row.paused_at, row.updated_at, row.basis = None, now, {"reason": "customer unreachable"}
    row.next_check_at = next_check_at(row, (), now)
    row.save()
    record_event(
        complaint=complaint,
        kind="callback_unreachable",
        actor=None,
        at=now,
        data={"sms": bool(complaint.contact_phone), "wait_until": _iso(due)},
    )
    return row


def _unreachable_sms(complaint: Complaint, config: DeadlineConfig, now: dt.datetime) -> tuple[str, str]:
    """The standard text (SV-3): the organisation's override, else the `unreachable_sms` letter
    template in the customer's language."""
    if config.unreachable_sms:
        return _("We could not reach you"), config.unreachable_sms
    try:
        from kesu.notifications.letters import letter_render

        letter = letter_render(complaint=complaint, kind="unreachable_sms", now=now)
        return letter.subject, letter.body
    except Exception:  # a missing or broken template must not stop the callback being recorded
        logger.exception("unreachable_sms letter could not be rendered; using the built-in text")
        return _("We could not reach you"), _(
            "Dear customer, we called you about complaint %(number)s but could not reach you. Please call us "
            "back within %(days)d working days; otherwise we will close the complaint."
        ) % {"number": complaint.number, "days": config.unreachable_wait_working_days}


# --- deadlines a step of the handling sets ------------------------------------------------------


def deadline_track(
    *,
    complaint: Complaint,
    kind: str,
    started_at: dt.datetime,
    due_at: dt.datetime,
    unit: str,
    amount: int,
    source: dict[str, Any],
    now: dt.datetime,
) -> ComplaintDeadline:
    """Open (or move) the complaint's `kind` deadline to `due_at`, set by a step of the handling
    rather than computed from a policy: a solution's due date (RS-2), the investigation report
    (IV-3). Kept as it is when the policies are recomputed (basis `tracked`); met, missed and
    escalated like every other deadline. Call inside the step's transaction, the complaint locked;
    the step's own timeline event records it."""
    config = deadline_config()
    row = ComplaintDeadline.objects.select_for_update().filter(complaint_id=complaint.pk, kind=kind).first()
    if row is None:
        row = ComplaintDeadline(complaint=complaint, kind=kind, created_at=now)
    row.unit, row.amount, row.by_time = unit, min(max(amount, 1), 10000), None
    row.started_at, row.due_at = started_at, due_at
    row.state, row.met_at, row.missed_at, row.on_time = DeadlineState.OPEN, None, None, None
    row.escalated_at, row.reminded_lead, row.extension_step = None, None, 0
    row.policy_id, row.preset = None, ""
    row.paused_at = (
        DeadlinePause.objects.filter(complaint_id=complaint.pk, ended_at__isnull=True)
        .values_list("started_at", flat=True)
        .first()
    )
    row.basis = {"tracked": {**source, "due": _iso(due_at)}}
    row.updated_at = now
    _settle(row, complaint, config, now)
    row.next_check_at = next_check_at(row, config.reminder_leads, now)
    row.save()
    rows = list(ComplaintDeadline.objects.filter(complaint_id=complaint.pk))
    _save_complaint(complaint, _overdue_flag(complaint, rows))
    return row


def deadline_meet(*, complaint: Complaint, kind: str, now: dt.datetime) -> ComplaintDeadline | None:
    """Record the open `kind` deadline met now (the step it waits for was done, e.g. the
    investigation record completed). Call inside the step's transaction, the complaint locked."""
    row = (
        ComplaintDeadline.objects.select_for_update()
        .filter(complaint_id=complaint.pk, kind=kind, state=DeadlineState.OPEN)
        .first()
    )
    if row is None:
        return None
    mark_met(row, now, now)
    row.save(update_fields=["state", "met_at", "on_time", "paused_at", "next_check_at", "updated_at"])
    rows = list(ComplaintDeadline.objects.filter(complaint_id=complaint.pk))
    _save_complaint(complaint, _overdue_flag(complaint, rows))
    return row


def deadline_cancel(*, complaint: Complaint, kind: str, now: dt.datetime) -> bool:
    """Cancel the open `kind` deadline (what it waited for will not happen, e.g. a refused
    solution). Call inside the step's transaction, the complaint locked. True if one was open."""
    done = ComplaintDeadline.objects.filter(complaint_id=complaint.pk, kind=kind, state=DeadlineState.OPEN).update(
        state=DeadlineState.CANCELLED, paused_at=None, next_check_at=None, updated_at=now
    )
    if done:
        rows = list(ComplaintDeadline.objects.filter(complaint_id=complaint.pk))
        _save_complaint(complaint, _overdue_flag(complaint, rows))
    return bool(done)


# --- recomputing ----------------------------------------------------------------------------


def deadlines_recompute(*, complaint: Complaint, actor: User | None, now: dt.datetime, reason: str = "") -> int:
    """Recompute the open deadlines from what they depend on now (call inside a transaction with
    the complaint locked). The old values go into the timeline. Returns how many changed."""
    config = deadline_config()
    inputs = _inputs_of(complaint)
    pauses = _closed_pauses(complaint.pk)
    planned = plan_deadlines(
        config=config, inputs=inputs, start=complaint.received_at, pauses=pauses, starts=_starts_of(complaint)
    )
    rows = {r.kind: r for r in ComplaintDeadline.objects.filter(complaint_id=complaint.pk)}
    paused = (
        DeadlinePause.objects.filter(complaint_id=complaint.pk, ended_at__isnull=True)
        .values_list("started_at", flat=True)
        .first()
    )
    history: dict[str, dict[str, Any]] = {}
    for kind, plan in planned.items():
        row = rows.get(kind)
        spec, due = plan.spec, plan.due
        if row is not None and row.state != DeadlineState.OPEN:
            continue
        if row is not None and (row.basis.get("external") or row.basis.get("tracked")):
            continue  # set by a regulator or a platform (kesu/deadlines/external.py), or by a step (deadline_track)
        if row is not None and row.preset and row.preset == spec.preset and row.extension_step:
            due = engine.deadline(
                row.started_at, engine.Rule(row.unit, row.amount, row.by_time), row_calendar(row, config), pauses
            )
            spec = PolicySpec(
                kind,
                engine.Rule(row.unit, row.amount, row.by_time),
                preset=row.preset,
                policy_id=row.policy_id,
                name=spec.name,
                starts=spec.starts,
                calendar=spec.calendar,
            )
        previous: dt.datetime | None = None
        if row is None:
            row = ComplaintDeadline(
                complaint=complaint, kind=kind, started_at=plan.start, created_at=now, paused_at=paused
            )
        else:
            previous = row.due_at
            if (
                previous == due
                and row.unit == spec.rule.unit
                and row.amount == spec.rule.amount
                and row.basis.get("inputs") == inputs.as_dict()
            ):
                continue
        history[kind] = {"from": _iso(previous) if previous else None, "to": _iso(due), "policy": spec.name}
        if row.preset != spec.preset:
            row.extension_step = 0
        row.policy_id, row.preset, row.unit, row.amount, row.by_time = (
            spec.policy_id,
            spec.preset,
            spec.rule.unit,
            spec.rule.amount,
            spec.rule.by_time,
        )
        row.due_at, row.basis, row.updated_at = due, _basis(spec, inputs), now
        if row.missed_at is not None and now <= due:
            row.missed_at, row.on_time = None, None  # the new deadline has not passed yet
        row.reminded_lead = None if previous != due else row.reminded_lead
        row.next_check_at = next_check_at(row, config.reminder_leads, now)
        row.save()
        rows[kind] = row
    for kind, row in rows.items():
        if (
            kind not in planned
            and kind != CALLBACK_CONTACT
            and row.state == DeadlineState.OPEN
            and not row.basis.get("external")
            and not row.basis.get("tracked")
        ):
            row.state, row.next_check_at, row.updated_at = DeadlineState.CANCELLED, None, now
            row.save(update_fields=["state", "next_check_at", "updated_at"])
            history[kind] = {"from": _iso(row.due_at), "to": None, "policy": ""}
    fields = _mirror(complaint, rows.values()) + _overdue_flag(complaint, rows.values())
    _save_complaint(complaint, fields)
    if history:
        record_event(
            complaint=complaint,
            kind="deadlines_recomputed",
            actor=actor,
            at=now,
            note=reason,
            data={"deadlines": history, "inputs": inputs.as_dict()},
        )
    return len(history)


def deadlines_recompute_for_calendar(
    *, years: Iterable[int], actor: User | None, now: dt.datetime, batch_size: int = 200
) -> int:
    """After the calendar of `years` changed: recompute open deadlines that run through them."""
    years = sorted(set(years))
    if not years:
        return 0
    config = deadline_config()
    tz = config.calendar.tz
    first = dt.datetime(years[0], 1, 1, tzinfo=tz)
    last = dt.datetime(years[-1] + 1, 1, 1, tzinfo=tz)
    complaint_ids = list(
        ComplaintDeadline.objects.filter(state=DeadlineState.OPEN, due_at__gte=first, started_at__lt=last)
        .exclude(kind=CALLBACK_CONTACT)
        .values_list("complaint_id", flat=True)
        .distinct()
        .order_by("complaint_id")
    )
    changed = 0
    for start in range(0, len(complaint_ids), batch_size):
        with transaction.atomic():
            for complaint in (
                Complaint.objects.select_for_update(of=("self",))
                .select_related("category")
                .filter(id__in=complaint_ids[start : start + batch_size])
                .order_by("id")
            ):
                if complaint.status in TERMINAL_STATUSES:
                    continue
                changed += bool(
                    deadlines_recompute(
                        complaint=complaint, actor=actor, now=now, reason=_("working-day calendar changed")
                    )
                )
    return changed


# --- pausing and extending --------------------------------------------------------------------


def _locked_complaint(number: str, actor: User) -> Complaint:
    """The complaint, locked, when `actor` may see it (404 otherwise, as for every read). The callers
    check the roles themselves, in their own order (an extension's approving role comes later)."""
    from kesu.complaints.services.access import complaint_for_action

    return complaint_for_action(actor=actor, number=number, staff_only=False)


def deadlines_pause(*, actor: User, number: str, reason: str, note: str = "", now: dt.datetime) -> DeadlinePause:
    """Stop the clocks while the complaint waits on the customer or on an external appraisal."""
    if actor.role not in PAUSE_ROLES:
        raise PermissionDenied(_("Your role may not pause deadlines."))
    if reason not in PauseReason.values:
        raise ValidationFailed(
            [
                FieldError(
                    "reason",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(PauseReason.values)},
                    "invalid_choice",
                )
            ]
        )
    with transaction.atomic():
        complaint = _locked_complaint(number, actor)
        if complaint.status in TERMINAL_STATUSES:
            raise Conflict(_("The complaint is no longer open."), code="invalid_transition")
        if DeadlinePause.objects.filter(complaint_id=complaint.pk, ended_at__isnull=True).exists():
            raise Conflict(_("The deadlines are already paused."), code="already_paused")
        pause = DeadlinePause.objects.create(
            complaint=complaint, reason=reason, note=note[:500], started_at=now, started_by=actor
        )
        ComplaintDeadline.objects.filter(complaint_id=complaint.pk, state=DeadlineState.OPEN).update(
            paused_at=now, next_check_at=None, updated_at=now
        )
        record_event(
            complaint=complaint, kind="deadlines_paused", actor=actor, at=now, note=note, data={"reason": reason}
        )
    return pause


def deadlines_resume(*, actor: User, number: str, now: dt.datetime) -> DeadlinePause:
    """Restart the clocks; each open deadline moves on by the paused time in its own unit."""
    if actor.role not in PAUSE_ROLES:
        raise PermissionDenied(_("Your role may not pause deadlines."))
    with transaction.atomic():
        complaint = _locked_complaint(number, actor)
        pause = (
            DeadlinePause.objects.select_for_update().filter(complaint_id=complaint.pk, ended_at__isnull=True).first()
        )
        if pause is None:
            raise Conflict(_("The deadlines are not paused."), code="not_paused")
        pause.ended_at, pause.ended_by = now, actor
        pause.save(update_fields=["ended_at", "ended_by"])
        config = deadline_config()
        history: dict[str, dict[str, Any]] = {}
        rows = list(ComplaintDeadline.objects.filter(complaint_id=complaint.pk))
        for row in rows:
            if row.state != DeadlineState.OPEN or row.paused_at is None:
                continue
            previous = row.due_at
            row.due_at = engine.extend_for_pause(
                row.due_at, engine.Pause(max(row.paused_at, row.started_at), now), row.unit, row_calendar(row, config)
            )
            row.paused_at, row.updated_at = None, now
            if row.due_at != previous:
                row.reminded_lead = None
                history[row.kind] = {"from": _iso(previous), "to": _iso(row.due_at)}
            row.next_check_at = next_check_at(row, config.reminder_leads, now)
            row.save(update_fields=["due_at", "paused_at", "reminded_lead", "next_check_at", "updated_at"])
        _save_complaint(complaint, _mirror(complaint, rows))
        record_event(
            complaint=complaint,
            kind="deadlines_resumed",
            actor=actor,
            at=now,
            data={"reason": pause.reason, "paused_from": _iso(pause.started_at), "deadlines": history},
        )
    return pause


def deadline_extend(*, actor: User, number: str, kind: str, reason: str, now: dt.datetime) -> DeadlineExtension:
    """An extension the complaint's regulatory preset allows, approved by the role it names."""
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", _("Give the reason for the extension."), "required")])
    with transaction.atomic():
        complaint = _locked_complaint(number, actor)
        row = ComplaintDeadline.objects.select_for_update().filter(complaint_id=complaint.pk, kind=kind).first()
        if row is None or row.state != DeadlineState.OPEN:
            raise Conflict(_("This deadline is not open."), code="not_open", field="kind")
        steps = PRESETS[row.preset].extensions.get(kind, ()) if row.preset in PRESETS else ()
        if row.extension_step >= len(steps):
            raise Conflict(_("No further extension of this deadline is allowed."), code="no_extension")
        if row.missed_at is not None:
            raise Conflict(
                _("The deadline has already been missed; it can no longer be extended."), code="already_missed"
            )
        step = steps[row.extension_step]
        if actor.role not in step.roles:
            raise PermissionDenied(
                _("This extension needs the approval of: %(roles)s.")
                % {"roles": ", ".join(str(Role(r).label) for r in sorted(step.roles))}
            )
        config = deadline_config()
        previous = row.due_at
        row.amount = step.total
        row.due_at = engine.deadline(
            row.started_at,
            engine.Rule(row.unit, row.amount, row.by_time),
            row_calendar(row, config),
            _closed_pauses(complaint.pk),
        )
        row.extension_step += 1
        row.reminded_lead, row.updated_at = None, now
        row.next_check_at = next_check_at(row, config.reminder_leads, now)
        row.save(update_fields=["amount", "due_at", "extension_step", "reminded_lead", "next_check_at", "updated_at"])
        extension = DeadlineExtension.objects.create(
            deadline=row,
            step=row.extension_step,
            approved_by=actor,
            reason=reason,
            previous_due=previous,
            new_due=row.due_at,
            at=now,
        )
        _save_complaint(complaint, _mirror(complaint, [row]))
        record_event(
            complaint=complaint,
            kind="deadline_extended",
            actor=actor,
            at=now,
            note=reason,
            data={
                "deadline": kind,
                "preset": row.preset,
                "step": row.extension_step,
                "from": _iso(previous),
                "to": _iso(row.due_at),
                "rule": step.label,
            },
        )
    return extension
