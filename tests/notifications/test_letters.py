"""Letters from templates (SPEC IN-4, FU-2, RS-4, SV-3): rendering in three languages, sending
through the outbox on acknowledge, resolve and on request, and every refusal writing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.letters import complaint_language_set, letter_render, letter_send
from kesu.notifications.models import LetterTemplate, OutboxMessage
from kesu.notifications.selectors import letter_preview
from tests.complaints.lifecycle import act, snapshot

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
RECEIVED = dt.datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI)


def everything() -> dict[str, Any]:
    return {**snapshot(), "templates": list(LetterTemplate.objects.order_by("id").values())}


@pytest.fixture
def fixed(register, users):
    """A complaint received at a known time, with phone and e-mail."""

    def _make(**overrides: Any):
        payload: dict[str, Any] = {
            "received_at": RECEIVED.isoformat(),
            "customer": {"name": "王小明", "phone": "13800138000", "email": "wang@example.com"},
        }
        payload.update(overrides)
        return register(now_=RECEIVED + dt.timedelta(minutes=5), **payload)

    return _make


def in_language(complaint, users, language):
    complaint_language_set(actor=users["agent"], number=complaint.number, language=language, now=complaint.received_at)
    complaint.refresh_from_db()
    return complaint


def investigated_cause(complaint) -> str:
    """The root cause part A's investigation recorded on the way to `resolved`, if any."""
    return str(getattr(getattr(complaint, "investigation", None), "root_cause", "") or "")


def letters_of(complaint, kind):
    return list(OutboxMessage.objects.filter(complaint=complaint, kind=kind).order_by("id"))


# --- acknowledgement (IN-4) ---------------------------------------------------------------------


def test_acknowledge_sends_the_acknowledgement_in_simplified_chinese(fixed, users):
    complaint = fixed()
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    complaint.refresh_from_db()
    [message] = letters_of(complaint, "acknowledgement")
    assert (message.channel, message.recipient) == ("email", "wang@example.com")
    assert message.subject == f"您的投诉已受理（编号 {complaint.number}）"
    assert message.body.startswith("尊敬的王小明：")
    assert f"我们已于2026年11月2日 09:30收到您的投诉，受理编号为 {complaint.number}。" in message.body
    assert (
        "我们将认真调查核实，并于2026年11月5日 23:59前给您答复，预计于2026年11月17日 23:59前处理完毕。"
    ) in message.body
    assert "您可凭受理编号及登记的手机号码或电子邮箱随时查询处理进度" in message.body


def test_acknowledgement_in_traditional_chinese(fixed, users):
    complaint = in_language(fixed(), users, "zh-hant")
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    [message] = letters_of(complaint, "acknowledgement")
    assert message.subject == f"您的投訴已受理（編號 {complaint.number}）"
    assert f"我們已於2026年11月2日 09:30收到您的投訴，受理編號為 {complaint.number}。" in message.body
    assert "客戶服務部" in message.body


def test_acknowledgement_in_english(fixed, users):
    complaint = in_language(fixed(), users, "en")
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    [message] = letters_of(complaint, "acknowledgement")
    assert message.subject == f"We have received your complaint {complaint.number}"
    assert message.body.startswith("Dear 王小明,")
    assert (
        f"We received your complaint on 2 Nov 2026, 09:30 and registered it under number "
        f"{complaint.number}." in message.body
    )
    assert "will reply by " in message.body


def test_acknowledgement_goes_by_sms_without_an_email(fixed, users):
    complaint = fixed(customer={"name": "李四", "phone": "13900139000"})
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    [message] = letters_of(complaint, "acknowledgement")
    assert (message.channel, message.recipient) == ("sms", "+8613900139000")
    assert message.body.startswith("尊敬的李四：")


def test_acknowledgement_uses_the_administrators_edit(fixed, users):
    row = LetterTemplate.objects.get(kind="acknowledgement", language="zh-hans")
    row.subject = "受理通知 {{ number }}"
    row.body = "{{ customer_name }}您好，编号{{ number }}，{{ reply_due|date:'Y-m-d' }}前答复。"
    row.save()
    complaint = fixed()
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    complaint.refresh_from_db()
    [message] = letters_of(complaint, "acknowledgement")
    due = timezone.localtime(complaint.reply_due).date().isoformat()
    assert (message.subject, message.body) == (
        f"受理通知 {complaint.number}",
        f"王小明您好，编号{complaint.number}，{due}前答复。",
    )


def test_an_acknowledgement_flagged_internal_is_not_sent_but_the_transition_goes_through(fixed, users):
    LetterTemplate.objects.filter(kind="acknowledgement").update(internal=True)
    complaint = fixed()
    act(users, "agent", complaint, "acknowledge", RECEIVED + dt.timedelta(hours=1))
    complaint.refresh_from_db()
    assert (complaint.status, letters_of(complaint, "acknowledgement")) == ("acknowledged", [])


