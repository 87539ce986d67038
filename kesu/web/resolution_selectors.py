"""Reads behind the resolution panels of the complaint page and the resolution pages: what is
there (tasks, letters, returns, follow-up visits, rulings) and which actions the rules and the
user's role allow now, with the reason when they do not."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import FRONT_DESK, STAFF_ROLES, SUPERVISORS
from kesu.complaints.models import Complaint, Status
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.workflow import own_work_reason
from kesu.notifications.default_letters import DEFAULTS
from kesu.notifications.letters import DEFAULT_LANGUAGE
from kesu.notifications.models import LetterKind, LetterTemplate
from kesu.resolution import adjudication as adjudication_rules
from kesu.resolution.coordination import TASK_STATUSES, coordination_of, tasks_of
from kesu.resolution.followups import FOLLOW_UP_STATUSES, follow_up_window
from kesu.resolution.models import (
    Adjudication,
    Appeal,
    FollowUpStatus,
    FollowUpVisit,
    ReturnDocument,
    ReturnKind,
    SolutionStatus,
    TaskStatus,
)
from kesu.resolution.returns import REMEDIES_FOR, can_see_finance, credited_amount, tolerance_percent
from kesu.resolution.selectors import current_solution

READ_ONLY = "Auditors have read-only access."
# Letters a customer may receive, in the order of the procedure; the record form is print only.
CUSTOMER_LETTERS = (LetterKind.ACKNOWLEDGEMENT, LetterKind.UNREACHABLE_SMS, LetterKind.APOLOGY, LetterKind.RESULT)


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def staff_users() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .select_related("department")
        .order_by("department__code", "username")
    )


def active_departments() -> list[Department]:
    return list(Department.objects.filter(active=True).order_by("code"))


@dataclass
class Allowed:
    """Whether an action is offered, and the one-line reason when it is not."""

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


def _no(reason: str) -> Allowed:
    return Allowed(False, reason)


YES = Allowed(True)


# --- department tasks and the coordinator ------------------------------------------------------


def coordinator_allowed(user: User, complaint: Complaint) -> Allowed:
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if complaint.status not in TASK_STATUSES:
        return _no(_("A coordinator is named while the complaint is being handled."))
    if user.role not in SUPERVISORS:
        return _no(_("Only a supervisor or above may name the coordinator."))
    return YES


def task_add_allowed(user: User, complaint: Complaint, coordinator_id: int | None) -> Allowed:
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if complaint.status not in TASK_STATUSES:
        return _no(_("Department tasks are handed out while the complaint is being handled."))
    if coordinator_id is None:
        return _no(_("Name the coordinator before handing out department tasks."))
    if user.role not in SUPERVISORS and coordinator_id != user.pk:
        return _no(_("Only the coordinator or a supervisor hands out department tasks."))
    return YES


@dataclass
class TaskRow:
    task: Any
    overdue: bool
    can_finish: bool
    can_cancel: bool


def task_rows(
    user: User, complaint: Complaint, tasks: list[Any], coordinator_id: int | None, now: dt.datetime
) -> list[TaskRow]:
    coordinating = is_staff(user) and (user.role in SUPERVISORS or coordinator_id == user.pk)
    rows = []
    for task in tasks:
        open_ = task.status == TaskStatus.OPEN
        rows.append(
            TaskRow(
                task=task,
                overdue=open_ and now > task.due_at,
                can_finish=open_ and is_staff(user) and (coordinating or task.department_id == user.department_id),
                can_cancel=open_ and coordinating,
            )
        )
    return rows


# --- letters -------------------------------------------------------------------------------------


@dataclass
class LetterOption:
    kind: str
    label: str
    internal: bool
    send: Allowed


def letter_send_allowed(user: User, complaint: Complaint, kind: str, internal: bool) -> Allowed:
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if internal:
        return _no(_("This is an internal form: it can be printed but is never sent to the customer."))
    if kind == LetterKind.RESULT and not complaint.result:
        return _no(_("The complaint has no result yet; resolve it before sending the result letter."))
    if not (complaint.contact_email or complaint.contact_phone) or (
        kind == LetterKind.UNREACHABLE_SMS and not complaint.contact_phone
    ):
        return _no(_("The customer gave no contact for this channel."))
    return YES


def letter_channels(complaint: Complaint, kind: str) -> list[str]:
    """The channels this letter can go by, the default first (as kesu.notifications chooses)."""
    available = [ch for ch, value in (("email", complaint.contact_email), ("sms", complaint.contact_phone)) if value]
    if kind == LetterKind.UNREACHABLE_SMS or not complaint.contact_email:
        available.sort(key=lambda ch: ch != "sms")
    return available


def letter_options(user: User, complaint: Complaint) -> list[LetterOption]:
    """The letters of the procedure, each with whether it may be sent now (one query)."""
    language = complaint.language or DEFAULT_LANGUAGE
    kinds = (*CUSTOMER_LETTERS, LetterKind.COMPLAINT_RECORD)
    rows = {
        (row.kind, row.language): row.internal
        for row in LetterTemplate.objects.filter(kind__in=kinds, language__in={language, DEFAULT_LANGUAGE}).only(
            "kind", "language", "internal"
        )
    }
    defaults = {(kind, lang): internal for kind, lang, _subject, _body, internal in DEFAULTS}
    options = []
    for kind in kinds:
        internal = next(
            (
                found[key]
                for found in (rows, defaults)
                for key in ((kind, language), (kind, DEFAULT_LANGUAGE))
                if key in found
            ),
            None,
        )
        if internal is None:
            continue
        options.append(
            LetterOption(
                kind=kind,
                label=str(LetterKind(kind).label),
                internal=internal,
                send=letter_send_allowed(user, complaint, kind, internal),
            )
        )
    return options


# --- returns and credit notes ------------------------------------------------------------------


def return_kinds_allowed(
    user: User, complaint: Complaint, solution: Any = None, remedies: list[Any] | None = None
) -> tuple[Allowed, list[tuple[str, str]]]:
    """Whether a credit note or return slip can be issued now, and which kinds the accepted
    solution's remedies call for."""
    if not is_staff(user):
        return _no(_(READ_ONLY)), []
    reason = own_work_reason(complaint, user)
    if reason is not None:
        return _no(reason), []
    if solution is None:
        solution = current_solution(complaint)
    if solution is None or solution.status != SolutionStatus.ACCEPTED:
        return _no(_("Returns and allowances follow a solution the customer has accepted.")), []
    alternative = solution.accepted_alternative or 1
    if remedies is None:
        remedies = list(solution.remedies.all())
    types = {r.type for r in remedies if r.alternative == alternative}
    kinds = [(kind, str(label)) for kind, label in ReturnKind.choices if REMEDIES_FOR[kind] & types]
    if not kinds:
        return _no(_("The accepted solution has no remedy this document carries out.")), []
    return YES, kinds


