"""Letters and SMS to customers (SPEC IN-4, SV-3). Written to the outbox, never sent inline."""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from kesu.complaints.models import Complaint
from kesu.notifications.services import outbox_add


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def send_acknowledgement(*, complaint: Complaint, now: dt.datetime, language: str = "zh-hans") -> None:
    """The acknowledgement (受理确认): number, time received and expected handling time."""
    with translation.override(language):
        subject = _("We have received your complaint %(number)s") % {"number": complaint.number}
        body = _(
            "Dear %(name)s,\n\nWe received your complaint on %(received)s and registered it as "
            "%(number)s. We will reply by %(reply_due)s. You can follow it with this number "
            "and your phone number or e-mail address.\n"
        ) % {
            "name": complaint.contact_name,
            "received": _when(complaint.received_at),
            "number": complaint.number,
            "reply_due": _when(complaint.reply_due),
        }
    if complaint.contact_email:
        outbox_add(kind="acknowledgement", recipient=complaint.contact_email, subject=subject, body=body,
                   now=now, complaint=complaint)
    elif complaint.contact_phone:
        outbox_add(kind="acknowledgement", channel="sms", recipient=complaint.contact_phone,
                   subject=subject, body=body, now=now, complaint=complaint)
