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
import json
import logging
from collections import defaultdict
from collections.abc import Callable
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
from kesu.deadlines.models import ComplaintDeadline, DeadlineState, Escalation, EscalationCause, MetWhen
from kesu.deadlines.policies import CALLBACK_CONTACT, KIND_LABELS
from kesu.deadlines.selectors import DeadlineConfig, deadline_config
from kesu.deadlines.services import INVESTIGATED_STATUSES, _settle, next_check_at
from kesu.notifications.models import OutboxMessage, OutboxStatus

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
        self._recipients: dict[tuple[int, int | None, int | None], list[tuple[int, str]]] = {}
        self._preferring: frozenset[int] | None = None
        for user in User.objects.filter(is_active=True).only("id", "username", "email", "role", "department_id"):
            self.by_role[user.role].append(user)
            self.by_id[user.pk] = user
            if user.role == Role.SUPERVISOR:
                self.supervisors_by_department[user.department_id].append(user)

    def preferring(self) -> frozenset[int]:
        """Staff who chose their channels (kesu.channels.preferences): their notifications are routed."""
        if self._preferring is None:
            from kesu.channels.models import ChannelPreference

            self._preferring = frozenset(ChannelPreference.objects.values_list("user_id", flat=True))
        return self._preferring

    def ladder(self, level: int) -> list[User]:
        return [user for role in ESCALATION_LADDER[level] for user in self.by_role.get(role, [])]

    def concerned(self, complaint: Complaint) -> list[User]:
        """Who is reminded of a deadline: the assignee, else the department's supervisors."""
        return self.concerned_of(complaint.assignee_id, complaint.department_id)

    def concerned_of(self, assignee_id: int | None, department_id: int | None) -> list[User]:
        if assignee_id and assignee_id in self.by_id:
            return [self.by_id[assignee_id]]
        return self.supervisors_by_department.get(department_id) or self.by_role.get(Role.SUPERVISOR, [])

    def escalation_recipients(
        self, level: int, assignee_id: int | None, department_id: int | None
    ) -> list[tuple[int, str]]:
        """(user id, address) of those told of an escalation to `level` (the level's roles, then
        those concerned, each once): what `_Batch.notify` writes, cached per combination."""
        key = (level, assignee_id if assignee_id in self.by_id else None, department_id)
        if key not in self._recipients:
            seen: set[int] = set()
            found: list[tuple[int, str]] = []
            for user in self.ladder(level) + self.concerned_of(assignee_id, department_id):
                if user.pk not in seen:
                    seen.add(user.pk)
                    found.append((user.pk, user.email or user.username))
            self._recipients[key] = found
        return self._recipients[key]


# Complaints per transaction: the per-row path (SQLite, and on PostgreSQL what the bulk path
# leaves to it) and the set-based path on PostgreSQL.
BATCH_SIZE = 500
BULK_BATCH_SIZE = 10_000


def sweep(*, now: dt.datetime, batch_size: int | None = None, bulk: bool | None = None) -> SweepResult:
    """Evaluate every open deadline as of `now`: record met and missed deadlines, escalate one
    level per missed deadline, send due reminders, and close complaints whose customer stayed
    unreachable when the organisation allows it (SPEC FU-2).

    On PostgreSQL (`bulk`, the default there) the common case, a complaint whose one due deadline
    was just missed and escalates, is written set-based (`_bulk_batch`); every other due complaint
    goes through the per-row path."""
    config = deadline_config()
    result = SweepResult()
    people: _People | None = None
    bulk = connection.vendor == "postgresql" if bulk is None else bulk
    size = batch_size or (BULK_BATCH_SIZE if bulk else BATCH_SIZE)
    after = 0

    def staff() -> _People:
        nonlocal people
        people = people or _People()
        return people

    if bulk:
        due = _due_complaints(now)
        for start in range(0, len(due), size):
            rest = _bulk_batch(due[start : start + size], now=now, config=config, staff=staff, result=result)
            for first in range(0, len(rest), BATCH_SIZE):
                _sweep_batch(rest[first : first + BATCH_SIZE], now=now, config=config, people=staff(), result=result)
    while not bulk:
        ids = list(
            ComplaintDeadline.objects.filter(
                state=DeadlineState.OPEN, paused_at__isnull=True, next_check_at__lte=now, complaint_id__gt=after
            )
            .order_by("complaint_id")
            .values_list("complaint_id", flat=True)
            .distinct()[:size]
        )
        if not ids:
            break
        after = ids[-1]
        _sweep_batch(ids, now=now, config=config, people=staff(), result=result)
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


