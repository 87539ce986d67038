"""Agent performance (SPEC OP-5, SV-4) per agent and period, computed in a fixed number of queries.

- volume: complaints received in the period that the agent registered or is assigned;
- on-time rate: of those closed, the share closed by their close deadline (null when none closed);
- satisfaction: of the callbacks the agent made in the period with an answer, the share satisfied;
- valid complaints against them: complaints received in the period whose investigation names them
  the responsible person, not ruled invalid;
- review score: the average quality-review score (SV-1) of their complaints reviewed in the period;
- rewards and penalties: the managers' rewards and penalties dated in the period, plus the penalties
  the investigations of those complaints against them set (SV-4).
An agent sees their own line; a supervisor or manager the agents of their department; admins and
the GM every agent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import MANAGERS, SUPERVISORS
from kesu.audit.services import audit_record
from kesu.complaints.models import Complaint, Status
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed
from kesu.desk.models import Sanction
from kesu.resolution.models import Callback, Investigation
from kesu.supervision.models import QualityReview

ZERO = Decimal("0.00")


@dataclass
class AgentFigures:
    agent: User
    volume: int = 0
    closed: int = 0
    on_time: int = 0
    callbacks: int = 0
    satisfied: int = 0
    valid_against: int = 0
    reviews: int = 0
    review_score: Decimal | None = None
    rewards: Decimal = ZERO
    penalties: Decimal = ZERO

    @property
    def on_time_rate(self) -> Decimal | None:
        return _rate(self.on_time, self.closed)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return _rate(self.satisfied, self.callbacks)


def _rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")) if whole else None


def visible_agents(user: User) -> list[User]:
    agents = User.objects.filter(role=Role.AGENT, is_active=True).select_related("department")
    if user.role == Role.AGENT:
        agents = agents.filter(pk=user.pk)
    elif user.role in (Role.SUPERVISOR, Role.MANAGER) and user.department_id:
        agents = agents.filter(department_id=user.department_id)
    elif user.role not in SUPERVISORS:
        return []
    return list(agents.order_by("username"))


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def agent_performance(*, user: User, date_from: dt.date, date_to: dt.date) -> list[AgentFigures]:
    if date_to < date_from:
        raise ValidationFailed([FieldError("date_to", _("The end comes before the start."), "invalid")])
    agents = visible_agents(user)
    if not agents:
        return []
    ids = [a.pk for a in agents]
    figures = {a.pk: AgentFigures(agent=a) for a in agents}
    start, end = _bounds(date_from, date_to)
    received = Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
    # A complaint counts once per agent: as the assignee, or as the one who registered it.
    handled: dict[int, set[int]] = defaultdict(set)
    for pk, assignee, recorder, status, closed_at, close_due in received.filter(
        Q(assignee_id__in=ids) | Q(recorded_by_id__in=ids)
    ).values_list("pk", "assignee_id", "recorded_by_id", "status", "closed_at", "close_due"):
        for who in {assignee, recorder} & set(ids):
            handled[who].add(pk)
            row = figures[who]
            row.volume += 1
            if status == Status.CLOSED and closed_at is not None:
                row.closed += 1
                if close_due is None or closed_at <= close_due:
                    row.on_time += 1
    for by, total, happy in (
        Callback.objects.filter(by_id__in=ids, at__gte=start, at__lt=end, satisfied__isnull=False)
        .values("by_id")
        .annotate(total=Count("id"), happy=Count("id", filter=Q(satisfied=True)))
        .values_list("by_id", "total", "happy")
    ):
        figures[by].callbacks, figures[by].satisfied = total, happy
    for person, count, penalty in (
        Investigation.objects.filter(
            responsible_person_id__in=ids, complaint__received_at__gte=start, complaint__received_at__lt=end
        )
        .exclude(complaint__status=Status.INVALID)
        .values("responsible_person_id")
        .annotate(count=Count("id"), penalty=Sum("penalty_amount"))
        .values_list("responsible_person_id", "count", "penalty")
    ):
        figures[person].valid_against = count
        figures[person].penalties += penalty or ZERO
    everything = set().union(*handled.values()) if handled else set()
    scores = QualityReview.objects.filter(
        complaint_id__in=everything, reviewed_at__gte=start, reviewed_at__lt=end
    ).values_list("complaint_id", "score")
    by_complaint: dict[int, list[int]] = defaultdict(list)
    for complaint_id, score in scores:
        if score is not None:
            by_complaint[complaint_id].append(score)
    for who, pks in handled.items():
        values = [s for pk in pks for s in by_complaint.get(pk, [])]
        if values:
            figures[who].reviews = len(values)
            figures[who].review_score = (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.1"))
    for person, kind, amount in (
        Sanction.objects.filter(person_id__in=ids, date__gte=date_from, date__lte=date_to)
        .values("person_id", "kind")
        .annotate(amount=Sum("amount"))
        .values_list("person_id", "kind", "amount")
    ):
        if kind == Sanction.Kind.REWARD:
            figures[person].rewards += amount
        else:
            figures[person].penalties += amount
    return [figures[a.pk] for a in agents]


def may_sanction(user: User) -> bool:
    return user.role in MANAGERS


def sanction_record(
    *, actor: User, person: str, kind: str, amount: object, reason: str, date: object, now: dt.datetime
) -> Sanction:
    """SV-4: a manager records a reward or a penalty for an agent of their department."""
    if not may_sanction(actor):
        raise PermissionDenied(_("Only managers record rewards and penalties."))
    errors: list[FieldError] = []
    target = User.objects.filter(username=str(person or "").strip(), is_active=True).first()
    if target is None or target not in visible_agents(actor):
        errors.append(FieldError("person", _("Choose an agent of your team."), "not_found"))
    if kind not in Sanction.Kind.values:
        errors.append(FieldError("kind", _("Choose reward or penalty."), "invalid_choice"))
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
        if value < 0 or value > Decimal("1000000"):
            raise ValueError
    except (ArithmeticError, ValueError):
        errors.append(FieldError("amount", _("Give an amount of at least 0."), "invalid"))
        value = ZERO
    reason = (reason or "").strip()
    if not reason:
        errors.append(FieldError("reason", _("Give the reason."), "required"))
    elif len(reason) > 400:
        errors.append(FieldError("reason", _("Write at most %(max)d characters.") % {"max": 400}, "too_long"))
    try:
        day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
    except ValueError:
        errors.append(FieldError("date", _("Give the date (YYYY-MM-DD)."), "invalid"))
        day = None
    if errors:
        raise ValidationFailed(errors)
    assert target is not None and day is not None
    with transaction.atomic():
        sanction = Sanction.objects.create(
            person=target, kind=kind, amount=value, reason=reason, date=day, decided_by=actor, decided_at=now
        )
        audit_record(
            actor=actor,
            action=f"sanction.{kind}",
            object_type="sanction",
            object_id=str(sanction.pk),
            data={"person": target.username, "amount": str(value), "reason": reason},
            at=now,
        )
    return sanction
