"""Service phrases (SPEC OP-4): the phrases agents must use and must never use, kept by managers,
and the one checker every text that reaches the customer passes through: a note to the customer
(kesu/complaints/services/notes.py), a solution's wording and a result (kesu/complaints/services/
action_params.py), a letter or an SMS (kesu/notifications/letters.py). A forbidden phrase refuses
the write (422) naming the field and the phrase."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import MANAGERS
from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.desk.models import PhraseKind, ServicePhrase

MAX_PHRASE = 200


def _fold(text: str) -> str:
    """Compare loosely: full-width forms, case and traditional characters do not hide a phrase."""
    folded = _to_simplified(unicodedata.normalize("NFKC", text or "").casefold())
    return "".join(folded.split())


@functools.cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    return str(_converter().convert(text))


def forbidden_in(text: str) -> list[str]:
    """The active forbidden phrases found in `text`, in the order they were entered."""
    if not text:
        return []
    haystack = _fold(text)
    found = []
    for phrase in ServicePhrase.objects.filter(kind=PhraseKind.FORBIDDEN, active=True).order_by("id"):
        if _fold(phrase.text) and _fold(phrase.text) in haystack:
            found.append(phrase.text)
    return found


def required_missing(text: str) -> list[str]:
    haystack = _fold(text)
    return [
        p.text
        for p in ServicePhrase.objects.filter(kind=PhraseKind.REQUIRED, active=True).order_by("id")
        if _fold(p.text) not in haystack
    ]


def phrase_error(field: str, phrase: str) -> FieldError:
    return FieldError(
        field,
        _("The text contains the forbidden phrase “%(phrase)s”; reword it before it reaches the customer.")
        % {"phrase": phrase},
        "forbidden_phrase",
    )


def check_outgoing(texts: dict[str, str]) -> None:
    """Refuse (ValidationFailed naming each field and its phrase) any text with a forbidden phrase.
    `texts` maps the field names the caller's edge knows to the texts that reach the customer."""
    errors = [phrase_error(field, phrase) for field, text in texts.items() for phrase in forbidden_in(text)[:1]]
    if errors:
        raise ValidationFailed(errors)


def may_keep_phrases(user: User) -> bool:
    return user.role in MANAGERS


def phrase_add(*, actor: User, text: str, kind: str, now: dt.datetime) -> ServicePhrase:
    if not may_keep_phrases(actor):
        raise PermissionDenied(_("Only managers keep the service phrases."))
    errors: list[FieldError] = []
    text = (text or "").strip()
    if not text:
        errors.append(FieldError("text", _("Write the phrase."), "required"))
    elif len(text) > MAX_PHRASE:
        errors.append(FieldError("text", _("Write at most %(max)d characters.") % {"max": MAX_PHRASE}, "too_long"))
    if kind not in PhraseKind.values:
        errors.append(FieldError("kind", _("Choose required or forbidden."), "invalid_choice"))
    if errors:
        raise ValidationFailed(errors)
    if ServicePhrase.objects.filter(kind=kind, text=text).exists():
        raise ValidationFailed([FieldError("text", _("This phrase is already on the list."), "duplicate")])
    try:
        with transaction.atomic():
            phrase = ServicePhrase.objects.create(text=text, kind=kind, created_by=actor, created_at=now)
            audit_record(
                actor=actor,
                action="service_phrase.added",
                object_type="service_phrase",
                object_id=str(phrase.pk),
                data={"text": text, "kind": kind},
                at=now,
            )
    except IntegrityError as exc:
        raise ValidationFailed([FieldError("text", _("This phrase is already on the list."), "duplicate")]) from exc
    return phrase


def phrase_set_active(*, actor: User, phrase_id: int, active: bool, now: dt.datetime) -> ServicePhrase:
    if not may_keep_phrases(actor):
        raise PermissionDenied(_("Only managers keep the service phrases."))
    with transaction.atomic():
        phrase = ServicePhrase.objects.select_for_update().filter(pk=phrase_id).first()
        if phrase is None:
            raise NotFound(_("No phrase has this number."))
        phrase.active = active
        phrase.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action="service_phrase.activated" if active else "service_phrase.deactivated",
            object_type="service_phrase",
            object_id=str(phrase.pk),
            data={"text": phrase.text},
            at=now,
        )
    return phrase


# The standards of seed 004 (三要、三不、四个一样) and common 服务禁语, loaded with the demo.
DEFAULT_REQUIRED = ("请", "您", "再见")
DEFAULT_FORBIDDEN = ("不知道", "这不归我管", "你自己看着办", "没办法", "爱买不买")


@dataclass(frozen=True)
class PhraseReview:
    """What a quality review (SV-1) scores against: the forbidden phrases found in the texts the
    customer received and the required phrases none of them used."""

    forbidden: list[str]
    missing: list[str]


def phrase_review_many(complaint_ids: list[int]) -> dict[int, PhraseReview]:
    """For each complaint: its result, its solutions' wording and its notes to the customer, read in
    a fixed number of queries."""
    from kesu.complaints.models import Complaint, ComplaintEvent
    from kesu.resolution.models import Solution

    texts: dict[int, list[str]] = {pk: [] for pk in complaint_ids}
    for pk, result in Complaint.objects.filter(pk__in=complaint_ids).values_list("pk", "result"):
        texts[pk].append(result or "")
    for pk, description in Solution.objects.filter(complaint_id__in=complaint_ids).values_list(
        "complaint_id", "description"
    ):
        texts[pk].append(description or "")
    for pk, note in ComplaintEvent.objects.filter(
        complaint_id__in=complaint_ids, kind="note", internal=False
    ).values_list("complaint_id", "note"):
        texts[pk].append(note or "")
    phrases = list(ServicePhrase.objects.filter(active=True).order_by("id").values_list("kind", "text"))
    reviews = {}
    for pk, parts in texts.items():
        haystack = _fold("\n".join(parts))
        forbidden = [t for k, t in phrases if k == PhraseKind.FORBIDDEN and _fold(t) and _fold(t) in haystack]
        missing = [t for k, t in phrases if k == PhraseKind.REQUIRED and _fold(t) not in haystack] if haystack else []
        reviews[pk] = PhraseReview(forbidden, missing)
    return reviews
