"""In-app notifications of a staff member: what was sent to them and the work waiting for them.

Four kinds, each read live from where it is recorded, so no code path has to remember to write a
second row: messages the outbox holds for the user (new assignments, escalations, major
complaints, CAPA), solutions waiting for the user's approval, callbacks due on the user's
complaints, and overdue complaints of the user or their department. Opening the notifications
page moves the user's read marker (InboxMark); the badge counts what arrived after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Min, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.notifications.models import InboxMark, OutboxMessage

LIST_LIMIT = 50

KINDS: dict[str, Promise] = {
    "message": _("Messages to me"),
    "approval": _("Approvals waiting for me"),
    "callback": _("Callbacks due"),
    "overdue": _("Overdue"),
}

# Labels of the outbox's staff messages, in the reader's language (the stored subject is in the
# language of whoever triggered it).
MESSAGE_LABELS: dict[str, Promise] = {
    "assigned": _("Assigned to you"),
    "escalated": _("Escalated"),
    "deadline_reminder": _("Deadline approaching"),
    "major_complaint": _("Major complaint registered"),
    "capa_assigned": _("Corrective action assigned to you"),
    "capa_reopened": _("Corrective action reopened"),
    "capa_escalated": _("Corrective action overdue"),
}


@dataclass(frozen=True)
class InboxItem:
    kind: str
    label: Any
    number: str | None
    title: str
    at: dt.datetime | None
    new: bool


@dataclass(frozen=True)
class Inbox:
    seen_at: dt.datetime | None
    sections: list[tuple[str, Any, list[InboxItem]]]

    @property
    def new_count(self) -> int:
        return sum(1 for _kind, _label, items in self.sections for item in items if item.new)


def inbox_seen_at(user: User) -> dt.datetime | None:
    return InboxMark.objects.filter(user_id=user.pk).values_list("seen_at", flat=True).first()


def _messages(user: User) -> QuerySet[OutboxMessage]:
    # "inapp": a message its recipient chose to get by robot or SMS only (kesu.channels.preferences).
    return OutboxMessage.objects.filter(recipient_user_id=user.pk, channel__in=("email", "inapp"))


def _approvals(user: User) -> QuerySet[Any]:
    from kesu.accounts.permissions import sees_whole_organisation
    from kesu.complaints import workflow
    from kesu.complaints.models import Status
    from kesu.complaints.selectors import visible_complaints
    from kesu.resolution.models import Solution, SolutionStatus
    from kesu.resolution.selectors import approval_limit

    if user.role not in workflow.APPROVERS:
        return Solution.objects.none()
    pending = Solution.objects.filter(
        status=SolutionStatus.PENDING_APPROVAL, complaint__status=Status.SOLUTION_PROPOSED
    )
    if not sees_whole_organisation(user):
        pending = pending.filter(complaint__in=visible_complaints(user).values("pk"))
    limit = approval_limit(user)
    if limit is not None:
        pending = pending.filter(total__lte=limit)
    return pending.exclude(total=0)


def _callbacks(user: User) -> QuerySet[Any]:
    from kesu.accounts.permissions import FRONT_DESK
    from kesu.complaints.models import Complaint, Status

    if user.role not in FRONT_DESK:
        return Complaint.objects.none()
    return Complaint.objects.filter(Q(recorded_by_id=user.pk) | Q(assignee_id=user.pk), status=Status.RESOLVED)


def _overdue(user: User, now: dt.datetime) -> QuerySet[Any]:
    from kesu.complaints.models import Complaint
    from kesu.complaints.selectors import overdue_q

    mine = Q(assignee_id=user.pk)
    if user.department_id:
        mine |= Q(department_id=user.department_id)
    return Complaint.objects.filter(mine).filter(overdue_q(now))


def _missed_since(since: dt.datetime, now: dt.datetime) -> Q:
    """A complaint whose deadline passed after `since` (it became overdue since then)."""
    from kesu.deadlines.models import DeadlineState

    return Q(deadlines__state=DeadlineState.OPEN, deadlines__due_at__gt=since, deadlines__due_at__lte=now)


def inbox_new_count(*, user: User, now: dt.datetime) -> int:
    """The badge: notifications that arrived after the user last opened the list (one query each)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    since = inbox_seen_at(user)
    messages, approvals, callbacks, overdue = _messages(user), _approvals(user), _callbacks(user), _overdue(user, now)
    if since is not None:
        messages = messages.filter(created_at__gt=since)
        approvals = approvals.filter(proposed_at__gt=since)
        callbacks = callbacks.filter(resolved_at__gt=since)
        overdue = overdue.filter(_missed_since(since, now))
    return messages.count() + approvals.count() + callbacks.count() + overdue.values("pk").distinct().count()


def inbox_for(*, user: User, now: dt.datetime) -> Inbox:
    """Everything in the user's notifications, newest first, each marked new or read."""
    since = inbox_seen_at(user)

    def is_new(at: dt.datetime | None) -> bool:
        return at is not None and (since is None or at > since)

    messages = [
        InboxItem(
            "message",
            MESSAGE_LABELS.get(m.kind, _("Notice")),
            m.complaint.number if m.complaint else None,
            (m.complaint.title or m.complaint.description[:60]) if m.complaint else m.subject,
            m.created_at,
            is_new(m.created_at),
        )
        for m in _messages(user).select_related("complaint").order_by("-created_at", "-id")[:LIST_LIMIT]
    ]
    approvals = [
        InboxItem(
            "approval",
            _("Solution waiting for approval"),
            s.complaint.number,
            s.complaint.title or s.complaint.description[:60],
            s.proposed_at,
            is_new(s.proposed_at),
        )
        for s in _approvals(user).select_related("complaint").order_by("-proposed_at", "-id")[:LIST_LIMIT]
    ]
    callbacks = [
        InboxItem(
            "callback",
            _("Resolved: call the customer back"),
            c.number,
            c.title or c.description[:60],
            c.resolved_at,
            is_new(c.resolved_at),
        )
        for c in _callbacks(user).order_by("-resolved_at", "-id")[:LIST_LIMIT]
    ]
    from kesu.deadlines.models import DeadlineState

    missed = Min("deadlines__due_at", filter=Q(deadlines__state=DeadlineState.OPEN, deadlines__due_at__lte=now))
    overdue = [
        InboxItem(
            "overdue", _("Past its deadline"), c.number, c.title or c.description[:60], c.missed_at, is_new(c.missed_at)
        )
        for c in _overdue(user, now)
        .only("number", "title", "description")
        .annotate(missed_at=missed)
        .order_by("-missed_at", "-id")[:LIST_LIMIT]
    ]
    items = {"message": messages, "approval": approvals, "callback": callbacks, "overdue": overdue}
    return Inbox(seen_at=since, sections=[(kind, label, items[kind]) for kind, label in KINDS.items()])


def inbox_mark_seen(*, user: User, now: dt.datetime) -> None:
    """Everything up to `now` counts as read (the user opened the list)."""
    with transaction.atomic():
        updated = InboxMark.objects.filter(user_id=user.pk).update(seen_at=now)
        if not updated:
            InboxMark.objects.get_or_create(user_id=user.pk, defaults={"seen_at": now})