# --- the set-based path (PostgreSQL) ------------------------------------------------------


def _not_met_sql(config: DeadlineConfig) -> tuple[str, list[Any]]:
    """A SQL condition on `d` (the deadline) and `c` (its complaint, not ended) that holds when
    `services.met_timestamp` finds nothing and the missed deadline escalates: the rows the bulk
    path may take. It errs towards false; whatever it leaves goes through the per-row path."""
    not_met = {
        MetWhen.ACKNOWLEDGED: "c.acknowledged_at IS NULL",
        MetWhen.REPLIED: "c.replied_at IS NULL AND c.resolved_at IS NULL",
        MetWhen.RESOLVED: "(c.resolved_at IS NULL OR c.resolved_at < d.started_at)",
        MetWhen.CLOSED: "c.status <> 'closed'",
        MetWhen.INVESTIGATING: "c.status <> ALL(%s)",
        MetWhen.INVESTIGATION_DONE: "TRUE",
        MetWhen.AUDIT_REPORTED: "TRUE",
    }
    # The unreachable customer's wait (FU-2 auto-close) is the per-row path's, always.
    cases: list[str] = ["WHEN %s THEN FALSE"]
    params: list[Any] = [CALLBACK_CONTACT]
    for code, info in config.kinds.items():
        if code == CALLBACK_CONTACT:
            continue
        condition = not_met.get(MetWhen(info.met_when)) if info.escalates else None
        cases.append(f"WHEN %s THEN {condition or 'FALSE'}")
        params.append(code)
        if condition and "%s" in condition:
            params.append(sorted(INVESTIGATED_STATUSES))
    # A kind the configuration does not know is met when the complaint closes, and escalates.
    return f"(CASE d.kind {' '.join(cases)} ELSE {not_met[MetWhen.CLOSED]} END)", params


def _due_complaints(now: dt.datetime) -> list[int]:
    """The complaints with something due, read once per sweep from the sweep's partial index
    (in batches by complaint the due rows would be read again for each batch)."""
    return list(
        ComplaintDeadline.objects.filter(state=DeadlineState.OPEN, paused_at__isnull=True, next_check_at__lte=now)
        .order_by("complaint_id")
        .values_list("complaint_id", flat=True)
        .distinct()
    )


def _bulk_batch(
    ids: list[int], *, now: dt.datetime, config: DeadlineConfig, staff: Callable[[], _People], result: SweepResult
) -> list[int]:
    """One transaction: lock the complaints `ids` that no other sweeper holds (SKIP LOCKED), and
    write those whose one due deadline was just missed and escalates set-based: one UPDATE each
    for deadlines and complaints, COPY for escalations, timeline events, audit records and
    notifications. Returns the locked complaints left to the per-row path."""
    deadlines, complaints = ComplaintDeadline._meta.db_table, Complaint._meta.db_table
    lock = f"SELECT id FROM {complaints} WHERE id = ANY(%s) ORDER BY id FOR UPDATE SKIP LOCKED"  # noqa: S608
    # Read after the locks are taken (a new snapshot): what a sweeper that held a lock committed
    # is seen, so nothing is handled twice.
    not_met, not_met_params = _not_met_sql(config)
    # The one past-due deadline of a complaint, when it escalates, is the bulk path's; the
    # complaint's other due rows (reminders, deadlines met) do not depend on the escalation and
    # are left to the per-row path, after it (`more`). Two past-due deadlines climb the ladder in
    # order: the per-row path's.
    classify = f"""
        WITH rows AS (
            SELECT d.id, d.complaint_id, d.kind, d.due_at, count(*) OVER (PARTITION BY d.complaint_id) AS n,
                   count(*) FILTER (WHERE d.due_at < %s) OVER (PARTITION BY d.complaint_id) AS past,
                   (d.due_at < %s AND c.status <> ALL(%s) AND {not_met}) AS simple
            FROM {deadlines} d JOIN {complaints} c ON c.id = d.complaint_id
            WHERE d.complaint_id = ANY(%s) AND d.state = %s AND d.paused_at IS NULL AND d.next_check_at <= %s
        )
        SELECT r.complaint_id, r.id, r.kind, r.due_at, c.number, c.severity, c.escalation_level, c.department_id,
               c.assignee_id, r.n > 1
        FROM rows r JOIN {complaints} c ON c.id = r.complaint_id
        WHERE r.past = 1 AND r.simple
        ORDER BY r.complaint_id
    """  # noqa: S608 - model tables; values are parameters
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(lock, [ids])
        locked = [complaint_id for (complaint_id,) in cursor.fetchall()]
        result.skipped_locked += len(ids) - len(locked)
        missed: list[_Missed] = []
        also_due: set[int] = set()
        if locked:
            cursor.execute(
                classify,
                [now, now, sorted(TERMINAL_STATUSES), *not_met_params, locked, DeadlineState.OPEN, now],
            )
            for complaint_id, deadline_id, kind, due_at, number, severity, level, department, assignee, more in cursor:
                if more:
                    also_due.add(complaint_id)
                to_level = next_level(level, severity=severity)
                missed.append(
                    _Missed(
                        complaint_id, deadline_id, kind, due_at, number, severity, level, to_level, department, assignee
                    )
                )
        if missed:
            _bulk_write(cursor, missed, now=now, config=config, people=staff())
            result.checked += len(missed)
            result.missed += len(missed)
            result.escalated += len(missed)
    done = {m.complaint_id for m in missed} - also_due
    return [complaint_id for complaint_id in locked if complaint_id not in done]


