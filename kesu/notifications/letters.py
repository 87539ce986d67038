"""Letters and SMS to customers, written from the administrators' templates (SPEC IN-4, FU-2,
RS-4, SV-3) in the customer's language, and put in the outbox — never sent inline.

`send_acknowledgement` and `send_result_letter` run inside a lifecycle transition (the
transition writes the timeline event); `letter_send` is the staff action behind
`POST /complaints/{number}/letters` and writes its own event. Internal forms are printable
(`letter_render`) but never sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES, can_configure
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint
from kesu.complaints.services.access import complaint_for_action
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.core.privacy import mask_email, mask_phone
from kesu.desk.phrases import check_outgoing
from kesu.notifications.default_letters import DEFAULTS
from kesu.notifications.models import LetterKind, LetterTemplate, OutboxMessage
from kesu.notifications.services import outbox_add
from kesu.notifications.templating import LETTER_VARIABLES, template_render

logger = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "zh-hans"
CHANNELS = ("email", "sms")
EXTRA_FIELDS = ("cause", "measures", "improvements")  # free text staff may give when sending
EXTRA_MAX_LENGTH = 2000


def language_codes() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


@dataclass(frozen=True)
class RenderedLetter:
    kind: str
    language: str
    subject: str
    body: str
    internal: bool
    version: int


def letter_template(*, kind: str, language: str) -> LetterTemplate:
    """The template of `kind` in `language`, else in the default language, else the shipped
    default (unsaved, version 0) when the table has been emptied."""
    rows = {
        row.language: row for row in LetterTemplate.objects.filter(kind=kind, language__in={language, DEFAULT_LANGUAGE})
    }
    row = rows.get(language) or rows.get(DEFAULT_LANGUAGE)
    if row is not None:
        return row
    for default_kind, default_language, subject, body, internal in DEFAULTS:
        if default_kind == kind and default_language in (language, DEFAULT_LANGUAGE):
            candidate = LetterTemplate(
                kind=kind, language=default_language, subject=subject, body=body, internal=internal, version=0
            )
            if default_language == language:
                return candidate
            row = candidate
    if row is None:
        raise NotFound(_("There is no template for this letter."))
    return row


# --- what a letter may say -----------------------------------------------------------------


def _organisation() -> tuple[str, str]:
    company = settings.KESU_COMPANY_NAME or "Kesu"
    hotline = settings.KESU_HOTLINE
    return company, hotline


def _investigation_cause(complaint: Complaint) -> str:
    """The root cause from the investigation, once kesu.resolution records one (part A)."""
    try:
        model = apps.get_model("resolution", "Investigation")
    except LookupError:
        return ""
    names = {field.name for field in model._meta.get_fields()}
    field = next((n for n in ("root_cause", "cause", "findings") if n in names), None)
    if field is None or "complaint" not in names:
        return ""
    row = model._default_manager.filter(complaint=complaint).order_by("-pk").first()
    return str(getattr(row, field, "") or "") if row is not None else ""


def _improvements(complaint: Complaint) -> str:
    """The corrective and preventive actions linked to the complaint (kesu.supervision)."""
    try:
        model = apps.get_model("supervision", "CorrectiveAction")
    except LookupError:
        return ""
    texts = [
        " ".join(part for part in (capa.title, capa.actions) if part)
        for capa in model._default_manager.filter(complaints=complaint).order_by("id")
    ]
    return "; ".join(texts)


def _remedies(complaint: Complaint) -> list[dict[str, Any]]:
    from kesu.resolution.models import Remedy, SolutionStatus

    rows = Remedy.objects.filter(
        solution__complaint=complaint,
        solution__status__in=[SolutionStatus.ACCEPTED, SolutionStatus.APPROVED],
    ).order_by("-solution__round", "id")
    latest = rows.first()
    if latest is None:
        return []
    return [
        {"type": remedy.get_type_display(), "amount": remedy.amount}
        for remedy in rows
        if remedy.solution_id == latest.solution_id
    ]


def _respond_by(now: dt.datetime) -> tuple[dt.datetime | None, int]:
    """FU-2: the customer has N working days to get back (the deadlines' own setting)."""
    try:
        from kesu.deadlines import engine
        from kesu.deadlines.selectors import deadline_config

        config = deadline_config()
        days = config.unreachable_wait_working_days
        return engine.deadline(now, engine.Rule(engine.WORKING_DAYS, days), config.calendar), days
    except Exception:  # the letter still goes out with the number of days
        logger.exception("could not compute the FU-2 waiting time")
        return None, 2


def letter_context(
    *,
    complaint: Complaint,
    kind: str,
    now: dt.datetime,
    extra: Mapping[str, str] | None = None,
    personal_data: bool = True,
) -> dict[str, Any]:
    """The values a letter of `kind` may use (LETTER_VARIABLES[kind]); call with the letter's
    language active, since choice labels are translated when read."""
    extra = extra or {}
    company, hotline = _organisation()
    values: dict[str, Any] = {
        "number": complaint.number,
        "customer_name": complaint.contact_name,
        "received_at": complaint.received_at,
        "title": complaint.title,
        "company": company,
        "hotline": hotline,
        "today": timezone.localtime(now).date(),
    }
    wanted = set(LETTER_VARIABLES.get(kind, ()))
    if wanted & {"reply_due", "close_due"}:
        values.update(reply_due=complaint.reply_due, close_due=complaint.close_due)
    if "respond_by" in wanted:
        values["respond_by"], values["wait_days"] = _respond_by(now)
    if "cause" in wanted:
        values["cause"] = extra.get("cause") or _investigation_cause(complaint)
    if "measures" in wanted:
        values["measures"] = extra.get("measures") or complaint.result
    if "improvements" in wanted:
        values["improvements"] = extra.get("improvements") or _improvements(complaint)
    if "remedies" in wanted:
        values["remedies"] = _remedies(complaint)
    if "result" in wanted:
        values.update(result=complaint.result, resolved_at=complaint.resolved_at)
    if kind == LetterKind.COMPLAINT_RECORD:
        phone, email = complaint.contact_phone, complaint.contact_email
        if not personal_data:
            phone, email = mask_phone(phone) or "", mask_email(email) or ""
        category = complaint.category
        values.update(
            contact_phone=phone,
            contact_email=email,
            channel=complaint.get_channel_display(),
            severity=complaint.get_severity_display(),
            status=complaint.get_status_display(),
            category=(
                getattr(category, "name_" + translation.get_language().replace("-", "_"), "")
                or getattr(category, "name_zh_hans", "")
            )
            if category
            else "",
            description=complaint.description,
            location=complaint.location,
            product=" ".join(p for p in (complaint.product_name, complaint.product_sku, complaint.product_lot) if p),
            order_no=complaint.order_no,
            demand=complaint.demand,
            amount_claimed=complaint.amount_claimed if complaint.amount_claimed is not None else "",
            department=str(complaint.department or ""),
            assignee=str(complaint.assignee or ""),
            recorded_by=str(complaint.recorded_by or ""),
        )
    return {name: value for name, value in values.items() if name in wanted}


def letter_render(
    *,
    complaint: Complaint,
    kind: str,
    now: dt.datetime,
    language: str | None = None,
    extra: Mapping[str, str] | None = None,
    personal_data: bool = True,
) -> RenderedLetter:
    """The letter as it would be sent (or printed), in `language` (default: the customer's)."""
    language = language or complaint.language or DEFAULT_LANGUAGE
    template = letter_template(kind=kind, language=language)
    with translation.override(template.language):
        values = letter_context(complaint=complaint, kind=kind, now=now, extra=extra, personal_data=personal_data)
        subject = " ".join(template_render(template.subject, values).split())
        body = template_render(template.body, values)
    return RenderedLetter(
        kind=kind,
        language=template.language,
        subject=subject[:200],
        body=body,
        internal=template.internal,
        version=template.version,
    )


# --- sending ----------------------------------------------------------------------------------


def _recipient(complaint: Complaint, *, kind: str, channel: str | None) -> tuple[str, str] | None:
    if channel is None:
        channel = "sms" if kind == LetterKind.UNREACHABLE_SMS or not complaint.contact_email else "email"
    recipient = complaint.contact_email if channel == "email" else complaint.contact_phone
    return (channel, recipient) if recipient else None


def _queue(
    complaint: Complaint, letter: RenderedLetter, *, channel: str, recipient: str, now: dt.datetime
) -> OutboxMessage:
    return outbox_add(
        kind=letter.kind,
        channel=channel,
        recipient=recipient,
        subject=letter.subject,
        body=letter.body,
        now=now,
        complaint=complaint,
    )


def _send_on_transition(*, complaint: Complaint, kind: str, now: dt.datetime) -> OutboxMessage | None:
    target = _recipient(complaint, kind=kind, channel=None)
    if target is None:
        return None  # no contact to write to: the customer follows the complaint at the desk
    letter = letter_render(complaint=complaint, kind=kind, now=now)
    if letter.internal:
        logger.warning("letter template %s is flagged internal; not sent for %s", kind, complaint.number)
        return None
    return _queue(complaint, letter, channel=target[0], recipient=target[1], now=now)


def send_acknowledgement(*, complaint: Complaint, now: dt.datetime) -> OutboxMessage | None:
    """IN-4: number, time received and expected handling time (inside the `acknowledge` transition)."""
    return _send_on_transition(complaint=complaint, kind=LetterKind.ACKNOWLEDGEMENT, now=now)


def send_result_letter(*, complaint: Complaint, now: dt.datetime) -> OutboxMessage | None:
    """RS-4: the result in writing, with cause, measures and improvements (inside `resolve`)."""
    return _send_on_transition(complaint=complaint, kind=LetterKind.RESULT, now=now)


def parse_letter_request(
    *, kind: Any, channel: Any = None, language: Any = None, extra: Mapping[str, Any] | None = None
) -> tuple[str, str | None, str | None, dict[str, str]]:
    errors: list[FieldError] = []
    if kind not in LetterKind.values:
        errors.append(
            FieldError(
                "kind", _("Choose one of: %(choices)s.") % {"choices": ", ".join(LetterKind.values)}, "invalid_choice"
            )
        )
    if channel not in (None, "", *CHANNELS):
        errors.append(
            FieldError("channel", _("Choose one of: %(choices)s.") % {"choices": ", ".join(CHANNELS)}, "invalid_choice")
        )
    if language not in (None, "", *language_codes()):
        errors.append(
            FieldError(
                "language",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(language_codes())},
                "invalid_choice",
            )
        )
    texts: dict[str, str] = {}
    for name in EXTRA_FIELDS:
        value = (extra or {}).get(name)
        if value in (None, ""):
            continue
        if not isinstance(value, str):
            errors.append(FieldError(name, _("Enter text."), "type"))
        elif len(value) > EXTRA_MAX_LENGTH:
            errors.append(
                FieldError(
                    name,
                    _("Enter at most %(max)d characters (it has %(length)d).")
                    % {"max": EXTRA_MAX_LENGTH, "length": len(value)},
                    "max_length",
                )
            )
        else:
            texts[name] = value.strip()
    if errors:
        raise ValidationFailed(errors)
    return str(kind), channel or None, language or None, texts


