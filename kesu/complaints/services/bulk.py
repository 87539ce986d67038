"""One action on several complaints (the queue's bulk actions): each complaint goes through
`complaint_transition` on its own, so one refused never stops or undoes the others."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints import workflow
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.transitions import complaint_transition
from kesu.core.errors import DomainError

MAX_BULK = 100
BULK_ACTIONS = frozenset({workflow.Action.ACKNOWLEDGE, workflow.Action.ASSIGN})


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (number, why, in the user's language)


def complaints_bulk_transition(
    *, actor: User, numbers: Sequence[str], action: str, payload: Mapping[str, Any], now: dt.datetime
) -> BulkResult:
    """Take `action` on each complaint of `numbers` (at most MAX_BULK, duplicates once)."""
    result = BulkResult()
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n and n.strip()))[:MAX_BULK]
    statuses = dict(visible_complaints(actor).filter(number__in=wanted).values_list("number", "status"))
    for number in wanted:
        status = statuses.get(number)
        if status is None:
            result.refused.append((number, _("No complaint has this number.")))
            continue
        if action not in BULK_ACTIONS or workflow.find(status, action) is None:
            from kesu.complaints.models import Status

            result.refused.append(
                (number, _("Not possible while the complaint is %(status)s.") % {"status": Status(status).label})
            )
            continue
        try:
            complaint_transition(actor=actor, number=number, action=action, payload=payload, now=now)
        except DomainError as exc:
            reasons = "; ".join(str(e.message) for e in exc.errors) or str(exc)
            result.refused.append((number, reasons))
        else:
            result.done.append(number)
    return result
