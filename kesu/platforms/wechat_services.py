"""WeChat Pay consumer complaints (消费者投诉 2.0) in Kesu.

The platform's notification is verified and recorded once (NotificationReceipt); the complaint's
detail is then fetched (no transaction open) and the platform complaint becomes a Kesu complaint
on the `social` channel whose reply deadline is the platform's (complaint time + 48 hours by
default, KESU_WECHATPAY_REPLY_HOURS), set through kesu/deadlines/external.py. Kesu's answers (a
reply, a refund decision, "handling complete") are written as PlatformPush rows with the change
and sent after commit, retried until the platform accepts them."""

from __future__ import annotations

import datetime as dt
import json
import logging
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.events import record_event
from kesu.complaints.models import Complaint, Status
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.services.intake import complaint_register
from kesu.core import tasks
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.deadlines.external import deadline_set_external
from kesu.platforms import wechatpay
from kesu.platforms.models import NotificationReceipt, PlatformComplaint, PlatformPush, PushKind, PushState

logger = logging.getLogger(__name__)

ANSWER_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM})
RESPONSE_MAX = 500
# A payer who left no phone is reachable only through the platform; the complaint still needs a
# contact point, so it gets this reserved, undeliverable address (RFC 2606 `.invalid`).
NO_CONTACT_DOMAIN = "wechatpay.invalid"


def may_answer(user: User) -> bool:
    return user.role in ANSWER_ROLES


# --- notifications ---------------------------------------------------------------------------