# Letters that answer the customer (an acknowledgement only says the complaint was received).
REPLY_LETTERS = frozenset({LetterKind.APOLOGY, LetterKind.RESULT})


def letter_send(
    *,
    actor: User,
    number: str,
    kind: str,
    now: dt.datetime,
    channel: str | None = None,
    language: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> OutboxMessage:
    """Send a letter of `kind` to the complaint's customer through the outbox, with a timeline
    event and its audit record. Refused (nothing written): internal forms (409), a result
    letter before there is a result (409), no contact for the channel (409)."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))
    kind, channel, language, texts = parse_letter_request(kind=kind, channel=channel, language=language, extra=extra)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        template = letter_template(kind=kind, language=language or complaint.language or DEFAULT_LANGUAGE)
        if template.internal:
            raise Conflict(
                _("This is an internal form: it can be printed but is never sent to the customer."),
                code="internal_form",
                field="kind",
            )
        if kind == LetterKind.RESULT and not complaint.result:
            raise Conflict(
                _("The complaint has no result yet; resolve it before sending the result letter."),
                code="no_result",
                field="kind",
            )
        target = _recipient(complaint, kind=kind, channel=channel)
        if target is None:
            raise Conflict(_("The customer gave no contact for this channel."), code="no_contact", field="channel")
        letter = letter_render(complaint=complaint, kind=kind, now=now, language=language, extra=texts)
        # OP-4: what the customer reads carries no forbidden service phrase (the typed parts by name).
        check_outgoing(texts)
        check_outgoing({"kind": f"{letter.subject}\n{letter.body}"})
        message = _queue(complaint, letter, channel=target[0], recipient=target[1], now=now)
        record_event(
            complaint=complaint,
            kind="letter_sent",
            actor=actor,
            at=now,
            note=letter.subject,
            data={
                "letter": kind,
                "channel": target[0],
                "language": letter.language,
                "template_version": letter.version,
                "outbox_id": message.pk,
            },
        )
        if kind in REPLY_LETTERS and complaint.replied_at is None:
            # A letter that answers the customer is the first reply: the reply deadline is met.
            from kesu.complaints.workflow import DeadlineEffect
            from kesu.deadlines.services import deadlines_after_transition

            complaint.replied_at = now
            Complaint.objects.filter(pk=complaint.pk).update(replied_at=now)
            deadlines_after_transition(complaint=complaint, effect=DeadlineEffect.SETTLE, actor=actor, now=now)
    return message


def complaint_language_set(*, actor: User, number: str, language: str, now: dt.datetime) -> Complaint:
    """The language the customer's letters are written in."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))
    if language not in language_codes():
        raise ValidationFailed(
            [
                FieldError(
                    "language",
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(language_codes())},
                    "invalid_choice",
                )
            ]
        )
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.language == language:
            return complaint
        before = complaint.language
        complaint.language = language
        complaint.updated_at = now
        complaint.save(update_fields=["language", "updated_at"])
        record_event(
            complaint=complaint, kind="language_changed", actor=actor, at=now, data={"from": before, "to": language}
        )
    return complaint