@dataclass
class ReturnRow:
    document: ReturnDocument
    credited: Any
    can_receive: bool


def return_rows(user: User, documents: list[ReturnDocument]) -> list[ReturnRow]:
    return [
        ReturnRow(
            document=d,
            credited=credited_amount(d),
            can_receive=is_staff(user) and d.kind == ReturnKind.RETURN_SLIP and d.received_at is None,
        )
        for d in documents
    ]


def may_see_finance(user: User) -> bool:
    """Finance (the finance department's staff), managers and auditors (kesu.resolution.returns)."""
    return can_see_finance(user)


def finance_documents(
    *,
    user: User,
    kind: str | None,
    reconciliation: str | None,
    created_from: dt.datetime | None = None,
    created_to: dt.datetime | None = None,
) -> QuerySet[ReturnDocument]:
    from kesu.resolution.returns import finance_returns

    return finance_returns(
        user=user, kind=kind, reconciliation=reconciliation, created_from=created_from, created_to=created_to
    )


# --- follow-up visits ------------------------------------------------------------------------------


def follow_up_allowed(user: User, complaint: Complaint) -> Allowed:
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if user.role not in FRONT_DESK:
        return _no(_("Follow-up visits are planned and recorded by customer service."))
    if complaint.status not in FOLLOW_UP_STATUSES or complaint.resolved_at is None:
        return _no(_("A follow-up visit is scheduled once the complaint is resolved."))
    return YES


def may_list_follow_ups(user: User) -> bool:
    return user.role in FRONT_DESK