@dataclass(frozen=True, slots=True)
class _Missed:
    complaint_id: int
    deadline_id: int
    kind: str
    due_at: dt.datetime
    number: str
    severity: str
    from_level: int
    to_level: int
    department_id: int | None
    assignee_id: int | None


def _bulk_write(
    cursor: Any, missed: list[_Missed], *, now: dt.datetime, config: DeadlineConfig, people: _People
) -> None:
    """What `_escalate_overdue` writes for each of `missed`, with the texts formatted once per
    kind and level and the per-row parts put in."""
    from kesu.audit.services import keyed_digester
    from kesu.channels import registry

    missed.sort(key=lambda m: (m.due_at, m.deadline_id))  # the per-row path's order
    texts = _Batch(now=now, config=config, people=people)
    cursor.execute(
        f"UPDATE {ComplaintDeadline._meta.db_table} SET missed_at = %s, on_time = false, next_check_at = NULL, "  # noqa: S608
        "escalated_at = %s, updated_at = %s WHERE id = ANY(%s)",
        [now, now, now, [m.deadline_id for m in missed]],
    )
    cursor.execute(
        f"UPDATE {Complaint._meta.db_table} AS c SET escalation_level = v.level, overdue = true, updated_at = %s "  # noqa: S608
        "FROM unnest(%s::bigint[], %s::smallint[]) AS v(id, level) WHERE c.id = v.id",
        [now, [m.complaint_id for m in missed], [m.to_level for m in missed]],
    )
    mark = "\x00"
    reasons: dict[str, list[str]] = {}
    subjects: dict[int, list[str]] = {}
    body = texts.text("Complaint %(number)s was escalated: %(reason)s") % {"number": mark, "reason": "\x01"}
    when: dict[dt.datetime, tuple[str, str]] = {}
    # The audit module's canonical JSON (sort_keys, ensure_ascii=False, no spaces), written out
    # for this one shape of record; `encode` is json.dumps(…, ensure_ascii=False) without the
    # encoder built anew per call.
    encode = json.JSONEncoder(ensure_ascii=False).encode
    at_text = encode(now.astimezone(dt.UTC).isoformat(timespec="microseconds"))
    digest = keyed_digester()
    escalations: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    audits: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    preferred = people.preferring()
    routed: list[OutboxMessage] = []
    for m in missed:
        if m.due_at not in when:
            when[m.due_at] = (_when(m.due_at, config), encode(timezone.localtime(m.due_at).isoformat()))
        due, due_iso = when[m.due_at]
        if m.kind not in reasons:
            reasons[m.kind] = (
                texts.text("The %(deadline)s deadline (%(due)s) was missed.")
                % {"deadline": texts.kind_label(m.kind), "due": mark}
            ).split(mark)
        reason = due.join(reasons[m.kind])
        escalations.append(
            (m.complaint_id, m.from_level, m.to_level, EscalationCause.OVERDUE, reason, m.deadline_id, None, now)
        )
        escalation = f'{{"from_level":{m.from_level},"to_level":{m.to_level}}}'
        common = f'"deadline":{encode(m.kind)},"due_at":{due_iso},"escalation":{escalation}'
        note = encode(reason)
        events.append((m.complaint_id, "deadline_missed", "", "", None, now, reason, "{" + common + "}", True))
        data = "{" + common + f',"from":"","note":{note},"to":""' + "}"
        number = encode(m.number)
        content = (
            f'{{"action":"complaint.deadline_missed","actor":"","actor_id":null,"at":{at_text},"data":{data},'
            f'"object_id":{number},"object_type":"complaint"}}'
        )
        audits.append(
            (
                now,
                None,
                "",
                "complaint.deadline_missed",
                "complaint",
                m.number,
                data,
                digest(content.encode()),
                None,
                "",
                "",
            )
        )
        if m.to_level not in subjects:
            subjects[m.to_level] = (
                texts.text("Complaint %(number)s escalated to level %(level)d") % {"number": mark, "level": m.to_level}
            ).split(mark)
        subject = m.number.join(subjects[m.to_level])[:200]
        text = body.replace(mark, m.number).replace("\x01", reason)
        recipients = people.escalation_recipients(m.to_level, m.assignee_id, m.department_id)
        if preferred and any(user_id in preferred for user_id, _address in recipients):
            routed += [
                OutboxMessage(
                    kind="escalated",
                    channel="email",
                    recipient=address,
                    recipient_user_id=user_id,
                    complaint_id=m.complaint_id,
                    subject=subject,
                    body=text,
                    next_attempt_at=now,
                    created_at=now,
                )
                for user_id, address in recipients
            ]
            continue
        for user_id, address in recipients:
            outbox.append(
                (
                    "escalated",
                    "email",
                    address,
                    user_id,
                    m.complaint_id,
                    subject,
                    text,
                    OutboxStatus.PENDING,
                    0,
                    now,
                    now,
                )
            )
    if routed:
        from kesu.channels.preferences import route

        outbox += [
            (
                o.kind,
                o.channel,
                o.recipient,
                o.recipient_user_id,
                o.complaint_id,
                o.subject,
                o.body,
                o.status,
                o.attempts,
                o.next_attempt_at,
                o.created_at,
            )
            for o in route(routed)
        ]
    _copy(
        cursor,
        Escalation,
        ["complaint_id", "from_level", "to_level", "cause", "reason", "deadline_id", "actor_id", "at"],
        escalations,
    )
    _copy(
        cursor,
        ComplaintEvent,
        ["complaint_id", "kind", "from_status", "to_status", "actor_id", "at", "note", "data", "internal"],
        events,
    )
    _copy(
        cursor,
        AuditRecord,
        [
            "at",
            "actor_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "data",
            "digest",
            "chain_seq",
            "prev_hash",
            "chain_hash",
        ],
        audits,
    )
    if registry.active_webhooks() or registry.active_robots():
        _bulk_channel_events(events, now=now)
    _copy(
        cursor,
        OutboxMessage,
        [
            "kind",
            "channel",
            "recipient",
            "recipient_user_id",
            "complaint_id",
            "subject",
            "body",
            "status",
            "attempts",
            "next_attempt_at",
            "created_at",
            "last_error",
            "claim_token",
        ],
        [(*row, "", "") for row in outbox],
    )
    if outbox:
        tasks.dispatch_after_commit("deliver_outbox")
    tasks.dispatch_after_commit("seal_audit")


def _bulk_channel_events(events: list[tuple[Any, ...]], *, now: dt.datetime) -> None:
    """Webhook deliveries and robot announcements of the bulk path's events, as the per-row path
    makes them (only when some webhook or robot is active)."""
    from kesu.channels.events import complaint_events_recorded

    complaints = {c.pk: c for c in Complaint.objects.filter(id__in=[e[0] for e in events]).only(*_COMPLAINT_FIELDS)}
    objects = [
        ComplaintEvent(complaint_id=complaint_id, kind=kind, at=at, note=note, data=json.loads(data), internal=True)
        for complaint_id, kind, _from, _to, _actor, at, note, data, _internal in events
    ]
    complaint_events_recorded(events=objects, complaints=complaints, now=now)


def _copy(cursor: Any, model: type[Model], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """COPY `rows` (values of `fields`, by attname) into `model`'s table."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(meta.get_field(name).column)) for name in fields)  # type: ignore[union-attr]
    with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


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
