"""The complaint page's forms (issue 8, items 4-6): offered only when allowed, labelled, values
kept on an error with nothing written, the next step, labels instead of codes."""

from __future__ import annotations

import re
from pathlib import Path

from kesu.complaints.models import ComplaintEvent
from kesu.complaints.services.notes import complaint_note_add
from kesu.complaints.services.transitions import complaint_transition
from kesu.deadlines.models import DeadlinePause
from tests.complaints.lifecycle import snapshot


def page(client, complaint):
    response = client.get(f"/c/{complaint.number}/")
    assert response.status_code == 200
    return response, response.content.decode()


def test_the_page_says_the_next_step_in_one_line(as_user, complaint_in):
    complaint = complaint_in("solution_proposed")
    _response, html = page(as_user("handler"), complaint)
    line = re.search(r'data-testid="next-step">(.*?)</p>', html, re.S).group(1)
    assert "下一步：" in line and "等待当班主管核准 50.00 元" in line


def test_no_arrow_when_the_status_stays_and_labels_instead_of_codes(as_user, users, complaint_in, now):
    complaint = complaint_in("assigned")
    complaint_transition(
        actor=users["agent"], number=complaint.number, action="escalate", payload={"reason": "顾客要求"}, now=now
    )
    from kesu.complaints.services.classification import complaint_reclassify

    complaint_reclassify(
        actor=users["agent"],
        number=complaint.number,
        payload={"category": "service_attitude.rude", "severity": "serious", "reason": "核实"},
        now=now,
    )
    _response, html = page(as_user("agent"), complaint)
    timeline = html[html.index('id="h-timeline"') :]
    assert "已分派 → 已分派" not in timeline and "已登记 → 已登记" not in timeline
    assert "升级" in timeline and "→ 已分派" not in timeline  # escalating keeps the status: no arrow
    assert "重新分类" in timeline and "严重程度：一般 → 严重" in timeline
    for code in ("service_attitude.rude", "product_quality.food.expired", "reclassified", "escalate"):
        assert code not in re.sub(r"<[^>]+>", "", html), code
    assert "服务态度" in html  # the category path, in the reader's language


def test_chinese_labels_end_with_a_full_width_colon_english_with_a_colon(as_user, users, complaint_in):
    from django.test import Client

    complaint = complaint_in("investigating")
    _response, html = page(as_user("handler"), complaint)
    assert re.search(r'<label for="id_note-text">备注：</label>', html)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(users["handler"])
    html = english.get(f"/c/{complaint.number}/").content.decode()
    assert re.search(r'<label for="id_note-text">Note:\s*</label>', html)


