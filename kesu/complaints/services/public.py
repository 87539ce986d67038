"""What a customer may do without an account: file a complaint and follow it by contact."""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from kesu.complaints import actions, workflow
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.services import transitions
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.services.intake_files import Upload, check_uploads, register_with_files
from kesu.complaints.validation import Collector, parse_intake
from kesu.core.errors import Conflict, FieldError, NotFound, ValidationFailed
from kesu.customers.services import normalize_email, normalize_phone
from kesu.resolution.models import Solution, SolutionStatus
from kesu.resolution.selectors import current_solution

PUBLIC_CHANNELS = ("web", "email", "social")
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")
CUSTOMER_VISIBLE_SOLUTIONS = (SolutionStatus.APPROVED, SolutionStatus.ACCEPTED, SolutionStatus.CUSTOMER_REJECTED)


def public_register(*, payload: Mapping[str, Any], now: dt.datetime) -> Complaint:
    """A customer's own complaint: channel web unless they say e-mail or social, no severity,
    no settlement and no internal fields."""
    data = dict(payload)
    for internal in ("severity", "settlement", "external_ref", "related_to"):
        data.pop(internal, None)
    if data.get("channel") not in PUBLIC_CHANNELS:
        data["channel"] = "web"
    if data.get("received_at") not in (None, ""):
        raise ValidationFailed([FieldError("received_at", _("The time received is set by the system."), "forbidden")])
    if data.get("language") in (None, ""):
        # Letters go out in the language the customer used on the portal or the API.
        data["language"] = translation.get_supported_language_variant(
            translation.get_language() or settings.LANGUAGE_CODE
        )
    return complaint_register(actor=None, payload=data, now=now)


def _same(a: str, b: str) -> bool:
    return bool(a) and hmac.compare_digest(a.encode(), b.encode())


def public_lookup(*, number: str, contact: str) -> Complaint | None:
    """The complaint when `contact` is its phone or e-mail; None for any mismatch alike."""
    complaint = Complaint.objects.select_related("customer").filter(number=number[:40]).first()
    contact = (contact or "").strip()[:254]
    candidates: list[str] = []
    try:
        candidates.append(normalize_email(contact) if "@" in contact else normalize_phone(contact))
    except ValueError:
        candidates = []
    if complaint is None or not candidates:
        return None
    given = candidates[0]
    known = [
        complaint.contact_phone,
        complaint.contact_email,
        complaint.customer.phone or "",
        complaint.customer.email or "",
    ]
    matched = False
    for value in known:
        matched = _same(value, given) or matched
    return complaint if matched else None


# --- the customer's answers: accepting or rejecting a solution, rating the handling -------

CUSTOMER_RATING = "customer_rating"
RATEABLE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


def public_register_with_photos(
    *, payload: Mapping[str, Any], uploads: Sequence[Upload], consented: bool, now: dt.datetime
) -> Complaint:
    """A customer's complaint with their photos, once they agreed to the privacy notice (SPEC PV-1);
    nothing is stored when any part is wrong, and every problem is reported at once."""
    photo_errors: list[FieldError] = []
    if not consented:
        photo_errors.append(
            FieldError(
                "consent", _("Please agree to the privacy notice so that we can handle your complaint."), "required"
            )
        )
    try:
        check_uploads(uploads, field="photos", allowed=PHOTO_TYPES)
    except ValidationFailed as exc:
        photo_errors.extend(exc.errors)
    if photo_errors:
        try:
            public_register_check(payload=payload, now=now)
        except ValidationFailed as exc:
            raise ValidationFailed([*exc.errors, *photo_errors]) from None
        raise ValidationFailed(photo_errors)
    return register_with_files(
        register=lambda: public_register(payload=payload, now=now), actor=None, uploads=uploads, now=now
    )