def wechat_notification_receive(
    *, headers: dict[str, str], body: bytes, now: dt.datetime, config: wechatpay.Config | None = None
) -> NotificationReceipt:
    """Verify and record a notification (raises wechatpay.SignatureInvalid, storing nothing)."""
    config = config or wechatpay.config_from_settings()
    wechatpay.verify_platform_signature(config, headers=headers, body=body, now=now.timestamp())
    try:
        envelope = json.loads(body)
        resource = envelope["resource"]
        notification_id = str(envelope["id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise wechatpay.SignatureInvalid("not a notification") from exc
    plain = wechatpay.decrypt_resource(config.apiv3_key, resource)
    platform_ref = str(plain.get("complaint_id", ""))[:64]
    if not platform_ref:
        raise wechatpay.SignatureInvalid("no complaint_id in the resource")
    receipt, created = NotificationReceipt.objects.get_or_create(
        notification_id=notification_id[:64],
        defaults={
            "event_type": str(envelope.get("event_type", ""))[:60],
            "platform_ref": platform_ref,
            "action_type": str(plain.get("action_type", ""))[:60],
            "received_at": now,
        },
    )
    if created or receipt.processed_at is None:
        tasks.dispatch_after_commit("sync_wechat_complaints")
    return receipt


def wechat_sync_pending(*, now: dt.datetime, config: wechatpay.Config | None = None) -> int:
    """Fetch and apply the complaints of every notification not yet processed."""
    if config is None and not wechatpay.configured():
        return 0
    config = config or wechatpay.config_from_settings()
    client = wechatpay.Client(config)
    done = 0
    for receipt in NotificationReceipt.objects.filter(processed_at__isnull=True).order_by("id")[:100]:
        try:
            detail = client.complaint_detail(receipt.platform_ref)
        except wechatpay.PlatformError as exc:
            NotificationReceipt.objects.filter(pk=receipt.pk).update(error=str(exc)[:2000])
            logger.warning("WeChat Pay complaint detail not fetched (notification %s): %s", receipt.pk, exc)
            continue
        wechat_complaint_apply(detail=detail, action=receipt.action_type, now=now, config=config)
        NotificationReceipt.objects.filter(pk=receipt.pk).update(processed_at=now, error="")
        done += 1
    return done


def wechat_pull(*, begin: dt.date, end: dt.date, now: dt.datetime, config: wechatpay.Config | None = None) -> int:
    """Query the platform's list for the days `begin`…`end` (the list is what the platform keeps:
    a complaint whose notification was lost arrives here)."""
    config = config or wechatpay.config_from_settings()
    client = wechatpay.Client(config)
    offset, applied = 0, 0
    while True:
        page = client.list_complaints(begin_date=begin.isoformat(), end_date=end.isoformat(), limit=50, offset=offset)
        items = page.get("data") or []
        for item in items:
            wechat_complaint_apply(detail=item, action="", now=now, config=config)
            applied += 1
        offset += len(items)
        if not items or offset >= int(page.get("total_count") or 0):
            return applied


def _received_at(detail: dict[str, Any], now: dt.datetime) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(detail.get("complaint_time", "")))
    except ValueError:
        return now
    return min(parsed, now) if parsed.tzinfo else now


def _phone(detail: dict[str, Any], config: wechatpay.Config) -> str:
    raw = detail.get("payer_phone")
    if not raw:
        return ""
    try:
        return wechatpay.decrypt_sensitive(config.private_key, str(raw))
    except Exception:  # not decryptable with our key: the payer stays reachable through the platform only
        logger.warning("WeChat Pay payer phone could not be decrypted")
        return ""


def _public_detail(detail: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in detail.items() if k not in ("payer_phone", "payer_openid")}


def wechat_complaint_apply(
    *, detail: dict[str, Any], action: str, now: dt.datetime, config: wechatpay.Config
) -> PlatformComplaint:
    """Create the Kesu complaint of a platform complaint, or record what changed on the platform.

    Once per platform complaint however often it arrives (notification, list pull): the platform
    number is unique, so of two runs racing to create it one rolls back whole (its complaint too)
    and is applied again as an update."""
    try:
        return _apply(detail=detail, action=action, now=now, config=config)
    except IntegrityError:
        if not PlatformComplaint.objects.filter(platform_ref=str(detail.get("complaint_id", ""))[:64]).exists():
            raise
        return _apply(detail=detail, action=action, now=now, config=config)


def _apply(*, detail: dict[str, Any], action: str, now: dt.datetime, config: wechatpay.Config) -> PlatformComplaint:
    platform_ref = str(detail.get("complaint_id", ""))[:64]
    orders = detail.get("complaint_order_info") or []
    order = orders[0] if orders and isinstance(orders[0], dict) else {}
    state = str(detail.get("complaint_state", ""))[:40]
    with transaction.atomic():
        existing = PlatformComplaint.objects.select_for_update().filter(platform_ref=platform_ref).first()
        if existing is not None:
            changed = existing.state != state or (action and action != existing.last_action)
            existing.state, existing.detail, existing.synced_at = state, _public_detail(detail), now
            existing.last_action = action or existing.last_action
            existing.save(update_fields=["state", "detail", "synced_at", "last_action"])
            if changed:
                record_event(
                    complaint=existing.complaint,
                    kind="platform_update",
                    actor=None,
                    at=now,
                    data={"platform": "wechat_pay", "state": state, "action": action},
                )
            return existing
        received_at = _received_at(detail, now)
        phone = _phone(detail, config)
        refund = detail.get("apply_refund_amount")
        payload: dict[str, Any] = {
            "channel": "social",
            "received_at": received_at.isoformat(),
            "customer": {
                "name": _("WeChat Pay user"),
                "phone": phone,
                "email": "" if phone else f"{platform_ref}@{NO_CONTACT_DOMAIN}",
            },
            "title": str(detail.get("problem_description", ""))[:200],
            "description": str(detail.get("complaint_detail", "")) or str(detail.get("problem_description", "")),
            "product": {"order_no": str(order.get("out_trade_no", ""))[:80]},
            "external_ref": f"wechatpay:{platform_ref}"[:100],
        }
        if isinstance(refund, int) and refund > 0:
            payload["amount_claimed"] = str(Decimal(refund) / 100)
        complaint = complaint_register(actor=None, payload=payload, now=now)
        due = received_at + dt.timedelta(hours=config.reply_hours)
        platform = PlatformComplaint.objects.create(
            platform_ref=platform_ref,
            mchid=str(detail.get("complainted_mchid", config.mchid))[:64],
            complaint=complaint,
            state=state,
            transaction_id=str(order.get("transaction_id", ""))[:64],
            out_trade_no=str(order.get("out_trade_no", ""))[:64],
            apply_refund_amount=refund if isinstance(refund, int) else None,
            detail=_public_detail(detail),
            response_due=due,
            last_action=action,
            synced_at=now,
        )
        deadline_set_external(
            complaint=complaint,
            kind="reply",
            due_at=due,
            source="wechat_pay",
            reference=platform_ref,
            actor=None,
            now=now,
        )
    return platform


# --- answers ---------------------------------------------------------------------------------


def _platform_of(actor: User, number: str) -> tuple[Complaint, PlatformComplaint]:
    if not may_answer(actor):
        raise PermissionDenied(_("Your role may not answer on the complaint platform."))
    complaint = complaint_for_action(actor=actor, number=number)
    platform = PlatformComplaint.objects.filter(complaint=complaint).first()
    if platform is None:
        raise NotFound(_("This complaint did not come from WeChat Pay."))
    return complaint, platform


def _push(platform: PlatformComplaint, kind: str, body: dict[str, Any], actor: User, now: dt.datetime) -> PlatformPush:
    push = PlatformPush.objects.create(
        platform_complaint=platform, kind=kind, body=body, created_by=actor, created_at=now, next_attempt_at=now
    )
    tasks.dispatch_after_commit("push_platform_answers")
    return push


def wechat_reply(*, actor: User, number: str, content: str, now: dt.datetime) -> PlatformPush:
    """Reply to the customer on the platform (the first reply meets the platform's deadline)."""
    text = (content or "").strip()
    if not text:
        raise ValidationFailed([FieldError("content", _("Write the reply."), "required")])
    if len(text) > RESPONSE_MAX:
        raise ValidationFailed(
            [
                FieldError(
                    "content",
                    _("Enter at most %(max)d characters (it has %(length)d).")
                    % {"max": RESPONSE_MAX, "length": len(text)},
                    "max_length",
                )
            ]
        )
    from kesu.deadlines.services import deadlines_after_transition

    with transaction.atomic():
        complaint, platform = _platform_of(actor, number)
        push = _push(
            platform, PushKind.RESPONSE, {"complainted_mchid": platform.mchid, "response_content": text}, actor, now
        )
        if complaint.replied_at is None:
            complaint.replied_at = now
            Complaint.objects.filter(pk=complaint.pk).update(replied_at=now, updated_at=now)
        record_event(
            complaint=complaint,
            kind="platform_reply",
            actor=actor,
            at=now,
            note=text,
            data={"platform": "wechat_pay", "kind": PushKind.RESPONSE},
            internal=False,
        )
        deadlines_after_transition(complaint=complaint, effect="settle", actor=actor, now=now)
    return push


def wechat_refund_decision(
    *, actor: User, number: str, approve: bool, launch_refund_day: int | None, reason: str, now: dt.datetime
) -> PlatformPush:
    """The merchant's answer to the customer's refund request (更新退款审批结果)."""
    errors = []
    if approve and (launch_refund_day is None or not 0 <= launch_refund_day <= 30):
        errors.append(
            FieldError("launch_refund_day", _("Give the number of days until the refund (0–30)."), "required")
        )
    if not approve and not reason.strip():
        errors.append(FieldError("reason", _("Say why the refund is refused."), "required"))
    if errors:
        raise ValidationFailed(errors)
    body: dict[str, Any] = {"action": "APPROVE" if approve else "REJECT"}
    if approve:
        body["launch_refund_day"] = launch_refund_day
    else:
        body["reject_reason"] = reason.strip()[:200]
    with transaction.atomic():
        complaint, platform = _platform_of(actor, number)
        push = _push(platform, PushKind.REFUND, body, actor, now)
        record_event(
            complaint=complaint,
            kind="platform_reply",
            actor=actor,
            at=now,
            note=reason,
            data={"platform": "wechat_pay", "kind": PushKind.REFUND, "approve": approve},
        )
    return push


def wechat_complete(*, actor: User, number: str, now: dt.datetime) -> PlatformPush:
    """Tell the platform the complaint is handled (反馈处理完成): once Kesu resolved it."""
    with transaction.atomic():
        complaint, platform = _platform_of(actor, number)
        if complaint.status not in (Status.RESOLVED, Status.CLOSED):
            raise Conflict(_("Resolve the complaint before telling the platform it is handled."), code="not_resolved")
        if platform.pushes.filter(kind=PushKind.COMPLETE).exclude(state=PushState.FAILED).exists():
            raise Conflict(_("The platform has already been told the complaint is handled."), code="already_complete")
        push = _push(platform, PushKind.COMPLETE, {"complainted_mchid": platform.mchid}, actor, now)
        record_event(
            complaint=complaint,
            kind="platform_reply",
            actor=actor,
            at=now,
            data={"platform": "wechat_pay", "kind": PushKind.COMPLETE},
        )
    return push


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def deliver_platform_pushes(*, now: dt.datetime, config: wechatpay.Config | None = None, limit: int = 50) -> int:
    """Send the due answers, in order per complaint, with no transaction open while sending."""
    if config is None and not wechatpay.configured():
        return 0
    config = config or wechatpay.config_from_settings()
    client = wechatpay.Client(config)
    sent = 0
    due = (
        PlatformPush.objects.filter(Q(state=PushState.PENDING), next_attempt_at__lte=now)
        .select_related("platform_complaint")
        .order_by("id")[:limit]
    )
    blocked: set[int] = set()
    for push in list(due):
        if push.platform_complaint_id in blocked:
            continue  # an earlier answer to this complaint is still waiting: keep the order
        ref = push.platform_complaint.platform_ref
        try:
            if push.kind == PushKind.RESPONSE:
                client.respond(ref, push.body)
            elif push.kind == PushKind.REFUND:
                client.update_refund_progress(ref, push.body)
            else:
                client.complete(ref, push.body)
        except wechatpay.PlatformError as exc:
            attempts = push.attempts + 1
            changes: dict[str, Any] = {"attempts": attempts, "last_error": f"{exc.status} {exc.code}: {exc}"[:2000]}
            if exc.retryable:
                changes["next_attempt_at"] = now + _backoff(attempts)
                blocked.add(push.platform_complaint_id)
            else:
                changes["state"] = PushState.FAILED
            PlatformPush.objects.filter(pk=push.pk, state=PushState.PENDING).update(**changes)
            continue
        PlatformPush.objects.filter(pk=push.pk, state=PushState.PENDING).update(
            state=PushState.SENT, attempts=push.attempts + 1, sent_at=now, last_error=""
        )
        sent += 1
    return sent


def platform_complaints_visible(user: User) -> Any:
    from kesu.complaints.selectors import visible_complaints

    return (
        PlatformComplaint.objects.filter(complaint__in=visible_complaints(user))
        .select_related("complaint")
        .order_by("response_due", "id")
    )


def local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value)