def due_follow_ups(*, user: User, show: str, today: dt.date) -> list[FollowUpVisit]:
    from kesu.resolution.followups import follow_ups

    if show == "due":
        return list(follow_ups(user=user, status=FollowUpStatus.SCHEDULED, due_by=today)[:500])
    status = show if show in FollowUpStatus.values else FollowUpStatus.SCHEDULED
    visits = follow_ups(user=user, status=status)
    if status != FollowUpStatus.SCHEDULED:
        visits = visits.order_by("-done_at", "-id")
    return list(visits[:500])


# --- validity rulings and appeals -----------------------------------------------------------------


def ruling_allowed(user: User, complaint: Complaint) -> Allowed:
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if user.role not in SUPERVISORS:
        return _no(_("Only a supervisor or above may rule on a complaint's validity."))
    if complaint.status in (Status.INVALID, Status.MERGED, Status.WITHDRAWN):
        return _no(_("A complaint that was ruled invalid, merged or withdrawn cannot be ruled valid."))
    return YES


@dataclass
class RulingRow:
    ruling: Adjudication
    appeal: Appeal | None
    appeal_until: dt.datetime
    can_appeal: Allowed
    can_answer: bool
    appeal_overdue: bool = False  # §7: unanswered past its answer-due


def appeal_allowed(user: User, ruling: Adjudication, appeal: Appeal | None, now: dt.datetime) -> Allowed:
    if ruling.staff_id != user.pk or appeal is not None:
        return _no("")
    if not is_staff(user):
        return _no(_(READ_ONLY))
    if now > ruling.ruled_at + adjudication_rules.APPEAL_WINDOW:
        return _no(_("An appeal must be lodged within 7 days of the ruling."))
    return YES


def ruling_rows(user: User, rulings: list[Adjudication], now: dt.datetime) -> list[RulingRow]:
    rows = []
    for ruling in rulings:
        appeal = getattr(ruling, "appeal", None)
        rows.append(
            RulingRow(
                ruling=ruling,
                appeal=appeal,
                appeal_until=ruling.ruled_at + adjudication_rules.APPEAL_WINDOW,
                can_appeal=appeal_allowed(user, ruling, appeal, now),
                can_answer=(
                    appeal is not None
                    and appeal.answered_at is None
                    and user.role in SUPERVISORS
                    and appeal.appellant_id != user.pk
                ),
                appeal_overdue=appeal is not None and adjudication_rules.appeal_overdue(appeal, now),
            )
        )
    return rows


def rulings_of(complaint: Complaint) -> list[Adjudication]:
    return list(
        complaint.adjudications.select_related("staff", "ruled_by", "appeal__appellant", "appeal__reviewer").order_by(
            "ruled_at", "id"
        )
    )


@dataclass
class RulingsPage:
    mine: list[RulingRow] = field(default_factory=list)
    to_answer: list[Appeal] = field(default_factory=list)
    reviewer: bool = False


def rulings_page(*, user: User, now: dt.datetime) -> RulingsPage:
    """Rulings that judged the user's handling (they may appeal), and for reviewers the appeals
    waiting for an answer, on the complaints the user can see."""
    visible = visible_complaints(user).values("pk")
    mine = list(
        Adjudication.objects.filter(staff=user, complaint__in=visible)
        .select_related("complaint", "ruled_by", "appeal__reviewer")
        .order_by("-ruled_at", "-id")[:200]
    )
    to_answer: list[Appeal] = []
    if user.role in SUPERVISORS:
        to_answer = list(
            Appeal.objects.filter(answered_at__isnull=True, adjudication__complaint__in=visible)
            .exclude(appellant=user)
            .select_related("adjudication__complaint", "adjudication__staff", "appellant")
            .order_by("answer_due", "id")[:200]
        )
    for appeal in to_answer:
        appeal.overdue = adjudication_rules.appeal_overdue(appeal, now)  # type: ignore[attr-defined]
    return RulingsPage(mine=ruling_rows(user, mine, now), to_answer=to_answer, reviewer=user.role in SUPERVISORS)


# --- the panels of one complaint -------------------------------------------------------------------


