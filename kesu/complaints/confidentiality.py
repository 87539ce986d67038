"""SPEC PV-1: complaints and their documents carry a confidentiality level (一般, 秘密, 绝密)
that narrows who may read them.

- 一般 (normal): whoever may read the complaint by role and department;
- 秘密 (secret): the customer-service manager, the general manager and administrators, the
  complaint's assignee and whoever registered it, and the people named on it;
- 绝密 (top secret): the people named on it only (whoever sets the level is named with it).

`confidentiality_q(user)` is part of `visible_complaints(user)`, so every read of a complaint
(API, workspace, exports, search) narrows by it; a complaint the user may not read answers 404,
as one that does not exist. A document (evidence) above the complaint's level is read only by
those the document's level admits. The level is set by a manager through
`confidentiality_set`, with its timeline event and audit record in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.models import Attachment, Complaint, Confidentiality, NamedReader
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed

SECRET_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.GM})
# Who may set a level or name readers.
SETTER_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.GM})
RANK = {Confidentiality.NORMAL: 0, Confidentiality.SECRET: 1, Confidentiality.TOP_SECRET: 2}
MAX_READERS = 50


def _named(user: User) -> Exists:
    return Exists(NamedReader.objects.filter(complaint_id=OuterRef("pk"), user_id=user.pk))


def confidentiality_q(user: User) -> Q:
    """For a Complaint queryset: the complaints whose level lets `user` read them."""
    secret = Q(confidentiality=Confidentiality.SECRET)
    if user.role not in SECRET_ROLES:
        secret &= Q(assignee_id=user.pk) | Q(recorded_by_id=user.pk)
    return Q(confidentiality=Confidentiality.NORMAL) | secret | Q(_named(user))


def level_admits(user: User, complaint: Complaint, level: str, *, named: bool | None = None) -> bool:
    """Whether a document (or complaint) of `level` on `complaint` may be read by `user`."""
    if level == Confidentiality.NORMAL:
        return True
    if named is None:
        named = NamedReader.objects.filter(complaint_id=complaint.pk, user_id=user.pk).exists()
    if named:
        return True
    if level == Confidentiality.SECRET:
        return user.role in SECRET_ROLES or user.pk in (complaint.assignee_id, complaint.recorded_by_id)
    return False


def readable_attachments(user: User, complaint: Complaint, attachments: Iterable[Attachment]) -> list[Attachment]:
    """The documents of `complaint` whose own level admits `user` (one query at most)."""
    rows = list(attachments)
    if all(a.confidentiality == Confidentiality.NORMAL for a in rows):
        return rows
    named = NamedReader.objects.filter(complaint_id=complaint.pk, user_id=user.pk).exists()
    return [a for a in rows if level_admits(user, complaint, a.confidentiality, named=named)]


def named_readers(complaint: Complaint) -> list[User]:
    return [
        row.user for row in NamedReader.objects.filter(complaint_id=complaint.pk).select_related("user").order_by("id")
    ]


def _require_setter(actor: User) -> None:
    if actor.role not in SETTER_ROLES:
        raise PermissionDenied(_("Only the customer-service manager or the general manager sets confidentiality."))


def _check_level(level: str, field: str = "level") -> None:
    if level not in Confidentiality.values:
        raise ValidationFailed(
            [
                FieldError(
                    field,
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(Confidentiality.values)},
                    "invalid_choice",
                )
            ]
        )


def confidentiality_set(
    *, actor: User, number: str, level: str, readers: Iterable[str] = (), reason: str = "", now: dt.datetime
) -> Complaint:
    """Set the complaint's level and the people named to read it (usernames). The actor is named
    too when the level is not normal, so nobody locks themselves out. Refused, with nothing
    written, for other roles (403), a complaint the actor cannot read (404) or bad input (422)."""
    from kesu.complaints.services.access import complaint_for_action

    _require_setter(actor)
    _check_level(level)
    usernames = sorted({name.strip() for name in readers if name and name.strip()})
    if len(usernames) > MAX_READERS:
        raise ValidationFailed(
            [FieldError("readers", _("Name at most %(n)d people.") % {"n": MAX_READERS}, "too_many")]
        )
    users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    unknown = [name for name in usernames if name not in users]
    if unknown:
        raise ValidationFailed(
            [FieldError("readers", _("No such active user: %(names)s.") % {"names": ", ".join(unknown)}, "invalid")]
        )
    if level == Confidentiality.TOP_SECRET and not reason.strip():
        raise ValidationFailed([FieldError("reason", _("Give the reason for making it top secret."), "required")])
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        before_level = complaint.confidentiality
        before = sorted(NamedReader.objects.filter(complaint_id=complaint.pk).values_list("user__username", flat=True))
        wanted = dict(users)
        if level != Confidentiality.NORMAL:
            wanted.setdefault(actor.username, actor)
        NamedReader.objects.filter(complaint_id=complaint.pk).exclude(user__username__in=list(wanted)).delete()
        present = set(NamedReader.objects.filter(complaint_id=complaint.pk).values_list("user__username", flat=True))
        NamedReader.objects.bulk_create(
            [
                NamedReader(complaint=complaint, user=user, added_by=actor, added_at=now)
                for name, user in sorted(wanted.items())
                if name not in present
            ]
        )
        after = sorted(wanted)
        if before_level == level and before == after:
            return complaint
        complaint.confidentiality = level
        Complaint.objects.filter(pk=complaint.pk).update(confidentiality=level, updated_at=now)
        data = {"from": before_level, "to": level, "readers_from": before, "readers_to": after}
        record_event(complaint=complaint, kind="confidentiality_set", actor=actor, at=now, note=reason, data=data)
        audit_record(
            actor=actor,
            action="complaint.confidentiality",
            object_type="complaint",
            object_id=complaint.number,
            data={**data, "reason": reason},
            at=now,
        )
    return complaint


def document_confidentiality_set(
    *, actor: User, number: str, attachment_id: int, level: str, now: dt.datetime
) -> Attachment:
    """Set the level of one document (evidence) of a complaint; audited."""
    from kesu.complaints.services.access import complaint_for_action
    from kesu.core.errors import NotFound

    _require_setter(actor)
    _check_level(level)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        attachment = Attachment.objects.select_for_update().filter(complaint=complaint, pk=attachment_id).first()
        if attachment is None:
            raise NotFound(_("There is no such document."))
        if attachment.confidentiality == level:
            return attachment
        before = attachment.confidentiality
        attachment.confidentiality = level
        attachment.save(update_fields=["confidentiality"])
        data = {"document": attachment.pk, "from": before, "to": level}
        record_event(complaint=complaint, kind="document_confidentiality_set", actor=actor, at=now, data=data)
        audit_record(
            actor=actor,
            action="attachment.confidentiality",
            object_type="attachment",
            object_id=str(attachment.pk),
            data={**data, "complaint": complaint.number},
            at=now,
        )
    return attachment
