"""Repeat and duplicate complaints (SPEC IN-10): which earlier complaints are the same matter, and
linking or merging them with one click.

The same matter is the same customer (normalised phone or e-mail) or a near-duplicate text
(character bigrams of the normalised text, so traditional and simplified compare equal), received
within the policy's window. Text candidates are the complaints with the same order or lot number
and the most recent ones in the window (TEXT_CANDIDATES); the full-text index can widen that later.

Linking writes a `ComplaintLink`, a timeline event on both complaints and their audit records in
one transaction. Merging is the existing `merge` action of the transition table (the duplicate is
marked merged into the other and leaves the open queues), preceded by the link."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kesu.triage.models import ComplaintLink, LinkReason, TriagePolicy
from kesu.triage.text import char_bigrams

DEFAULT_SIMILARITY = 0.5
TEXT_CANDIDATES = 400
MAX_SUGGESTIONS = 8


def _similarity_of_sets(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    # Overlap relative to the shorter text: a short repeat ("还是没退款") of a long complaint counts.
    shared = len(a & b)
    return (2.0 * shared / (len(a) + len(b)) + shared / min(len(a), len(b))) / 2.0


def text_similarity(a: str, b: str) -> float:
    """0…1: how much of the two texts' character bigrams they share (simplified = traditional)."""
    return _similarity_of_sets(char_bigrams(a), char_bigrams(b))


@dataclass
class Candidate:
    complaint: Complaint
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    linked: bool = False

    @property
    def reason_labels(self) -> list[str]:
        return [str(LinkReason(r).label) for r in self.reasons]


def _text_of(c: Complaint) -> str:
    return " ".join(p for p in (c.title, c.description, c.product_name) if p)


def same_matter(
    *,
    user: Any,
    text: str,
    phone: str = "",
    email: str = "",
    order_no: str = "",
    product_lot: str = "",
    now: dt.datetime,
    exclude: Complaint | None = None,
    policy: TriagePolicy | None = None,
) -> list[Candidate]:
    """The complaints `user` may see that look like the same matter, best first."""
    from kesu.complaints.search import phone_key

    policy = policy or TriagePolicy.current()
    since = now - dt.timedelta(days=policy.duplicate_window_days)
    visible = visible_complaints(user).filter(received_at__gte=since)
    if exclude is not None:
        visible = visible.exclude(pk=exclude.pk).exclude(merged_into=exclude)
    found: dict[int, Candidate] = {}
    key = phone_key(phone)
    same_customer = Q()
    if len(key) >= 7:
        same_customer |= Q(phone_key=key)
    if email.strip():
        same_customer |= Q(contact_email__iexact=email.strip())
    if same_customer:
        for c in visible.filter(same_customer).order_by("-received_at")[:20]:
            candidate = found.setdefault(c.pk, Candidate(c))
            if key and c.phone_key == key:
                candidate.reasons.append(LinkReason.PHONE)
            if email.strip() and c.contact_email.lower() == email.strip().lower():
                candidate.reasons.append(LinkReason.EMAIL)
    mine = char_bigrams(text)
    if len(mine) >= 3:
        keys = Q()
        if order_no.strip():
            keys |= Q(order_no=order_no.strip())
        if product_lot.strip():
            keys |= Q(product_lot=product_lot.strip())
        pool = list(visible.order_by("-received_at")[:TEXT_CANDIDATES])
        if keys:
            pool += list(visible.filter(keys)[:50])
        pool += [c.complaint for c in found.values()]
        for c in pool:
            score = _similarity_of_sets(mine, char_bigrams(_text_of(c)))
            if score >= policy.duplicate_similarity:
                candidate = found.setdefault(c.pk, Candidate(c))
                candidate.score = max(candidate.score, score)
                if LinkReason.TEXT not in candidate.reasons:
                    candidate.reasons.append(LinkReason.TEXT)
    if exclude is not None and found:
        linked = set(
            ComplaintLink.objects.filter(
                Q(complaint=exclude, other_id__in=found) | Q(other=exclude, complaint_id__in=found)
            ).values_list("complaint_id", "other_id")
        )
        for a, b in linked:
            other = b if a == exclude.pk else a
            if other in found:
                found[other].linked = True
    ranked = sorted(found.values(), key=lambda c: (len(c.reasons) + c.score, c.complaint.received_at), reverse=True)
    return ranked[:MAX_SUGGESTIONS]


def complaint_same_matter(*, user: Any, complaint: Complaint, now: dt.datetime) -> list[Candidate]:
    return same_matter(
        user=user,
        text=_text_of(complaint),
        phone=complaint.contact_phone,
        email=complaint.contact_email,
        order_no=complaint.order_no,
        product_lot=complaint.product_lot,
        now=complaint.received_at if complaint.received_at < now else now,
        exclude=complaint,
    )


def linked_complaints(*, user: Any, complaint: Complaint) -> list[Complaint]:
    ids = set(ComplaintLink.objects.filter(complaint=complaint).values_list("other_id", flat=True))
    ids |= set(ComplaintLink.objects.filter(other=complaint).values_list("complaint_id", flat=True))
    return list(visible_complaints(user).filter(pk__in=ids).order_by("-received_at")) if ids else []


def complaint_link(*, actor: Any, number: str, other: str, reason: str, now: dt.datetime) -> ComplaintLink:
    """Link `number` to `other` as the same matter; an event and audit record on both."""
    from kesu.complaints.services.access import complaint_for_action

    if reason not in LinkReason.values:
        raise ValidationFailed([FieldError("reason", _("Choose one of the listed values."), "invalid_choice")])
    if not other or other == number:
        raise ValidationFailed([FieldError("other", _("Choose another complaint to link."), "invalid")])
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        target = visible_complaints(actor).filter(number=other).first()
        if target is None:
            raise NotFound(_("No complaint has this number."))
        if ComplaintLink.objects.filter(
            Q(complaint=complaint, other=target) | Q(complaint=target, other=complaint)
        ).exists():
            raise Conflict(_("These complaints are already linked."), field="other")
        try:
            with transaction.atomic():
                link = ComplaintLink.objects.create(
                    complaint=complaint, other=target, reason=reason, created_by=actor, created_at=now
                )
        except IntegrityError as exc:
            raise Conflict(_("These complaints are already linked."), field="other") from exc
        for one, two in ((complaint, target), (target, complaint)):
            record_event(
                complaint=one,
                kind="complaint_linked",
                actor=actor,
                at=now,
                data={"other": two.number, "reason": reason},
            )
    return link


def complaint_merge_duplicate(*, actor: Any, number: str, into: str, reason: str, now: dt.datetime) -> Complaint:
    """Link, then merge `number` into `into` through the transition table's `merge` action (the
    duplicate ends as merged; supervisors only, as the table says)."""
    from kesu.complaints.services.transitions import complaint_transition

    with transaction.atomic():
        exists = ComplaintLink.objects.filter(
            Q(complaint__number=number, other__number=into) | Q(complaint__number=into, other__number=number)
        ).exists()
        if not exists:
            complaint_link(actor=actor, number=number, other=into, reason=reason, now=now)
        return complaint_transition(
            actor=actor,
            number=number,
            action="merge",
            payload={"into": into, "note": _("Duplicate of %(number)s.") % {"number": into}},
            now=now,
        )
