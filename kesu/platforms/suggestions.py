"""The suggestion box (SPEC IN-1, IN-9): the opinion cards (意见单) taken out of a box are counted,
numbered and entered the next morning, one after another from the keyboard; each card is a
complaint, a blank card, a praise or suggestion, or an anonymous complaint kept with the batch.
The batch is reconciled when every numbered card has been entered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.platforms.models import CardOutcome, SuggestionBatch, SuggestionCard

BOX_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM})
MAX_CARDS = 2000


def may_enter_cards(user: User) -> bool:
    return user.role in BOX_ROLES


def _require(actor: User) -> None:
    if not may_enter_cards(actor):
        raise PermissionDenied(_("Your role may not enter opinion cards."))


def suggestion_batch_open(*, actor: User, values: Mapping[str, Any], now: dt.datetime) -> SuggestionBatch:
    _require(actor)
    c = Collector()
    box = c.text(values, "box", "box", max_length=80, required=True)
    opened_on: dt.date | None = None
    raw_date = str(values.get("opened_on") or "").strip()
    if not raw_date:
        c.add("opened_on", _("This field is required."), "required")
    else:
        try:
            opened_on = dt.date.fromisoformat(raw_date)
        except ValueError:
            c.add("opened_on", _("Enter a date such as 2026-11-03."), "invalid_date")
        else:
            if opened_on > timezone.localdate(now):
                c.add("opened_on", _("The box cannot be opened in the future."), "future")
    count: int | None = None
    raw_count = str(values.get("card_count") or "").strip()
    if not raw_count:
        c.add("card_count", _("Count the cards in the box."), "required")
    else:
        try:
            count = int(raw_count)
            if not 1 <= count <= MAX_CARDS:
                raise ValueError
        except ValueError:
            c.add("card_count", _("Enter a whole number from 1 to %(max)d.") % {"max": MAX_CARDS}, "invalid_count")
    if box and opened_on and SuggestionBatch.objects.filter(box=box, opened_on=opened_on).exists():
        c.add("box", _("The cards of this box on this day are already being entered."), "duplicate")
    c.raise_if_any()
    assert opened_on is not None and count is not None
    try:
        with transaction.atomic():
            return SuggestionBatch.objects.create(
                box=box, opened_on=opened_on, card_count=count, entered_by=actor, created_at=now
            )
    except IntegrityError as exc:
        raise ValidationFailed(
            [FieldError("box", _("The cards of this box on this day are already being entered."), "duplicate")]
        ) from exc


@dataclass(frozen=True)
class Reconciliation:
    expected: int
    entered: int
    missing: list[int]
    complaints: int

    @property
    def complete(self) -> bool:
        return not self.missing


def reconcile(batch: SuggestionBatch) -> Reconciliation:
    numbers = [(card.number, card.outcome) for card in batch.cards.all()]  # prefetched on list pages
    entered = {n for n, _o in numbers}
    return Reconciliation(
        expected=batch.card_count,
        entered=len(entered),
        missing=[n for n in range(1, batch.card_count + 1) if n not in entered],
        complaints=sum(1 for _n, o in numbers if o == CardOutcome.COMPLAINT),
    )


def next_number(batch: SuggestionBatch) -> int | None:
    missing = reconcile(batch).missing
    return missing[0] if missing else None


def _received_at(batch: SuggestionBatch, now: dt.datetime) -> dt.datetime:
    """The cards were put in the box before it was opened: they count as received that morning."""
    opened = timezone.make_aware(dt.datetime.combine(batch.opened_on, dt.time(9, 0)))
    return min(opened, now)


def suggestion_card_add(*, actor: User, batch_id: int, values: Mapping[str, Any], now: dt.datetime) -> SuggestionCard:
    """Enter one card. A complaint card registers a complaint on the suggestion-box channel."""
    _require(actor)
    with transaction.atomic():
        batch = SuggestionBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(_("No batch of opinion cards has this number."))
        if batch.closed_at is not None:
            raise Conflict(_("This batch has been reconciled; no more cards can be added."), code="closed")
        c = Collector()
        number: int | None = None
        raw_number = str(values.get("number") or "").strip()
        try:
            number = int(raw_number)
            if not 1 <= number <= batch.card_count:
                raise ValueError
        except ValueError:
            c.add(
                "number",
                _("Enter the number written on the card, from 1 to %(max)d.") % {"max": batch.card_count},
                "invalid_number",
            )
            number = None
        if number is not None and batch.cards.filter(number=number).exists():
            c.add("number", _("Card %(number)d has already been entered.") % {"number": number}, "duplicate")
        outcome = c.choice(values, "outcome", "outcome", CardOutcome, default=CardOutcome.COMPLAINT) or ""
        text = c.text(values, "description", "description", max_length=10000)
        if outcome != CardOutcome.BLANK and not text:
            c.add("description", _("Type what the card says."), "required")
        c.raise_if_any()
        assert number is not None
        complaint = None
        if outcome == CardOutcome.COMPLAINT:
            payload = {
                "channel": "suggestion_box",
                "customer": {
                    "name": values.get("customer_name", ""),
                    "phone": values.get("customer_phone", ""),
                    "email": values.get("customer_email", ""),
                },
                "description": text,
                "location": batch.box,
                "received_at": _received_at(batch, now).isoformat(),
                "external_ref": f"card:{batch.pk}:{number}",
            }
            complaint = complaint_register(actor=actor, payload=payload, now=now)
        return SuggestionCard.objects.create(
            batch=batch, number=number, outcome=outcome, text=text, complaint=complaint, created_at=now
        )


def suggestion_batch_close(*, actor: User, batch_id: int, now: dt.datetime) -> SuggestionBatch:
    """Reconcile: every card counted out of the box has been entered."""
    _require(actor)
    with transaction.atomic():
        batch = SuggestionBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise NotFound(_("No batch of opinion cards has this number."))
        if batch.closed_at is not None:
            return batch
        result = reconcile(batch)
        if result.missing:
            shown = ", ".join(str(n) for n in result.missing[:20]) + ("…" if len(result.missing) > 20 else "")
            raise Conflict(
                _("%(count)d card(s) not entered yet: %(numbers)s.") % {"count": len(result.missing), "numbers": shown},
                code="cards_missing",
            )
        batch.closed_at = now
        batch.save(update_fields=["closed_at"])
    return batch


def batches_recent() -> QuerySet[SuggestionBatch]:
    return SuggestionBatch.objects.select_related("entered_by").order_by("-opened_on", "-id")