def test_a_missing_language_falls_back_to_simplified_chinese(fixed, users):
    LetterTemplate.objects.filter(kind="acknowledgement", language="en").delete()
    complaint = in_language(fixed(), users, "en")
    letter = letter_render(complaint=complaint, kind="acknowledgement", now=RECEIVED)
    assert (letter.language, letter.subject) == ("zh-hans", f"您的投诉已受理（编号 {complaint.number}）")


def test_an_emptied_table_falls_back_to_the_shipped_defaults(fixed, users):
    LetterTemplate.objects.all().delete()
    complaint = in_language(fixed(), users, "zh-hant")
    letter = letter_render(complaint=complaint, kind="acknowledgement", now=RECEIVED)
    assert (letter.language, letter.version, letter.subject) == (
        "zh-hant",
        0,
        f"您的投訴已受理（編號 {complaint.number}）",
    )


# --- result letter (RS-4) -----------------------------------------------------------------------


def test_resolve_sends_the_result_letter_with_cause_measures_and_improvements(complaint_in, users, now):
    complaint = complaint_in("resolved")
    [message] = letters_of(complaint, "result")
    assert (message.channel, message.subject) == ("sms", f"投诉处理结果函（编号 {complaint.number}）")
    assert f"一、原因：{investigated_cause(complaint) or '经调查核实，详见处理措施。'}\n" in message.body
    assert "二、处理措施：已退款 50 元。\n    · 退款 50.00 元" in message.body
    assert "三、改进措施：我们已将此事纳入内部质量改进，防止类似问题再次发生。" in message.body


def test_result_letter_in_english_with_given_texts(complaint_in, users, now):
    complaint = in_language(complaint_in("resolved"), users, "en")
    letter = letter_render(
        complaint=complaint,
        kind="result",
        now=now,
        extra={"cause": "The milk was stored above 25 °C.", "improvements": "Cold chain checks."},
    )
    assert letter.subject == f"The result of your complaint {complaint.number}"
    assert "1. Cause: The milk was stored above 25 °C." in letter.body
    assert "2. Measures: 已退款 50 元。\n    - refund: CNY 50.00" in letter.body
    assert "3. Improvements: Cold chain checks." in letter.body


def test_result_letter_in_traditional_chinese(complaint_in, users, now):
    complaint = in_language(complaint_in("resolved"), users, "zh-hant")
    letter = letter_render(complaint=complaint, kind="result", now=now)
    assert letter.subject == f"投訴處理結果函（編號 {complaint.number}）"
    assert f"一、原因：{investigated_cause(complaint) or '經調查核實，詳見處理措施。'}\n" in letter.body
    assert "· 退款 50.00 元" in letter.body


# --- other letters ------------------------------------------------------------------------------


def test_unreachable_sms_gives_the_fu2_standard_text(complaint_in, users, now):
    complaint = complaint_in("resolved")
    message = letter_send(actor=users["agent"], number=complaint.number, kind="unreachable_sms", now=now)
    assert (message.channel, message.recipient) == ("sms", complaint.contact_phone)
    assert message.body.startswith(
        f"【Kesu】尊敬的张三，我们就您的投诉（编号{complaint.number}）致电回访，未能联系到您。请于"
    )
    assert message.body.endswith("前与我们联系，逾期未回复我们将视为处理完毕并结案。")


def test_unreachable_sms_in_english(complaint_in, users, now):
    complaint = in_language(complaint_in("resolved"), users, "en")
    letter = letter_render(complaint=complaint, kind="unreachable_sms", now=now)
    assert letter.body.startswith(
        f"[Kesu] Dear 张三, we called you about complaint {complaint.number} but could "
        "not reach you. Please contact us by "
    )


def test_apology_letter_in_three_languages(complaint_in, users, now):
    complaint = complaint_in("investigating")
    zh = letter_render(complaint=complaint, kind="apology", now=now, extra={"cause": "门店冷柜故障"})
    assert "给您带来了不便和困扰，我们深表歉意。\n经调查，问题的原因是：门店冷柜故障" in zh.body
    hant = letter_render(
        complaint=complaint, kind="apology", now=now, language="zh-hant", extra={"cause": "門市冷櫃故障"}
    )
    assert "給您帶來了不便和困擾，我們深表歉意。\n經調查，問題的原因是：門市冷櫃故障" in hant.body
    en = letter_render(
        complaint=complaint, kind="apology", now=now, language="en", extra={"measures": "We refunded CNY 50."}
    )
    assert "We are sincerely sorry for the trouble" in en.body
    assert "We have taken these measures: We refunded CNY 50." in en.body