@dataclass
class ResolutionPanels:
    complaint: Complaint
    coordinator: User | None
    coordinator_allowed: Allowed
    task_allowed: Allowed
    tasks: list[TaskRow]
    letters: list[LetterOption]
    return_allowed: Allowed
    return_kinds: list[tuple[str, str]]
    returns: list[ReturnRow]
    follow_up_allowed: Allowed
    follow_up_window: tuple[dt.date, dt.date] | None
    visits: list[FollowUpVisit]
    ruling_allowed: Allowed
    rulings: list[RulingRow]
    users: list[User]
    departments: list[Department]
    tolerance: Any = None  # the percent by which returned and approved quantities may differ


def resolution_panels(
    *,
    user: User,
    complaint: Complaint,
    now: dt.datetime,
    event_kinds: set[str] | None = None,
    users: list[User] | None = None,
    solution: Any = None,
    remedies: list[Any] | None = None,
) -> ResolutionPanels:
    """The panels' data. `event_kinds` (the kinds on the complaint's timeline, when the caller has
    read it) spares the queries for what never happened: every service below records an event."""

    def happened(*kinds: str) -> bool:
        return event_kinds is None or bool(event_kinds.intersection(kinds))

    coordination = coordination_of(complaint) if happened("coordinator_set") else None
    coordinator_id = coordination.coordinator_id if coordination else None
    tasks = sorted(tasks_of(complaint), key=lambda t: (t.created_at, t.pk)) if happened("department_task_added") else []
    return_allowed, return_kinds = return_kinds_allowed(user, complaint, solution, remedies)
    documents = (
        list(complaint.return_documents.select_related("created_by", "received_by").order_by("created_at", "id"))
        if happened("return_document_issued")
        else []
    )
    visits = (
        list(complaint.follow_ups.select_related("assignee", "done_by").order_by("scheduled_for", "id"))
        if happened("follow_up_scheduled")
        else []
    )
    rulings = rulings_of(complaint) if happened("adjudicated", "rule_invalid") else []
    window = follow_up_window(complaint.resolved_at) if complaint.resolved_at else None
    panels = ResolutionPanels(
        complaint=complaint,
        coordinator=coordination.coordinator if coordination else None,
        coordinator_allowed=coordinator_allowed(user, complaint),
        task_allowed=task_add_allowed(user, complaint, coordinator_id),
        tasks=task_rows(user, complaint, tasks, coordinator_id, now),
        letters=letter_options(user, complaint),
        return_allowed=return_allowed,
        return_kinds=return_kinds,
        returns=return_rows(user, documents),
        follow_up_allowed=follow_up_allowed(user, complaint),
        follow_up_window=window,
        visits=visits,
        ruling_allowed=ruling_allowed(user, complaint),
        rulings=ruling_rows(user, rulings, now),
        users=[],
        departments=[],
        tolerance=tolerance_percent(),
    )
    if panels.coordinator_allowed or panels.task_allowed or panels.follow_up_allowed or panels.ruling_allowed:
        panels.users = users if users else staff_users()
    if panels.task_allowed:
        panels.departments = active_departments()
    return panels


def today(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


# --- a department's own tasks ------------------------------------------------------------------------


def may_list_department_tasks(user: User) -> bool:
    return is_staff(user) and user.department_id is not None


@dataclass
class DepartmentTaskRow:
    task: Any
    overdue: bool
    can_finish: bool
    visible: bool  # whether the complaint page opens for the user (the task alone does not make it)


def department_tasks(*, user: User, show_done: bool, now: dt.datetime) -> list[DepartmentTaskRow]:
    """The tasks other departments' complaints gave the user's department, open ones by due time."""
    from kesu.resolution.models import DepartmentTask

    tasks = DepartmentTask.objects.filter(department_id=user.department_id or 0).select_related(
        "complaint", "department", "assignee", "created_by", "finished_by"
    )
    tasks = (
        tasks.exclude(status=TaskStatus.OPEN).order_by("-finished_at", "-id")
        if show_done
        else tasks.filter(status=TaskStatus.OPEN).order_by("due_at", "id")
    )
    rows = list(tasks[:300])
    visible = set(visible_complaints(user).filter(pk__in=[t.complaint_id for t in rows]).values_list("pk", flat=True))
    return [
        DepartmentTaskRow(
            task=t,
            overdue=t.status == TaskStatus.OPEN and now > t.due_at,
            can_finish=t.status == TaskStatus.OPEN and is_staff(user),
            visible=t.complaint_id in visible,
        )
        for t in rows
    ]
