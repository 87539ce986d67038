"""The overdue sweep (`kesu sweep`, the periodic `sweep_deadlines` task).

Every open deadline carries `next_check_at`, the next instant something is due for it (a
reminder or the deadline itself), under a partial index: a sweep with nothing due is one
index probe. Due rows are handled in batches of complaints; each batch is one transaction
that locks its complaints (SKIP LOCKED on PostgreSQL, so concurrent sweepers share the work
and never handle a complaint twice; SQLite serialises writers), re-reads the deadlines under
the lock, and writes deadlines, complaints, escalation history, timeline events, audit
records and outbox messages in bulk. Whatever a sweep handled is no longer due, so running
it again at the same instant does nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kesu.accounts.models import Role, User
from kesu.audit.models import AuditRecord
from kesu.audit.services import audit_build
from kesu.complaints import workflow
from kesu.complaints.models import TERMINAL_STATUSES, Complaint, ComplaintEvent
from kesu.core import tasks
from kesu.deadlines import engine
from kesu.deadlines.escalation import ESCALATION_LADDER, next_level
from kesu.deadlines.models import ComplaintDeadline, DeadlineState, Escalation, EscalationCause
from kesu.deadlines.policies import CALLBACK_CONTACT, KIND_LABELS
from kesu.deadlines.selectors import DeadlineConfig, deadline_config
from kesu.deadlines.services import _settle, next_check_at
from kesu.notifications.models import OutboxMessage

logger = logging.getLogger(__name__)

# Marked for translation here; the sweep looks them up once per batch (_Batch.text).
_MESSAGES = (
    gettext_noop("Complaint %(number)s: %(deadline)s due %(due)s"),
    gettext_noop("The %(deadline)s deadline of complaint %(number)s falls due at %(due)s."),
    gettext_noop("The %(deadline)s deadline (%(due)s) was missed."),
    gettext_noop("Complaint %(number)s escalated to level %(level)d"),
    gettext_noop("Complaint %(number)s was escalated: %(reason)s"),
)
# What a built-in deadline is called in messages (policies.KIND_LABELS); other kinds go by their code.
_KIND_LABELS = KIND_LABELS

_COMPLAINT_FIELDS = (
    "id",
    "number",
    "status",
    "severity",
    "escalation_level",
    "overdue",
    "assignee_id",
    "department_id",
    "acknowledged_at",
    "replied_at",
    "resolved_at",
    "closed_at",
    "updated_at",
)


@dataclass
class SweepResult:
    checked: int = 0
    met: int = 0
    cancelled: int = 0
    missed: int = 0
    escalated: int = 0
    reminded: int = 0
    auto_closed: int = 0
    skipped_locked: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class _Batch:
    now: dt.datetime
    config: DeadlineConfig
    people: _People
    events: list[ComplaintEvent] = field(default_factory=list)
    audits: list[AuditRecord] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)
    outbox: list[OutboxMessage] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)

    def text(self, msgid: str) -> str:
        """`gettext(msgid)`, looked up once per batch (thousands of messages share a few texts)."""
        if msgid not in self.texts:
            self.texts[msgid] = _(msgid)
        return self.texts[msgid]

    def kind_label(self, code: str) -> str:
        return self.text(_KIND_LABELS[code]) if code in _KIND_LABELS else code

    def event(
        self,
        complaint: Complaint,
        kind: str,
        data: dict[str, Any],
        note: str = "",
        from_status: str = "",
        to_status: str = "",
    ) -> None:
        self.events.append(
            ComplaintEvent(
                complaint_id=complaint.pk,
                kind=kind,
                at=self.now,
                note=note,
                data=data,
                from_status=from_status,
                to_status=to_status,
                internal=True,
            )
        )
        self.audits.append(
            audit_build(
                actor=None,
                action=f"complaint.{kind}",
                object_type="complaint",
                object_id=complaint.number,
                data={"from": from_status, "to": to_status, "note": note, **data},
                at=self.now,
            )
        )

    def notify(self, users: list[User], *, kind: str, complaint: Complaint, subject: str, body: str) -> None:
        seen: set[int] = set()
        for user in users:
            if user.pk in seen:
                continue
            seen.add(user.pk)
            self.outbox.append(
                OutboxMessage(
                    kind=kind,
                    channel="email",
                    recipient=user.email or user.username,
                    recipient_user_id=user.pk,
                    complaint_id=complaint.pk,
                    subject=subject[:200],
                    body=body,
                    next_attempt_at=self.now,
                    created_at=self.now,
                )
            )


class _People:
    """Active staff by role and by department, loaded once per sweep."""

    def __init__(self) -> None:
        self.by_role: dict[str, list[User]] = defaultdict(list)
        self.by_id: dict[int, User] = {}
        self.supervisors_by_department: dict[int | None, list[User]] = defaultdict(list)
        for user in User.objects.filter(is_active=True).only("id", "username", "email", "role", "department_id"):
            self.by_role[user.role].append(user)
            self.by_id[user.pk] = user
            if user.role == Role.SUPERVISOR:
                self.supervisors_by_department[user.department_id].append(user)

    def ladder(self, level: int) -> list[User]:
        return [user for role in ESCALATION_LADDER[level] for user in self.by_role.get(role, [])]

    def concerned(self, complaint: Complaint) -> list[User]:
        """Who is reminded of a deadline: the assignee, else the department's supervisors."""
        if complaint.assignee_id and complaint.assignee_id in self.by_id:
            return [self.by_id[complaint.assignee_id]]
        return self.supervisors_by_department.get(complaint.department_id) or self.by_role.get(Role.SUPERVISOR, [])