def test_letter_send_writes_outbox_event_and_audit_together(complaint_in, users, now):
    complaint = complaint_in("investigating")
    message = letter_send(actor=users["agent"], number=complaint.number, kind="apology", channel="sms", now=now)
    event = ComplaintEvent.objects.get(complaint=complaint, kind="letter_sent")
    assert (message.kind, message.channel, message.subject) == (
        "apology",
        "sms",
        f"致歉函（投诉编号 {complaint.number}）",
    )
    assert event.data == {
        "letter": "apology",
        "channel": "sms",
        "language": "zh-hans",
        "template_version": 1,
        "outbox_id": message.pk,
    }
    assert AuditRecord.objects.filter(object_id=complaint.number, action="complaint.letter_sent").count() == 1


def test_internal_form_renders_for_print(complaint_in, users, now):
    complaint = complaint_in("resolved")
    letter = letter_preview(user=users["agent"], number=complaint.number, kind="complaint_record", now=now)
    assert letter.internal is True
    assert letter.body.startswith("顾客投诉记录表\n\n编号：" + complaint.number)
    assert f"电话：{complaint.contact_phone}" in letter.body
    assert "投诉内容：买的牛奶有异味，要求退款。" in letter.body
    assert "责任部门：品质部" in letter.body


def test_internal_form_masks_the_phone_for_a_handler(complaint_in, users, now):
    complaint = complaint_in("resolved")
    letter = letter_preview(user=users["handler"], number=complaint.number, kind="complaint_record", now=now)
    assert complaint.contact_phone not in letter.body
    assert "电话：138****" in letter.body


# --- refusals: nothing written, nothing sent ----------------------------------------------------


def test_sending_an_internal_form_is_refused_and_writes_nothing(complaint_in, users, now):
    complaint = complaint_in("resolved")
    before = everything()
    with pytest.raises(Conflict) as error:
        letter_send(actor=users["agent"], number=complaint.number, kind="complaint_record", now=now)
    assert (error.value.status, error.value.code) == (409, "internal_form")
    assert everything() == before


def test_a_letter_whose_template_was_flagged_internal_is_refused(complaint_in, users, now):
    LetterTemplate.objects.filter(kind="apology").update(internal=True)
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(Conflict):
        letter_send(actor=users["agent"], number=complaint.number, kind="apology", now=now)
    assert everything() == before


def test_result_letter_before_a_result_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(Conflict) as error:
        letter_send(actor=users["agent"], number=complaint.number, kind="result", now=now)
    assert error.value.code == "no_result"
    assert everything() == before


def test_email_to_a_customer_without_email_is_refused(complaint_in, users, now):
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(Conflict) as error:
        letter_send(actor=users["agent"], number=complaint.number, kind="apology", channel="email", now=now)
    assert (error.value.code, error.value.field) == ("no_contact", "channel")
    assert everything() == before


def test_the_auditor_may_not_send(complaint_in, users, now):
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(PermissionDenied):
        letter_send(actor=users["auditor"], number=complaint.number, kind="apology", now=now)
    assert everything() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "love_letter"}, "kind"),
        ({"kind": "apology", "channel": "fax"}, "channel"),
        ({"kind": "apology", "language": "fr"}, "language"),
        ({"kind": "apology", "cause": "x" * 2001}, "cause"),
        ({"kind": "apology", "measures": 5}, "measures"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(complaint_in, users, now, body, field):
    complaint = complaint_in("investigating")
    before = everything()
    with pytest.raises(ValidationFailed) as error:
        letter_send(
            actor=users["agent"],
            number=complaint.number,
            kind=body["kind"],
            channel=body.get("channel"),
            language=body.get("language"),
            extra=body,
            now=now,
        )
    assert [e.field for e in error.value.errors] == [field]
    assert everything() == before


def test_a_handler_cannot_send_for_another_departments_complaint(register, users, now):
    complaint = register(category="billing")  # routed away from 品质部
    before = everything()
    with pytest.raises(NotFound):
        letter_send(actor=users["handler"], number=complaint.number, kind="acknowledgement", now=now)
    assert everything() == before


def test_language_change_is_recorded_and_refuses_unknown_languages(register, users, now):
    complaint = register()
    before = everything()
    with pytest.raises(ValidationFailed):
        complaint_language_set(actor=users["agent"], number=complaint.number, language="fr", now=now)
    assert everything() == before
    complaint_language_set(actor=users["agent"], number=complaint.number, language="en", now=now)
    complaint.refresh_from_db()
    assert complaint.language == "en"
    assert ComplaintEvent.objects.get(complaint=complaint, kind="language_changed").data == {
        "from": "zh-hans",
        "to": "en",
    }
