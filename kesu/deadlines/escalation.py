"""The escalation ladder (SPEC DP-4, DP-5), shared by manual escalation, escalation on customer
dissatisfaction and missed deadlines, so that all three write the same history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.models import Complaint
from kesu.deadlines.models import ComplaintDeadline, Escalation, EscalationCause
from kesu.notifications.services import notify_users

MAX_ESCALATION_LEVEL = 4
# Level 3 is the supervision team / centre GM: major complaints go straight there (DP-5).
MAJOR_LEVEL = 3
# DP-4 ladder: level → roles told about it (agent → supervisor → manager → supervision team / GM).
ESCALATION_LADDER: dict[int, tuple[str, ...]] = {
    1: (Role.SUPERVISOR,),
    2: (Role.MANAGER,),
    3: (Role.GM,),
    4: (Role.GM,),
}


def next_level(current: int, *, severity: str) -> int:
    """One step up the ladder, capped at the top; a major complaint lands at least at the GM."""
    level = MAX_ESCALATION_LEVEL if current >= MAX_ESCALATION_LEVEL else current + 1
    if severity == "major":
        level = max(level, MAJOR_LEVEL)
    return level


def ladder_recipients(level: int) -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=ESCALATION_LADDER[level]).order_by("id"))


def escalate(
    *,
    complaint: Complaint,
    now: dt.datetime,
    reason: str,
    cause: str = EscalationCause.MANUAL,
    actor: User | None = None,
    deadline: ComplaintDeadline | None = None,
    also_notify: Iterable[User] = (),
) -> dict[str, Any]:
    """Raise `complaint` one level, record it in the escalation history and notify the level's
    roles through the outbox. The caller saves the complaint in the same transaction."""
    before = complaint.escalation_level
    level = next_level(before, severity=complaint.severity)
    complaint.escalation_level = level
    Escalation.objects.create(
        complaint=complaint,
        from_level=before,
        to_level=level,
        cause=cause,
        reason=reason,
        deadline=deadline,
        actor=actor if getattr(actor, "pk", None) else None,
        at=now,
    )
    recipients = ladder_recipients(level)
    seen = {user.pk for user in recipients}
    recipients += [user for user in also_notify if user.pk not in seen]
    notify_users(
        users=recipients,
        kind="escalated",
        now=now,
        complaint=complaint,
        subject=_("Complaint %(number)s escalated to level %(level)d") % {"number": complaint.number, "level": level},
        body=_("Complaint %(number)s was escalated: %(reason)s") % {"number": complaint.number, "reason": reason},
    )
    return {"from_level": before, "to_level": level}
