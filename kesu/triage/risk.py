"""Escalation risk (上升风险, issue 10): which open complaints are likely to go to a regulator, the
media or a court, and why.

Each reason adds to a score: an explicit threat in the complaint's text or in a later note (the
regulator, media, court and go-public rules of SPEC CL-2, or a regulator/media channel), repeat
contacts on the same matter, a missed deadline, a rejected solution, an unsatisfied callback, a
major grading. At the policy's threshold the complaint is flagged for supervisors (the risk queue)
and raised to the policy's escalation level on the DP-4 ladder, with a timeline event and the
escalation history, in one transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext as _

from kesu.complaints.events import record_event
from kesu.complaints.models import OPEN_STATUSES, Complaint
from kesu.triage.models import ComplaintLink, EscalationRisk, RiskReason, SeverityRule, TriagePolicy
from kesu.triage.services import match_rules

THREAT_RULES = ("regulator", "media", "court", "threat_public")
WEIGHTS = {
    RiskReason.THREAT: 3,
    RiskReason.REPEAT: 2,
    RiskReason.OVERDUE: 2,
    RiskReason.REJECTED: 2,
    RiskReason.UNSATISFIED: 2,
    RiskReason.MAJOR: 1,
}
SWEEP_BATCH = 2000


@dataclass(frozen=True)
class Assessment:
    score: int
    reasons: list[dict[str, Any]]  # {"code": …, "detail": …, "weight": …}
    flagged: bool


def reason_text(reason: dict[str, Any]) -> str:
    """A reason in the reader's language, with its detail (the words, the count)."""
    code = reason.get("code", "")
    label = str(RiskReason(code).label) if code in RiskReason.values else code
    detail = reason.get("detail")
    if code == RiskReason.THREAT and reason.get("channel"):
        from kesu.complaints.models import Channel

        channel = str(Channel(detail).label) if detail in Channel.values else str(detail)
        return _("%(reason)s, received through the channel “%(channel)s”") % {"reason": label, "channel": channel}
    if code == RiskReason.THREAT and detail:
        return _("%(reason)s, in the words “%(words)s”") % {"reason": label, "words": detail}
    if code in (RiskReason.REPEAT, RiskReason.REJECTED, RiskReason.UNSATISFIED, RiskReason.OVERDUE) and detail:
        return _("%(reason)s (%(count)s times)") % {"reason": label, "count": detail}
    return label


def assess(*, complaint: Complaint, now: dt.datetime, policy: TriagePolicy | None = None) -> Assessment:
    """The complaint's risk score and its reasons (a read)."""
    policy = policy or TriagePolicy.current()
    reasons: list[dict[str, Any]] = []

    def add(code: str, detail: Any = "", weight: int | None = None) -> None:
        reasons.append(
            {"code": code, "detail": detail, "weight": WEIGHTS[RiskReason(code)] if weight is None else weight}
        )

    events = list(complaint.events.order_by("-at", "-id").values("kind", "note", "data")[:200])
    notes = " ".join(e["note"] for e in events if e["note"])
    text = " ".join(p for p in (complaint.title, complaint.description, complaint.demand, notes) if p)
    rules = SeverityRule.objects.filter(active=True, code__in=THREAT_RULES).order_by("code")
    hit = match_rules(rules, text=text, channel=complaint.channel)
    if hit.rule is not None:
        if hit.matched.startswith("channel:"):
            reasons.append({"code": RiskReason.THREAT, "detail": complaint.channel, "channel": True, "weight": 3})
        else:
            add(RiskReason.THREAT, hit.matched)
    since = now - dt.timedelta(days=policy.duplicate_window_days)
    links = ComplaintLink.objects.filter(Q(complaint=complaint) | Q(other=complaint)).count()
    repeats = complaint.repeats.count() + (1 if complaint.related_to_id else 0)
    same_customer = (
        Complaint.objects.filter(customer_id=complaint.customer_id, received_at__gte=since)
        .exclude(pk=complaint.pk)
        .count()
    )
    contacts = max(links + repeats, same_customer)
    if contacts:
        add(RiskReason.REPEAT, contacts, 2 if contacts == 1 else 3)
    missed = sum(1 for e in events if e["kind"] == "deadline_missed")
    if missed or complaint.overdue:
        add(RiskReason.OVERDUE, missed or 1)
    rejected = sum(1 for e in events if e["kind"] == "customer_reject")
    if rejected:
        add(RiskReason.REJECTED, rejected)
    unsatisfied = sum(
        1
        for e in events
        if e["kind"] == "record_callback"
        and (e["data"] or {}).get("reached")
        and (e["data"] or {}).get("satisfied") is False
    )
    if unsatisfied:
        add(RiskReason.UNSATISFIED, unsatisfied)
    if complaint.severity == "major":
        add(RiskReason.MAJOR)
    score = sum(int(r["weight"]) for r in reasons)
    return Assessment(score=score, reasons=reasons, flagged=score >= policy.risk_threshold)


def assess_and_apply(*, complaint: Complaint, now: dt.datetime, policy: TriagePolicy | None = None) -> Assessment:
    """Store the assessment; a newly flagged complaint gets its event and the policy's escalation.
    Call inside the caller's transaction (or it opens one)."""
    from kesu.deadlines.escalation import MAX_ESCALATION_LEVEL, escalate

    policy = policy or TriagePolicy.current()
    result = assess(complaint=complaint, now=now, policy=policy)
    with transaction.atomic():
        row = EscalationRisk.objects.select_for_update().filter(complaint=complaint).first()
        newly = result.flagged and (row is None or not row.flagged)
        if row is None:
            row = EscalationRisk(complaint=complaint)
        row.score, row.reasons, row.assessed_at = result.score, result.reasons, now
        if newly:
            row.flagged, row.flagged_at = True, now
        elif not result.flagged:
            row.flagged, row.flagged_at = False, None
        row.save()
        if newly and complaint.status in OPEN_STATUSES:
            before = complaint.escalation_level
            target = min(policy.risk_escalation_level, MAX_ESCALATION_LEVEL)
            reason = "; ".join(reason_text(r) for r in result.reasons)
            while complaint.escalation_level < target:
                escalate(complaint=complaint, now=now, reason=reason, cause="risk")
            if complaint.escalation_level != before:
                complaint.updated_at = now
                Complaint.objects.filter(pk=complaint.pk).update(
                    escalation_level=complaint.escalation_level, updated_at=now
                )
            record_event(
                complaint=complaint,
                kind="risk_flagged",
                actor=None,
                at=now,
                data={
                    "score": result.score,
                    "reasons": [r["code"] for r in result.reasons],
                    "from_level": before,
                    "to_level": complaint.escalation_level,
                },
            )
    return result


def sweep(*, now: dt.datetime, limit: int = SWEEP_BATCH) -> int:
    """Assess the open complaints never assessed or with news since their last assessment."""
    policy = TriagePolicy.current()
    stale = (
        Complaint.objects.filter(status__in=OPEN_STATUSES)
        .annotate(last_event=Max("events__at"))
        .filter(
            Q(escalation_risk__isnull=True)
            | Q(last_event__gt=F("escalation_risk__assessed_at"))
            | Q(updated_at__gt=F("escalation_risk__assessed_at"))
        )
        .order_by("-received_at")[:limit]
    )
    count = 0
    for complaint in stale:
        assess_and_apply(complaint=complaint, now=now, policy=policy)
        count += 1
    return count