def sweep(*, now: dt.datetime, batch_size: int = 500) -> SweepResult:
    """Evaluate every open deadline as of `now`: record met and missed deadlines, escalate one
    level per missed deadline, send due reminders, and close complaints whose customer stayed
    unreachable when the organisation allows it (SPEC FU-2)."""
    config = deadline_config()
    result = SweepResult()
    people: _People | None = None
    after = 0
    while True:
        ids = list(
            ComplaintDeadline.objects.filter(
                state=DeadlineState.OPEN, paused_at__isnull=True, next_check_at__lte=now, complaint_id__gt=after
            )
            .order_by("complaint_id")
            .values_list("complaint_id", flat=True)
            .distinct()[:batch_size]
        )
        if not ids:
            break
        after = ids[-1]
        people = people or _People()
        _sweep_batch(ids, now=now, config=config, people=people, result=result)
    if result.missed or result.reminded or result.auto_closed:
        logger.info("deadline sweep at %s: %s", now.isoformat(), result.as_dict())
    return result


def _sweep_batch(
    ids: list[int], *, now: dt.datetime, config: DeadlineConfig, people: _People, result: SweepResult
) -> None:
    batch = _Batch(now=now, config=config, people=people)
    with transaction.atomic():
        complaints = {
            c.pk: c
            for c in Complaint.objects.select_for_update(of=("self",), skip_locked=tasks.can_skip_locked())
            .filter(id__in=ids)
            .order_by("id")
            .only(*_COMPLAINT_FIELDS)
        }
        result.skipped_locked += len(set(ids) - set(complaints))
        if not complaints:
            return
        rows = list(
            ComplaintDeadline.objects.filter(
                complaint_id__in=list(complaints),
                state=DeadlineState.OPEN,
                paused_at__isnull=True,
                next_check_at__lte=now,
            ).order_by("due_at", "id")
        )
        callback_at = _callbacks_reached(rows)
        changed: list[ComplaintDeadline] = []
        missed: dict[int, list[ComplaintDeadline]] = defaultdict(list)
        unreachable: list[ComplaintDeadline] = []
        for row in rows:
            result.checked += 1
            complaint = complaints[row.complaint_id]
            if _settle(row, complaint, config, now, callback_at.get(row.complaint_id)):
                result.met += row.state == DeadlineState.MET
                result.cancelled += row.state == DeadlineState.CANCELLED
                changed.append(row)
            elif now > row.due_at:
                row.missed_at, row.on_time, row.next_check_at, row.updated_at = now, False, None, now
                changed.append(row)
                result.missed += 1
                info = config.kinds.get(row.kind)
                if row.kind == CALLBACK_CONTACT:
                    unreachable.append(row)
                elif info is None or info.escalates:
                    missed[row.complaint_id].append(row)
            else:
                lead = engine.reminder_lead(
                    now=now,
                    start=row.started_at,
                    due=row.due_at,
                    leads=config.reminder_leads,
                    already=row.reminded_lead,
                )
                if lead is not None:
                    row.reminded_lead = lead
                    _remind(batch, complaint, row, lead)
                    result.reminded += 1
                row.next_check_at = next_check_at(row, config.reminder_leads, now)
                row.updated_at = now
                changed.append(row)
        touched: dict[int, Complaint] = {}
        for complaint_id, missed_rows in missed.items():
            complaint = complaints[complaint_id]
            for row in missed_rows:
                _escalate_overdue(batch, complaint, row)
                result.escalated += 1
            complaint.overdue = True
            complaint.updated_at = now
            touched[complaint_id] = complaint
        for row in unreachable:
            complaint = complaints[row.complaint_id]
            if config.auto_close_unreachable and _auto_close(batch, complaint, row):
                result.auto_closed += 1
                touched[complaint.pk] = complaint
                changed.extend(_settle_all_after_close(complaint, rows=rows, config=config, now=now))
        _bulk_set(
            ComplaintDeadline,
            list({row.pk: row for row in changed}.values()),
            [
                "state",
                "met_at",
                "on_time",
                "paused_at",
                "missed_at",
                "reminded_lead",
                "next_check_at",
                "escalated_at",
                "updated_at",
            ],
        )
        _bulk_set(
            Complaint, list(touched.values()), ["escalation_level", "overdue", "status", "closed_at", "updated_at"]
        )
        Escalation.objects.bulk_create(batch.escalations)
        ComplaintEvent.objects.bulk_create(batch.events)
        AuditRecord.objects.bulk_create(batch.audits)
        # Channels (kesu.channels): staff notifications routed to each person's chosen channels;
        # webhook deliveries and robot announcements of the batch's events.
        from kesu.channels.events import complaint_events_recorded
        from kesu.channels.preferences import route

        batch.outbox = route(batch.outbox)
        complaint_events_recorded(events=batch.events, complaints=complaints, now=now)
        OutboxMessage.objects.bulk_create(batch.outbox)
        if batch.outbox:
            tasks.dispatch_after_commit("deliver_outbox")
        if batch.audits:
            tasks.dispatch_after_commit("seal_audit")