def public_register_check(*, payload: Mapping[str, Any], now: dt.datetime) -> None:
    """Validate a customer's complaint without storing it (ValidationFailed when wrong)."""
    data = dict(payload)
    for internal in ("severity", "settlement", "external_ref", "related_to", "received_at"):
        data.pop(internal, None)
    data["channel"] = data.get("channel") if data.get("channel") in PUBLIC_CHANNELS else "web"
    parse_intake(data, now=now)


def _locked_for_customer(*, number: str, contact: str) -> Complaint:
    found = public_lookup(number=number, contact=contact)
    if found is None:
        raise NotFound(_("No complaint matches this number and contact."))
    return Complaint.objects.select_for_update(of=("self",)).get(pk=found.pk)


def public_answer_solution(
    *, number: str, contact: str, accepted: bool, note: str, now: dt.datetime, alternative: Any = None
) -> Complaint:
    """The customer accepts or rejects the proposed solution themselves (SPEC RS-3).

    The same table entry, guard, parameter rules and effects as the staff action
    `customer_accept` / `customer_reject`: only an approved solution can be answered (409
    otherwise); a rejection needs the reason and sends the complaint back to investigation."""
    action = workflow.Action.CUSTOMER_ACCEPT if accepted else workflow.Action.CUSTOMER_REJECT
    payload = {"note": note, "alternative": alternative} if accepted else {"reason": note}
    with transaction.atomic():
        complaint = _locked_for_customer(number=number, contact=contact)
        rule = workflow.find(complaint.status, action)
        if rule is None:
            raise Conflict(_("There is no solution waiting for your answer."), code="invalid_transition")
        spec = actions.SPECS[action]
        assert spec.customer and spec.parse is not None, "the action spec lets the customer take it"
        params = spec.parse(payload, None)  # type: ignore[arg-type]
        transitions.apply_transition(
            complaint=complaint, rule=rule, actor=None, params=params, now=now, event_extra={"by": "customer"}
        )
    return complaint


def public_rate(*, number: str, contact: str, satisfied: Any, score: Any, comment: Any, now: dt.datetime) -> Complaint:
    """The customer rates the handling once it is resolved (SPEC FU-1); once per complaint.

    The rating is kept on the timeline; the staff callback (`record_callback`) stays the step
    that closes the loop, and shows the customer's own rating beside it."""
    c = Collector()
    if not isinstance(satisfied, bool):
        c.add("satisfied", _("Say whether you are satisfied."), "required")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        c.add("score", _("Give a score from 1 to 5."), "invalid")
    text = c.text({"comment": comment}, "comment", "comment", max_length=2000)
    c.raise_if_any()
    with transaction.atomic():
        complaint = _locked_for_customer(number=number, contact=contact)
        if complaint.status not in RATEABLE_STATUSES:
            raise Conflict(_("You can rate the handling once the complaint is resolved."), code="not_resolved")
        if public_rating(complaint) is not None:
            raise Conflict(_("You have already rated the handling of this complaint."), code="already_rated")
        record_event(
            complaint=complaint,
            kind=CUSTOMER_RATING,
            actor=None,
            at=now,
            note=text,
            data={"satisfied": satisfied, "score": score, "by": "customer"},
            internal=False,
        )
    return complaint


def public_rating(complaint: Complaint) -> dict[str, Any] | None:
    """The customer's own rating, if given: satisfied, score, comment, at."""
    event = complaint.events.filter(kind=CUSTOMER_RATING).order_by("at", "id").first()
    if event is None:
        return None
    return {
        "satisfied": event.data.get("satisfied"),
        "score": event.data.get("score"),
        "comment": event.note,
        "at": event.at,
    }


def public_solution(complaint: Complaint) -> Solution | None:
    """The solution the customer may see: approved, accepted or rejected by them — never one
    still waiting for internal approval or refused internally."""
    solution = current_solution(complaint)
    if solution is None or solution.status not in CUSTOMER_VISIBLE_SOLUTIONS:
        return None
    return solution