def test_a_note_adds_to_the_timeline_without_a_status_change(as_user, complaint_in):
    complaint = complaint_in("investigating")
    client = as_user("handler")
    response = client.post(
        f"/c/{complaint.number}/note/", {"note-text": "已联系仓库核对批次", "note-visibility": "internal"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    event = ComplaintEvent.objects.get(complaint=complaint, kind="note")
    assert event.internal and event.note == "已联系仓库核对批次"
    _response, html = page(client, complaint)
    assert "已联系仓库核对批次" in html and "仅内部可见" in html


def test_a_refused_note_keeps_what_was_typed_and_writes_nothing(as_user, complaint_in):
    complaint = complaint_in("investigating")
    before = snapshot()
    response = as_user("handler").post(f"/c/{complaint.number}/note/", {"note-text": "好的", "note-visibility": "all"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "好的</textarea>" in html and "请选择谁可以阅读" in html
    assert snapshot() == before


def test_textareas_carry_the_canned_response_hooks(as_user, complaint_in):
    _r, html = page(as_user("handler"), complaint_in("investigating"))
    assert 'data-canned="note"' in html
    _r, html = page(as_user("manager"), complaint_in("investigating"))
    assert 'data-canned="solution"' in html
    _r, html = page(as_user("agent"), complaint_in("resolved"))
    assert 'data-canned="callback"' in html


def test_the_portal_shows_customer_text_never_staff_wording(users, complaint_in, now, client):
    complaint = complaint_in("investigating")
    complaint_note_add(
        actor=users["agent"], number=complaint.number, text="顾客很难缠，内部备注", visibility="internal", now=now
    )
    complaint_note_add(
        actor=users["agent"], number=complaint.number, text="您好，我们已安排退款。", visibility="customer", now=now
    )
    complaint_transition(
        actor=users["manager"],
        number=complaint.number,
        action="propose_solution",
        payload={
            "remedies": [{"type": "refund", "amount": "30"}],
            "description": "为您退款 30 元。",
            "internal_note": "顾客是老客户，从宽处理",
        },
        now=now,
    )
    track = client.post("/portal/track/", {"number": complaint.number, "contact": complaint.contact_phone})
    assert track.status_code == 302
    html = client.get(track["Location"]).content.decode()
    assert "您好，我们已安排退款。" in html and "为您退款 30 元。" in html
    assert "内部备注" not in html and "从宽处理" not in html and "难缠" not in html
    public = client.get(f"/api/v1/public/complaints/{complaint.number}", {"contact": complaint.contact_phone}).json()
    assert "从宽处理" not in str(public) and public["solution"]["description"] == "为您退款 30 元。"


def test_reclassify_keeps_values_on_an_error_and_writes_nothing(as_user, complaint_in):
    complaint = complaint_in("assigned")
    before = snapshot()
    response = as_user("agent").post(
        f"/c/{complaint.number}/reclassify/",
        {"reclassify-category": "service_attitude.rude", "reclassify-severity": "major", "reclassify-reason": ""},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert re.search(r'<option value="service_attitude.rude"[^>]*selected', html)
    assert re.search(r'<option value="major" selected', html)
    assert "请说明调整严重程度的原因" in html or "原因" in html
    assert snapshot() == before


def test_a_handler_reclassifies_the_category_only_down_to_level_4(as_user, complaint_in):
    from kesu.triage.models import Category

    parent = Category.objects.get(code="product_quality.food.expired")
    Category.objects.create(
        code="product_quality.food.expired.dairy",
        parent=parent,
        level=4,
        name_zh_hans="乳制品",
        name_zh_hant="乳製品",
        name_en="Dairy",
    )
    complaint = complaint_in("investigating")
    response, _html = page(as_user("handler"), complaint)
    form = response.context["panels"]["reclassify"]
    assert set(form.fields) == {"category", "reason"}
    assert any(code.count(".") == 3 for code, _label in form.fields["category"].widget.choices), "level 4 offered"
    agent_form = page(as_user("agent"), complaint)[0].context["panels"]["reclassify"]
    assert {"severity", "urgency"} <= set(agent_form.fields)
    assert all(code.count(".") <= 2 for code, _label in agent_form.fields["category"].widget.choices)


def test_assign_lists_users_grouped_by_department(as_user, complaint_in):
    _r, html = page(as_user("supervisor"), complaint_in("acknowledged"))
    assert 'data-narrows="id_assign-assignee"' in html
    assert re.search(r'<optgroup label="品质部">\s*<option value="handler"', html)


def test_propose_is_not_offered_before_the_investigation_with_a_line_saying_why(as_user, users, register, now):
    complaint = register()
    for action, who, params in (
        ("acknowledge", "agent", {}),
        ("assign", "supervisor", {"department": "quality", "assignee": "handler"}),
    ):
        complaint_transition(actor=users[who], number=complaint.number, action=action, payload=params, now=now)
    response, html = page(as_user("handler"), complaint)
    assert [a["action"] for a in response.context["main_actions"]] == ["start_investigation"]
    assert 'id="action-investigation"' not in html  # first start, then record
    complaint_transition(
        actor=users["handler"], number=complaint.number, action="start_investigation", payload={}, now=now
    )
    response, html = page(as_user("handler"), complaint)
    assert "propose_solution" not in [a["action"] for a in response.context["main_actions"]]
    assert 'id="action-investigation"' in html
    assert 'data-testid="blocked-propose_solution"' in html and "根本原因" in html


def test_a_solution_with_two_alternatives(as_user, complaint_in):
    complaint = complaint_in("investigating")
    response = as_user("manager").post(
        f"/c/{complaint.number}/act/propose_solution/",
        {
            "propose_solution-remedy_type_1": "refund",
            "propose_solution-remedy_amount_1": "80",
            "propose_solution-alt2_remedy_type_1": "voucher",
            "propose_solution-alt2_remedy_amount_1": "120",
            "propose_solution-description": "二选一",
            "propose_solution-internal_note": "内部",
        },
    )
    assert response.status_code == 302
    solution = complaint.solutions.get()
    assert (solution.alternatives, solution.total, solution.description, solution.internal_note) == (
        2,
        120,
        "二选一",
        "内部",
    )
    _r, html = page(as_user("manager"), complaint)
    assert "方案 1" in html and "方案 2" in html


def test_a_wrong_amount_in_the_second_alternative_is_shown_on_its_field(as_user, complaint_in):
    complaint = complaint_in("investigating")
    before = snapshot()
    response = as_user("manager").post(
        f"/c/{complaint.number}/act/propose_solution/",
        {
            "propose_solution-remedy_type_1": "refund",
            "propose_solution-remedy_amount_1": "80",
            "propose_solution-alt2_remedy_type_1": "voucher",
            "propose_solution-alt2_remedy_amount_1": "abc",
        },
    )
    assert response.status_code == 422
    form = next(a["form"] for a in response.context["main_actions"] if a["action"] == "propose_solution")
    assert form.errors.get("alt2_remedy_amount_1") and 'value="abc"' in response.content.decode()
    assert snapshot() == before


def test_approval_shows_who_may_approve_and_why(as_user, complaint_in):
    complaint = complaint_in("investigating")
    as_user("handler").post(
        f"/c/{complaint.number}/act/propose_solution/",
        {"propose_solution-remedy_type_1": "refund", "propose_solution-remedy_amount_1": "500"},
    )
    response, html = page(as_user("supervisor"), complaint)
    assert "approve" not in [a["action"] for a in response.context["main_actions"]]
    assert "超出您的核准权限（¥100.00），需客服经理核准" in html
    response, html = page(as_user("manager"), complaint)
    assert "approve" in [a["action"] for a in response.context["main_actions"]]
    assert "在您的核准权限（¥1000.00）之内" in html
    assert "等待客服经理核准 500.00 元" in html


def test_pause_and_resume_the_deadlines(as_user, complaint_in):
    complaint = complaint_in("investigating")
    client = as_user("handler")
    refused = client.post(f"/c/{complaint.number}/deadlines/pause/", {"pause-reason": "", "pause-note": "等资料"})
    assert refused.status_code == 422 and "等资料</textarea>" in refused.content.decode()
    assert not DeadlinePause.objects.exists()
    assert (
        client.post(
            f"/c/{complaint.number}/deadlines/pause/", {"pause-reason": "awaiting_customer", "pause-note": "等资料"}
        ).status_code
        == 302
    )
    _r, html = page(client, complaint)
    assert 'data-testid="paused"' in html and "时限已暂停" in html
    assert client.post(f"/c/{complaint.number}/deadlines/resume/").status_code == 302
    assert DeadlinePause.objects.get().ended_at is not None
    again = client.post(f"/c/{complaint.number}/deadlines/resume/")
    assert again.status_code == 409


def test_an_auditor_gets_no_forms_and_is_refused(as_user, complaint_in):
    complaint = complaint_in("investigating")
    response, _html = page(as_user("auditor"), complaint)
    assert response.context["panels"] == {}
    before = snapshot()
    assert (
        as_user("auditor")
        .post(f"/c/{complaint.number}/note/", {"note-text": "x", "note-visibility": "internal"})
        .status_code
        == 403
    )
    assert snapshot() == before


def test_no_spec_id_in_user_facing_text():
    root = Path(__file__).resolve().parents[2]
    for template in (root / "kesu").rglob("*.html"):
        assert not re.search(r"SPEC [A-Z]{2}-\d", template.read_text()), template
    for po in (root / "locale").rglob("django.po"):
        for msgstr in re.findall(r'^msgstr "(.*)"$', po.read_text(), re.M):
            assert not re.search(r"SPEC [A-Z]{2}-\d", msgstr), (po, msgstr)


def test_extend_is_offered_only_when_the_preset_allows_it_and_to_who_may_approve(as_user, register):
    from kesu.deadlines.calendar import bump_version
    from kesu.deadlines.models import ComplaintDeadline, RegulatoryPreset

    RegulatoryPreset.objects.filter(code="cn_banking_insurance").update(enabled=True)
    bump_version()
    complaint = register()
    assert "extend" not in page(as_user("supervisor"), complaint)[0].context["panels"]
    manager = as_user("manager")
    _response, html = page(manager, complaint)
    assert 'id="action-extend"' in html and "结案期限" in html
    refused = manager.post(f"/c/{complaint.number}/deadlines/extend/", {"extend-kind": "close", "extend-reason": ""})
    assert refused.status_code == 422
    assert ComplaintDeadline.objects.get(complaint=complaint, kind="close").extension_step == 0
    done = manager.post(
        f"/c/{complaint.number}/deadlines/extend/", {"extend-kind": "close", "extend-reason": "情况复杂，需外部鉴定"}
    )
    assert done.status_code == 302
    assert ComplaintDeadline.objects.get(complaint=complaint, kind="close").extension_step == 1
    assert "时限已延长" in page(manager, complaint)[1]


def test_the_callback_form_records_how_and_what_the_customer_said(as_user, complaint_in):
    complaint = complaint_in("resolved")
    client = as_user("agent")
    _r, html = page(client, complaint)
    assert "是否联系上顾客？" in html and "顾客对处理是否满意？" in html
    kept = client.post(
        f"/c/{complaint.number}/act/record_callback/",
        {"record_callback-method": "phone", "record_callback-reached": "", "record_callback-comment": "没接"},
    )
    assert kept.status_code == 422 and "没接</textarea>" in kept.content.decode()
    done = client.post(
        f"/c/{complaint.number}/act/record_callback/",
        {
            "record_callback-method": "sms",
            "record_callback-reached": "yes",
            "record_callback-satisfied": "yes",
            "record_callback-score": "5",
            "record_callback-comment": "很满意",
        },
    )
    assert done.status_code == 302
    callback = complaint.callbacks.get()
    assert (callback.method, callback.satisfied, callback.score, callback.comment) == ("sms", True, 5, "很满意")
    assert "等待经理结案" in page(client, complaint)[1]


def test_the_customer_accepts_one_of_two_offers(as_user, users, complaint_in, now):
    complaint = complaint_in("investigating")
    complaint_transition(
        actor=users["manager"],
        number=complaint.number,
        action="propose_solution",
        payload={
            "alternatives": [
                {"remedies": [{"type": "refund", "amount": "50"}]},
                {"remedies": [{"type": "voucher", "amount": "80"}]},
            ]
        },
        now=now,
    )
    client = as_user("agent")
    response, _html = page(client, complaint)
    form = next(a["form"] for a in response.context["main_actions"] if a["action"] == "customer_accept")
    assert [value for value, _label in form.fields["alternative"].widget.choices] == ["", "1", "2"]
    refused = client.post(f"/c/{complaint.number}/act/customer_accept/", {"customer_accept-alternative": ""})
    assert refused.status_code == 422
    assert (
        client.post(f"/c/{complaint.number}/act/customer_accept/", {"customer_accept-alternative": "2"}).status_code
        == 302
    )
    assert complaint.solutions.get().accepted_alternative == 2
