"""The resolution panels of the complaint page, through the Django client: who is offered which
action (and why not), 403 for roles that may not, refusals that write nothing, kept values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kesu.notifications.models import OutboxMessage
from kesu.resolution.adjudication import adjudication_rule_valid, appeal_lodge
from kesu.resolution.coordination import coordinator_set, department_task_add
from kesu.resolution.followups import add_months
from kesu.resolution.models import (
    Adjudication,
    Appeal,
    Coordination,
    DepartmentTask,
    FollowUpVisit,
    ReturnDocument,
)
from kesu.resolution.returns import return_document_create
from tests.complaints.lifecycle import act
from tests.resolution.conftest import everything


def _page(client, complaint) -> str:
    response = client.get(f"/c/{complaint.number}/")
    assert response.status_code == 200
    return response.content.decode()


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def accepted(complaint_in, users, now):
    """Implementing: the customer accepted a 30.00 allowance plus the return of the goods."""
    complaint = complaint_in("investigating")
    act(
        users,
        "manager",
        complaint,
        "propose_solution",
        now,
        remedies=[{"type": "allowance", "amount": "30.00"}, {"type": "return", "amount": "0"}],
    )
    act(users, "agent", complaint, "customer_accept", now)
    return complaint


# --- department tasks and the coordinator ------------------------------------------------------


def test_supervisor_names_the_coordinator_and_hands_out_a_task(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    client = as_user("supervisor")
    html = _page(client, complaint)
    assert f'action="/c/{complaint.number}/coordinator/"' in html
    assert "请先指定协调人，再分派部门任务。" in html  # no task before the coordinator
    response = client.post(f"/c/{complaint.number}/coordinator/", {"coordinator-coordinator": "handler"})
    assert response.status_code == 302
    assert Coordination.objects.get(complaint=complaint).coordinator == users["handler"]
    due = _local(now + dt.timedelta(days=2))
    response = client.post(
        f"/c/{complaint.number}/tasks/",
        {"task-department": "logistics", "task-description": "查物流记录", "task-due_at": due},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    task = DepartmentTask.objects.get(complaint=complaint)
    assert (task.department.code, task.description, task.status) == ("logistics", "查物流记录", "open")
    html = _page(as_user("handler"), complaint)  # the coordinator may finish and cancel it
    assert f"/tasks/{task.pk}/done/" in html and f"/tasks/{task.pk}/cancel/" in html


def test_task_errors_keep_what_was_typed_and_write_nothing(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["handler"], now=now)
    before = everything()
    response = as_user("supervisor").post(
        f"/c/{complaint.number}/tasks/",
        {
            "task-department": "logistics",
            "task-description": "查物流记录",
            "task-due_at": _local(now - dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 422
    assert everything() == before
    html = response.content.decode()
    assert "查物流记录" in html and "期限须晚于当前时间。" in html
    assert 'open id="form-task"' in html


def test_agent_may_not_name_the_coordinator(as_user, complaint_in):
    complaint = complaint_in("investigating")
    before = everything()
    response = as_user("agent").post(f"/c/{complaint.number}/coordinator/", {"coordinator-coordinator": "handler"})
    assert response.status_code == 403
    assert everything() == before
    assert "/coordinator/" not in _page(as_user("agent"), complaint)


def test_department_staff_finish_their_task_and_others_may_not_cancel(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["supervisor"], now=now)
    task = department_task_add(
        actor=users["supervisor"],
        number=complaint.number,
        department=users["handler"].department,
        assignee=None,
        description="复检",
        due_at=now + dt.timedelta(days=1),
        now=now,
    )
    before = everything()
    refused = as_user("handler").post(
        f"/c/{complaint.number}/tasks/{task.pk}/cancel/", {f"task{task.pk}-cancel-reason": "不需要"}
    )
    assert refused.status_code == 403 and everything() == before
    empty = as_user("handler").post(f"/c/{complaint.number}/tasks/{task.pk}/done/", {f"task{task.pk}-done-result": ""})
    assert empty.status_code == 422 and everything() == before
    done = as_user("handler").post(
        f"/c/{complaint.number}/tasks/{task.pk}/done/", {f"task{task.pk}-done-result": "复检合格"}
    )
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.result) == ("done", "复检合格")


def test_auditor_sees_the_panels_without_forms_and_is_refused(as_user, complaint_in):
    complaint = complaint_in("investigating")
    html = _page(as_user("auditor"), complaint)
    assert "部门任务" in html and "/coordinator/" not in html and '/tasks/"' not in html
    before = everything()
    assert (
        as_user("auditor")
        .post(f"/c/{complaint.number}/coordinator/", {"coordinator-coordinator": "handler"})
        .status_code
        == 403
    )
    assert everything() == before


# --- returns and credit notes --------------------------------------------------------------------


def test_returns_wait_for_an_accepted_solution(as_user, complaint_in):
    complaint = complaint_in("solution_proposed")
    html = _page(as_user("manager"), complaint)
    assert f"/c/{complaint.number}/returns/" not in html
    assert "退货和折让须基于客户已接受的解决方案。" in html
    before = everything()
    response = as_user("manager").post(
        f"/c/{complaint.number}/returns/", {"return-kind": "credit_note", "return-amount": "10.00"}
    )
    assert response.status_code == 409 and everything() == before


def test_credit_note_and_return_slip_received_with_tolerance_flag(as_user, accepted, users):
    client = as_user("manager")
    html = _page(client, accepted)
    assert f'action="/c/{accepted.number}/returns/"' in html
    assert (
        client.post(
            f"/c/{accepted.number}/returns/", {"return-kind": "credit_note", "return-amount": "30.00"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/c/{accepted.number}/returns/",
            {"return-kind": "return_slip", "return-approved_quantity": "100", "return-unit_price": "2.50"},
        ).status_code
        == 302
    )
    slip = ReturnDocument.objects.get(complaint=accepted, kind="return_slip")
    assert slip.amount == Decimal("250.00")
    response = client.post(
        f"/c/{accepted.number}/returns/{slip.pk}/receipt/", {f"receipt{slip.pk}-returned_quantity": "90"}
    )
    assert response.status_code == 302
    slip.refresh_from_db()
    assert (slip.returned_quantity, slip.reconciliation) == (90, "discrepancy")
    listing = client.get("/finance/returns/").content.decode()
    assert slip.number in listing and f"CN-{accepted.number}-01" in listing and "有差异" in listing


def test_return_errors_keep_values_and_write_nothing(as_user, accepted):
    before = everything()
    response = as_user("manager").post(
        f"/c/{accepted.number}/returns/",
        {
            "return-kind": "return_slip",
            "return-approved_quantity": "十",
            "return-item": "LED 灯条",
            "return-unit_price": "abc",
        },
    )
    assert response.status_code == 422 and everything() == before
    html = response.content.decode()
    assert 'value="LED 灯条"' in html and 'value="十"' in html and 'value="abc"' in html
    assert html.count('class="errorlist"') >= 2


def test_finance_list_is_for_finance_and_managers(as_user):
    for role in ("agent", "handler", "supervisor"):
        assert as_user(role).get("/finance/returns/").status_code == 403
    for role in ("manager", "gm", "admin", "auditor"):
        assert as_user(role).get("/finance/returns/").status_code == 200
    assert "/finance/returns/" in as_user("manager").get("/").content.decode()
    assert "/finance/returns/" not in as_user("agent").get("/").content.decode()


# --- letters -------------------------------------------------------------------------------------


def test_letter_preview_send_and_print(as_user, complaint_in):
    complaint = complaint_in("resolved")
    client = as_user("agent")
    html = _page(client, complaint)
    assert f"/c/{complaint.number}/letters/result/" in html and f"/c/{complaint.number}/record/print/" in html
    preview = client.get(f"/c/{complaint.number}/letters/result/")
    assert preview.status_code == 200 and "已退款 50 元。" in preview.content.decode()
    before = OutboxMessage.objects.count()
    sent = client.post(f"/c/{complaint.number}/letters/result/", {"do": "send", "letter-channel": "sms"})
    assert sent.status_code == 302
    assert OutboxMessage.objects.count() == before + 1
    printed = client.get(f"/c/{complaint.number}/letters/result/print/")
    assert printed.status_code == 200
    body = printed.content.decode()
    assert "print-view" in body and 'aria-label="主导航"' not in body and "data-print" in body


def test_result_letter_is_refused_before_a_result_and_the_record_is_print_only(as_user, complaint_in):
    complaint = complaint_in("investigating")
    client = as_user("agent")
    page = client.get(f"/c/{complaint.number}/letters/result/").content.decode()
    assert 'value="send"' not in page
    before = everything()
    outbox = OutboxMessage.objects.count()
    refused = client.post(f"/c/{complaint.number}/letters/result/", {"do": "send"})
    assert refused.status_code == 409 and everything() == before and OutboxMessage.objects.count() == outbox
    record = client.get(f"/c/{complaint.number}/letters/complaint_record/").content.decode()
    assert 'value="send"' not in record
    assert client.post(f"/c/{complaint.number}/letters/complaint_record/", {"do": "send"}).status_code == 409
    assert OutboxMessage.objects.count() == outbox
    sheet = client.get(f"/c/{complaint.number}/record/print/")
    assert sheet.status_code == 200 and "客诉处理单" in sheet.content.decode()


def test_auditor_previews_and_prints_but_may_not_send(as_user, complaint_in):
    complaint = complaint_in("resolved")
    client = as_user("auditor")
    assert 'value="send"' not in client.get(f"/c/{complaint.number}/letters/apology/").content.decode()
    outbox = OutboxMessage.objects.count()
    assert client.post(f"/c/{complaint.number}/letters/apology/", {"do": "send"}).status_code == 403
    assert OutboxMessage.objects.count() == outbox
    assert client.get(f"/c/{complaint.number}/record/print/").status_code == 200


def test_record_masks_the_phone_for_roles_without_personal_data(as_user, complaint_in):
    complaint = complaint_in("resolved")
    sheet = as_user("gm").get(f"/c/{complaint.number}/record/print/").content.decode()
    assert complaint.contact_phone[-4:] in sheet and complaint.contact_phone not in sheet


# --- follow-up visits ------------------------------------------------------------------------------


def test_follow_up_planned_done_and_listed(as_user, complaint_in):
    complaint = complaint_in("resolved")
    client = as_user("agent")
    assert f'action="/c/{complaint.number}/follow-ups/"' in _page(client, complaint)
    day = add_months(timezone.localtime(complaint.resolved_at).date(), 1)
    assert (
        client.post(
            f"/c/{complaint.number}/follow-ups/",
            {"followup-scheduled_for": day.isoformat(), "followup-method": "phone", "followup-purpose": "了解使用情况"},
        ).status_code
        == 302
    )
    visit = FollowUpVisit.objects.get(complaint=complaint)
    listing = client.get("/follow-ups/?show=scheduled").content.decode()
    assert complaint.number in listing and "了解使用情况" in listing
    assert (
        client.post(
            f"/c/{complaint.number}/follow-ups/{visit.pk}/done/",
            {f"visit{visit.pk}-satisfied": "yes", f"visit{visit.pk}-outcome": "顾客满意"},
        ).status_code
        == 302
    )
    visit.refresh_from_db()
    assert (visit.status, visit.satisfied, visit.outcome) == ("done", True, "顾客满意")


def test_follow_up_outside_the_window_keeps_the_date_and_writes_nothing(as_user, complaint_in):
    complaint = complaint_in("resolved")
    before = everything()
    response = as_user("agent").post(
        f"/c/{complaint.number}/follow-ups/",
        {"followup-scheduled_for": "2001-01-01", "followup-method": "visit", "followup-purpose": "上门"},
    )
    assert response.status_code == 422 and everything() == before
    html = response.content.decode()
    assert 'value="2001-01-01"' in html and "上门" in html and 'class="errorlist"' in html


def test_follow_ups_are_front_desk_work(as_user, complaint_in):
    complaint = complaint_in("resolved")
    assert as_user("handler").get("/follow-ups/").status_code == 403
    assert as_user("auditor").get("/follow-ups/").status_code == 403
    before = everything()
    assert (
        as_user("handler").post(f"/c/{complaint.number}/follow-ups/", {"followup-method": "visit"}).status_code == 403
    )
    assert everything() == before
    html = _page(as_user("handler"), complaint)
    assert f'action="/c/{complaint.number}/follow-ups/"' not in html
    assert "/follow-ups/" in as_user("agent").get("/").content.decode()


def test_follow_up_waits_for_resolution(as_user, complaint_in):
    complaint = complaint_in("investigating")
    html = _page(as_user("agent"), complaint)
    assert f'action="/c/{complaint.number}/follow-ups/"' not in html
    assert "投诉处理完成后才能安排跟进拜访。" in html


# --- validity rulings and appeals -----------------------------------------------------------------


def test_ruling_appeal_and_answer(as_user, complaint_in, users):
    complaint = complaint_in("investigating")
    supervisor = as_user("supervisor")
    assert (
        supervisor.post(
            f"/c/{complaint.number}/rulings/",
            {"ruling-kind": "service", "ruling-staff": "handler", "ruling-reason": "处理不及时"},
        ).status_code
        == 302
    )
    ruling = Adjudication.objects.get(complaint=complaint)
    handler = as_user("handler")
    mine = handler.get("/rulings/").content.decode()
    assert complaint.number in mine and "服务类投诉" in mine and "对此判定提出申诉" in mine
    assert f'action="/c/{complaint.number}/rulings/{ruling.pk}/appeal/"' in _page(handler, complaint)
    assert (
        handler.post(
            f"/c/{complaint.number}/rulings/{ruling.pk}/appeal/", {f"appeal{ruling.pk}-reason": "已按时处理"}
        ).status_code
        == 302
    )
    appeal = Appeal.objects.get(adjudication=ruling)
    waiting = supervisor.get("/rulings/").content.decode()
    assert complaint.number in waiting and "已按时处理" in waiting
    assert (
        supervisor.post(
            f"/c/{complaint.number}/rulings/{ruling.pk}/answer/",
            {f"answer{ruling.pk}-decision": "overturned", f"answer{ruling.pk}-answer": "记录显示按时"},
        ).status_code
        == 302
    )
    appeal.refresh_from_db()
    assert (appeal.decision, appeal.reviewer) == ("overturned", users["supervisor"])


def test_only_the_judged_staff_member_appeals_and_only_reviewers_rule(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    ruling = adjudication_rule_valid(
        actor=users["supervisor"],
        number=complaint.number,
        kind="service",
        reason="处理不及时",
        staff=users["handler"],
        now=now,
    )
    before = everything()
    assert (
        as_user("agent")
        .post(f"/c/{complaint.number}/rulings/{ruling.pk}/appeal/", {f"appeal{ruling.pk}-reason": "不服"})
        .status_code
        == 403
    )
    assert (
        as_user("agent")
        .post(f"/c/{complaint.number}/rulings/", {"ruling-kind": "service", "ruling-reason": "x"})
        .status_code
        == 403
    )
    assert everything() == before
    agent_page = _page(as_user("agent"), complaint)
    assert f"/rulings/{ruling.pk}/appeal/" not in agent_page
    assert f'action="/c/{complaint.number}/rulings/"' not in agent_page
    appeal_lodge(actor=users["handler"], number=complaint.number, adjudication_id=ruling.pk, reason="不服", now=now)
    before = everything()
    assert (
        as_user("handler")
        .post(
            f"/c/{complaint.number}/rulings/{ruling.pk}/answer/",
            {f"answer{ruling.pk}-decision": "upheld", f"answer{ruling.pk}-answer": "维持"},
        )
        .status_code
        == 403
    )
    assert everything() == before


def test_ruling_errors_keep_values_and_write_nothing(as_user, complaint_in):
    complaint = complaint_in("investigating")
    before = everything()
    response = as_user("supervisor").post(
        f"/c/{complaint.number}/rulings/", {"ruling-kind": "", "ruling-staff": "handler", "ruling-reason": "处理不及时"}
    )
    assert response.status_code == 422 and everything() == before
    html = response.content.decode()
    assert "处理不及时" in html and 'class="errorlist"' in html and 'open id="form-ruling"' in html


def test_appeal_too_late_says_why(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    adjudication_rule_valid(
        actor=users["supervisor"],
        number=complaint.number,
        kind="service",
        reason="慢",
        staff=users["handler"],
        now=now - dt.timedelta(days=8),
    )
    html = _page(as_user("handler"), complaint)
    assert "/appeal/" not in html and "须在判定后 7 天内提出申诉。" in html


def test_complaint_page_query_budget_with_everything(as_user, accepted, users, now, django_assert_max_num_queries):
    coordinator_set(actor=users["supervisor"], number=accepted.number, coordinator=users["supervisor"], now=now)
    department_task_add(
        actor=users["supervisor"],
        number=accepted.number,
        department=users["handler"].department,
        assignee=None,
        description="复检",
        due_at=now + dt.timedelta(days=1),
        now=now,
    )
    return_document_create(
        actor=users["manager"],
        number=accepted.number,
        kind="credit_note",
        item="",
        lot="",
        approved_quantity=None,
        unit_price=None,
        amount=Decimal("30.00"),
        note="",
        now=now,
    )
    adjudication_rule_valid(
        actor=users["supervisor"], number=accepted.number, kind="service", reason="慢", staff=users["handler"], now=now
    )
    # Signing in, the page of test_complaint_page_query_count, and the panels' own rows (one query each).
    with django_assert_max_num_queries(55):
        assert as_user("supervisor").get(f"/c/{accepted.number}/").status_code == 200


# --- a department's own tasks ------------------------------------------------------------------------


def test_a_department_finishes_its_task_from_its_list_without_seeing_the_complaint(as_user, register, users, now):
    from tests.complaints.lifecycle import act as step

    complaint = register(category="service_attitude.rude")  # customer service's, not quality's
    step(users, "agent", complaint, "acknowledge", now)
    step(users, "supervisor", complaint, "assign", now, department="customer_service", assignee="agent")
    coordinator_set(actor=users["supervisor"], number=complaint.number, coordinator=users["supervisor"], now=now)
    task = department_task_add(
        actor=users["supervisor"],
        number=complaint.number,
        department=users["handler"].department,
        assignee=None,
        description="检验样品",
        due_at=now + dt.timedelta(days=1),
        now=now,
    )
    handler = as_user("handler")
    assert handler.get(f"/c/{complaint.number}/").status_code == 404
    listing = handler.get("/department-tasks/").content.decode()
    assert "检验样品" in listing and complaint.number in listing
    assert f'href="/c/{complaint.number}/#tasks"' not in listing
    before = everything()
    empty = handler.post("/department-tasks/", {"task": str(task.pk), f"task{task.pk}-done-result": ""})
    assert empty.status_code == 422 and everything() == before
    assert 'class="errorlist"' in empty.content.decode()
    done = handler.post("/department-tasks/", {"task": str(task.pk), f"task{task.pk}-done-result": "样品合格"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.result, task.finished_by) == ("done", "样品合格", users["handler"])


def test_department_tasks_page_is_for_staff_with_a_department(as_user):
    assert as_user("gm").get("/department-tasks/").status_code == 403
    assert as_user("auditor").get("/department-tasks/").status_code == 403
    assert as_user("handler").get("/department-tasks/").status_code == 200


def test_finance_list_by_day_issued_and_a_bad_day_is_a_field_error(as_user, accepted, users, now):
    return_document_create(
        actor=users["manager"],
        number=accepted.number,
        kind="credit_note",
        item="",
        lot="",
        approved_quantity=None,
        unit_price=None,
        amount=Decimal("30.00"),
        note="",
        now=now,
    )
    today = timezone.localtime(now).date()
    client = as_user("manager")
    hit = client.get("/finance/returns/", {"issued_from": today.isoformat(), "issued_to": today.isoformat()})
    assert f"CN-{accepted.number}-01" in hit.content.decode()
    later = (today + dt.timedelta(days=1)).isoformat()
    assert f"CN-{accepted.number}-01" not in client.get("/finance/returns/", {"issued_from": later}).content.decode()
    bad = client.get("/finance/returns/", {"issued_from": "2026-13-40"}).content.decode()
    assert 'value="2026-13-40"' in bad and 'class="errorlist"' in bad


def test_an_appeal_unanswered_past_its_answer_due_shows_overdue(as_user, complaint_in, users, now):
    from kesu.resolution.adjudication import appeals_escalate_overdue

    complaint = complaint_in("investigating")
    lodged_at = now - dt.timedelta(days=5)
    ruling = adjudication_rule_valid(
        actor=users["supervisor"],
        number=complaint.number,
        kind="service",
        reason="慢",
        staff=users["handler"],
        now=lodged_at,
    )
    appeal_lodge(
        actor=users["handler"], number=complaint.number, adjudication_id=ruling.pk, reason="不服", now=lodged_at
    )
    assert appeals_escalate_overdue(now=now) == 1
    waiting = as_user("supervisor").get("/rulings/").content.decode()
    assert 'data-testid="appeal-overdue">逾期</span>' in waiting and "已于" in waiting
    mine = as_user("handler").get("/rulings/").content.decode()
    assert 'data-testid="appeal-overdue">逾期</span>' in mine
    assert '<span class="badge overdue">逾期</span>' in _page(as_user("supervisor"), complaint)


def test_an_appeal_still_within_its_answer_due_is_not_overdue(as_user, complaint_in, users, now):
    complaint = complaint_in("investigating")
    ruling = adjudication_rule_valid(
        actor=users["supervisor"], number=complaint.number, kind="service", reason="慢", staff=users["handler"], now=now
    )
    appeal_lodge(actor=users["handler"], number=complaint.number, adjudication_id=ruling.pk, reason="不服", now=now)
    assert "appeal-overdue" not in as_user("supervisor").get("/rulings/").content.decode()