# --- administering the templates ---------------------------------------------------------------


def letter_template_save(*, actor: User, template: LetterTemplate, now: dt.datetime) -> LetterTemplate:
    """Check and save an administrator's edit: variables and syntax checked, version bumped,
    audit record written in the same transaction."""
    if not (can_configure(actor) or actor.is_superuser):
        raise PermissionDenied(_("Only managers and administrators edit letter templates."))
    try:
        template.full_clean()
    except DjangoValidationError as error:
        raise ValidationFailed(
            [
                FieldError(field, str(message), "invalid")
                for field, messages in error.message_dict.items()
                for message in messages
            ]
        ) from error
    if not template.internal:
        check_outgoing({"subject": template.subject, "body": template.body})  # OP-4
    with transaction.atomic():
        creating = template.pk is None
        if not creating:
            current = LetterTemplate.objects.select_for_update().get(pk=template.pk)
            template.version = current.version + 1
        template.updated_at, template.updated_by = now, actor
        template.save()
        audit_record(
            actor=actor,
            action="letter_template.create" if creating else "letter_template.update",
            object_type="letter_template",
            object_id=f"{template.kind}:{template.language}",
            data={
                "version": template.version,
                "internal": template.internal,
                "subject": template.subject,
                "body": template.body,
            },
            at=now,
        )
    return template