def _bulk_set(model: type[Model], objects: list[Any], fields: list[str]) -> None:
    """UPDATE each row's `fields` by primary key in one statement (PostgreSQL: UPDATE … FROM
    VALUES) or one executemany (SQLite). Django's bulk_update builds a CASE per field and row,
    far slower for thousands of rows."""
    if not objects:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns: list[Any] = [meta.get_field(name) for name in fields]
    params = [[obj.pk] + [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] for obj in objects]
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = [meta.pk.db_type(connection)] + [f.db_type(connection) for f in columns]
            row = "(" + ", ".join(f"%s::{cast}" for cast in casts) + ")"
            for start in range(0, len(params), 1000):
                chunk = params[start : start + 1000]
                sql = "UPDATE {t} SET {sets} FROM (VALUES {rows}) AS v({names}) WHERE {t}.{pk} = v.{pk}".format(  # noqa: S608 - quoted model identifiers; values are parameters
                    t=table,
                    pk=pk,
                    rows=", ".join([row] * len(chunk)),
                    sets=", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns),
                    names=", ".join([pk] + [quote(f.column) for f in columns]),
                )
                cursor.execute(sql, [value for values in chunk for value in values])
        else:
            sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - quoted model identifiers; values are parameters
                table, ", ".join(f"{quote(f.column)} = %s" for f in columns), pk
            )
            cursor.executemany(sql, [values[1:] + values[:1] for values in params])


def _callbacks_reached(rows: list[ComplaintDeadline]) -> dict[int, dt.datetime]:
    ids = [r.complaint_id for r in rows if r.kind == CALLBACK_CONTACT]
    if not ids:
        return {}
    from kesu.resolution.models import Callback

    return dict(
        Callback.objects.filter(complaint_id__in=ids, reached=True)
        .values("complaint_id")
        .annotate(last=Max("at"))
        .values_list("complaint_id", "last")
    )


