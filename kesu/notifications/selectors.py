"""Reads for letters: previews and printable forms, within what the user may see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints.selectors import visible_complaints
from kesu.core.errors import NotFound
from kesu.notifications.letters import RenderedLetter, letter_render, parse_letter_request
from kesu.notifications.models import LetterTemplate


def letter_preview(
    *,
    user: User,
    number: str,
    kind: str,
    now: dt.datetime,
    language: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> RenderedLetter:
    """The letter as it would be sent, or an internal form for print. Contact data is masked
    for roles that may not see it."""
    kind, _channel, language, texts = parse_letter_request(kind=kind, language=language, extra=extra)
    complaint = (
        visible_complaints(user)
        .select_related("category", "department", "assignee", "recorded_by")
        .filter(number=number)
        .first()
    )
    if complaint is None:
        raise NotFound(_("No complaint has this number."))
    return letter_render(
        complaint=complaint,
        kind=kind,
        now=now,
        language=language,
        extra=texts,
        personal_data=can_view_personal_data(user),
    )


def letter_templates() -> list[LetterTemplate]:
    return list(LetterTemplate.objects.order_by("kind", "language"))
