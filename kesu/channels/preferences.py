"""Which channels a staff member hears of each kind of event on: e-mail (the default), their
department's group robot, SMS to the mobile they gave. Applied to the staff notifications of the
outbox before they are written."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import User
from kesu.channels.models import ChannelPreference
from kesu.core.errors import FieldError, ValidationFailed
from kesu.notifications.models import OutboxMessage, OutboxStatus

EMAIL, ROBOT, SMS = "email", "robot", "sms"
CHANNELS: dict[str, Promise] = {
    EMAIL: gettext_lazy("E-mail"),
    ROBOT: gettext_lazy("Group robot"),
    SMS: gettext_lazy("SMS"),
}

# The kinds of staff notification a person can route (kesu/notifications/inbox.py MESSAGE_LABELS).
KINDS: dict[str, Promise] = {
    "major_complaint": gettext_lazy("Major complaint registered"),
    "escalated": gettext_lazy("Escalated"),
    "assigned": gettext_lazy("Assigned to you"),
    "deadline_reminder": gettext_lazy("Deadline approaching"),
    "capa_assigned": gettext_lazy("Corrective action assigned to you"),
}
DEFAULT = (EMAIL,)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
IN_APP = "inapp"  # a staff message kept for the in-app notifications only, never sent


def channels_of(preference: ChannelPreference | None, kind: str) -> tuple[str, ...]:
    if preference is None or kind not in preference.choices:
        return DEFAULT
    return tuple(c for c in CHANNELS if c in preference.choices[kind])


def preference_save(
    *, actor: User, mobile: str, choices: Mapping[str, Sequence[str]], now: dt.datetime
) -> ChannelPreference:
    """The actor's own channels per kind of event (staff only set their own)."""
    mobile = (mobile or "").strip().replace(" ", "").replace("-", "")
    cleaned = {kind: [c for c in CHANNELS if c in choices.get(kind, ())] for kind in KINDS}
    if mobile and not MOBILE.match(mobile):
        raise ValidationFailed([FieldError("mobile", _("Enter a mainland mobile number of 11 digits."), "invalid")])
    if not mobile and any(SMS in chosen for chosen in cleaned.values()):
        raise ValidationFailed([FieldError("mobile", _("Enter your mobile number to receive SMS."), "required")])
    with transaction.atomic():
        preference, _created = ChannelPreference.objects.update_or_create(
            user=actor, defaults={"mobile": mobile, "choices": cleaned, "updated_at": now}
        )
    return preference


def route(messages: Sequence[OutboxMessage]) -> list[OutboxMessage]:
    """Turn staff e-mail rows (unsaved) into the channels each recipient chose. A recipient who
    turned e-mail off keeps the message in the in-app notifications; robot rows go to the robots
    of the recipients' departments, one per robot and message."""
    from kesu.channels.robots import CHANNEL as ROBOT_CHANNEL
    from kesu.channels.robots import robot_targets_of_department

    staff = [m for m in messages if m.recipient_user_id and m.channel == EMAIL]
    if not staff:
        return list(messages)
    user_ids = {m.recipient_user_id for m in staff if m.recipient_user_id is not None}
    preferences = {p.user_id: p for p in ChannelPreference.objects.filter(user_id__in=user_ids)}
    if not preferences:
        return list(messages)
    departments = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "department_id"))
    routed: list[OutboxMessage] = []
    robots_done: set[tuple[int, str, Any]] = set()
    for message in messages:
        is_staff_mail = bool(message.recipient_user_id) and message.channel == EMAIL
        preference = preferences.get(message.recipient_user_id or 0) if is_staff_mail else None
        if preference is None:
            routed.append(message)
            continue
        chosen = channels_of(preference, message.kind)
        if EMAIL not in chosen:
            message.channel, message.status = IN_APP, OutboxStatus.LOGGED
        routed.append(message)
        if SMS in chosen and preference.mobile:
            routed.append(
                _copy(message, channel=SMS, recipient=preference.mobile, body=f"{message.subject}\n{message.body}")
            )
        if ROBOT in chosen:
            for robot_id in robot_targets_of_department(departments.get(message.recipient_user_id or 0)):
                key = (robot_id, message.kind, message.complaint_id)
                if key in robots_done:
                    continue
                robots_done.add(key)
                routed.append(
                    _copy(
                        message,
                        channel=ROBOT_CHANNEL,
                        recipient=str(robot_id),
                        body=f"### {message.subject}\n\n{message.body}",
                        user=False,
                    )
                )
    return routed


def _copy(message: OutboxMessage, *, channel: str, recipient: str, body: str, user: bool = True) -> OutboxMessage:
    return OutboxMessage(
        kind=message.kind,
        channel=channel,
        recipient=recipient,
        recipient_user_id=message.recipient_user_id if user else None,
        complaint_id=message.complaint_id,
        subject=message.subject,
        body=body,
        next_attempt_at=message.next_attempt_at,
        created_at=message.created_at,
    )