def _when(value: dt.datetime, config: DeadlineConfig) -> str:
    return value.astimezone(config.calendar.tz).strftime("%Y-%m-%d %H:%M")


def _remind(batch: _Batch, complaint: Complaint, row: ComplaintDeadline, lead: int) -> None:
    due = _when(row.due_at, batch.config)
    batch.notify(
        batch.people.concerned(complaint),
        kind="deadline_reminder",
        complaint=complaint,
        subject=batch.text("Complaint %(number)s: %(deadline)s due %(due)s")
        % {"number": complaint.number, "deadline": batch.kind_label(row.kind), "due": due},
        body=batch.text("The %(deadline)s deadline of complaint %(number)s falls due at %(due)s.")
        % {"deadline": batch.kind_label(row.kind), "number": complaint.number, "due": due},
    )


def _escalate_overdue(batch: _Batch, complaint: Complaint, row: ComplaintDeadline) -> None:
    """One level up the ladder per missed deadline (DP-4; major complaints at least at the GM)."""
    before = complaint.escalation_level
    level = next_level(before, severity=complaint.severity)
    complaint.escalation_level = level
    row.escalated_at = batch.now
    due = _when(row.due_at, batch.config)
    reason = batch.text("The %(deadline)s deadline (%(due)s) was missed.") % {
        "deadline": batch.kind_label(row.kind),
        "due": due,
    }
    batch.escalations.append(
        Escalation(
            complaint_id=complaint.pk,
            from_level=before,
            to_level=level,
            cause=EscalationCause.OVERDUE,
            reason=reason,
            deadline_id=row.pk,
            at=batch.now,
        )
    )
    batch.event(
        complaint,
        "deadline_missed",
        {
            "deadline": row.kind,
            "due_at": timezone.localtime(row.due_at).isoformat(),
            "escalation": {"from_level": before, "to_level": level},
        },
        note=reason,
    )
    concerned = batch.people.ladder(level) + batch.people.concerned(complaint)
    batch.notify(
        concerned,
        kind="escalated",
        complaint=complaint,
        subject=batch.text("Complaint %(number)s escalated to level %(level)d")
        % {"number": complaint.number, "level": level},
        body=batch.text("Complaint %(number)s was escalated: %(reason)s")
        % {"number": complaint.number, "reason": reason},
    )


def _auto_close(batch: _Batch, complaint: Complaint, row: ComplaintDeadline) -> bool:
    """SPEC FU-2: the customer did not get back after the standard SMS; close with that reason,
    by the system transition `auto_closed_unreachable` (from resolved only; the satisfaction guard
    of `close` is waived, which is what FU-2 allows). Written in bulk with the batch."""
    from kesu.complaints.services.transitions import apply_transition

    rule = workflow.find(complaint.status, workflow.Action.AUTO_CLOSE_UNREACHABLE)
    if complaint.status in TERMINAL_STATUSES or rule is None:
        return False
    note = _("Closed automatically: the customer could not be reached and did not get back.")
    apply_transition(
        complaint=complaint,
        rule=rule,
        actor=None,
        now=batch.now,
        sink=batch,
        params={"note": note},
        event_extra={"waited_until": timezone.localtime(row.due_at).isoformat()},
    )
    return True


def _settle_all_after_close(
    complaint: Complaint, *, rows: list[ComplaintDeadline], config: DeadlineConfig, now: dt.datetime
) -> list[ComplaintDeadline]:
    others = [r for r in rows if r.complaint_id == complaint.pk and r.state == DeadlineState.OPEN]
    seen = {r.pk for r in others}
    others += [
        r
        for r in ComplaintDeadline.objects.filter(complaint_id=complaint.pk, state=DeadlineState.OPEN)
        if r.pk not in seen
    ]
    changed = []
    for row in others:
        if row.kind != CALLBACK_CONTACT and _settle(row, complaint, config, now):
            changed.append(row)
    return changed
