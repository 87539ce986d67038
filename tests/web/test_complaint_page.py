from __future__ import annotations

import io

import pytest

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Attachment, ComplaintEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_page_shows_fields_deadlines_timeline_and_allowed_actions(as_user, register):
    complaint = register(
        title="酸奶过期", demand="退款", amount_claimed="1234.50", product={"name": "酸奶", "order_no": "SO-1"}
    )
    response = as_user("agent").get(f"/c/{complaint.number}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("酸奶过期", "退款", "SO-1", "¥1234.50", complaint.number):
        assert text in html
    assert [a["action"] for a in response.context["main_actions"]] == ["acknowledge"]
    assert {a["action"] for a in response.context["secondary_actions"]} == {"escalate", "withdraw"}
    assert f'action="/c/{complaint.number}/act/acknowledge/"' in html
    assert "badge ok" in html  # time left on the deadlines


def test_numbers_and_dates_follow_the_language(as_user, register):
    from django.test import Client

    complaint = register(amount_claimed="1234.50")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(complaint.recorded_by)
    english = client.get(f"/c/{complaint.number}/").content.decode()
    assert '<html lang="en">' in english and "1,234.50" in english
    chinese = as_user("agent").get(f"/c/{complaint.number}/").content.decode()
    assert '<html lang="zh-hans">' in chinese and f"{complaint.received_at.astimezone().year}年" in chinese


def test_auditor_reads_but_gets_no_actions_or_upload(as_user, register):
    complaint = register()
    response = as_user("auditor").get(f"/c/{complaint.number}/")
    assert response.status_code == 200
    assert response.context["main_actions"] == [] and response.context["secondary_actions"] == []
    assert b'/evidence/" enctype' not in response.content
    refused = as_user("auditor").post(f"/c/{complaint.number}/act/acknowledge/", {})
    assert refused.status_code == 403
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == 1


def test_masking_on_the_complaint_page(as_user, register):
    complaint = register(customer={"name": "王五", "phone": "13912345678", "email": "wangwu@example.com"})
    agent = as_user("agent").get(f"/c/{complaint.number}/").content.decode()
    assert "13912345678" in agent and "wangwu@example.com" in agent
    gm = as_user("gm").get(f"/c/{complaint.number}/").content.decode()
    assert "13912345678" not in gm and "wangwu@example.com" not in gm
    assert "139****5678" in gm and "w***@example.com" in gm


def test_a_handler_cannot_open_another_departments_complaint(as_user, register):
    complaint = register(category="service_attitude.rude")
    assert as_user("handler").get(f"/c/{complaint.number}/").status_code == 404


def test_action_moves_the_complaint_and_redirects(as_user, register):
    complaint = register()
    response = as_user("agent").post(f"/c/{complaint.number}/act/acknowledge/", {"acknowledge-note": "已受理"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged"
    assert complaint.events.last().note == "已受理"


def test_wrong_action_input_is_shown_on_its_form_with_the_values_kept(as_user, complaint_in):
    complaint = complaint_in("investigating")
    response = as_user("handler").post(
        f"/c/{complaint.number}/act/propose_solution/",
        {
            "propose_solution-remedy_type_1": "refund",
            "propose_solution-remedy_amount_1": "abc",
            "propose_solution-description": "退款方案",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "退款方案" in html and 'value="abc"' in html
    form = next(a["form"] for a in response.context["main_actions"] if a["action"] == "propose_solution")
    assert form.errors["remedy_amount_1"]
    complaint.refresh_from_db()
    assert complaint.status == "investigating"


def test_an_action_the_role_may_not_take_is_refused(as_user, complaint_in):
    complaint = complaint_in("acknowledged")
    response = as_user("agent").post(f"/c/{complaint.number}/act/assign/", {"assign-assignee": "handler"})
    assert response.status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == "acknowledged"


def test_an_action_not_allowed_in_the_state_is_a_conflict(as_user, register):
    complaint = register()
    response = as_user("manager").post(f"/c/{complaint.number}/act/close/", {})
    assert response.status_code == 409
    assert "form-errors" in response.content.decode()


def test_evidence_upload_preview_and_download(as_user, register):
    complaint = register()
    client = as_user("agent")
    upload = io.BytesIO(PNG)
    upload.name = "photo.png"
    response = client.post(f"/c/{complaint.number}/evidence/", {"file": upload, "description": "破损"})
    assert response.status_code == 302
    attachment = Attachment.objects.get(complaint=complaint)
    page = client.get(f"/c/{complaint.number}/").content.decode()
    assert f'<img src="/c/{complaint.number}/evidence/{attachment.pk}/"' in page
    served = client.get(f"/c/{complaint.number}/evidence/{attachment.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_evidence_of_a_wrong_type_is_refused(as_user, register):
    complaint = register()
    upload = io.BytesIO(b"MZ\x90\x00 not a picture")
    upload.name = "virus.png"
    response = as_user("agent").post(f"/c/{complaint.number}/evidence/", {"file": upload}, follow=True)
    assert response.status_code == 200
    assert not Attachment.objects.filter(complaint=complaint).exists()
    assert next(iter(response.context["messages"])).level_tag == "error"


def test_evidence_of_other_departments_is_not_served(as_user, register):
    complaint = register(category="service_attitude.rude")
    upload = io.BytesIO(PNG)
    upload.name = "p.png"
    as_user("agent").post(f"/c/{complaint.number}/evidence/", {"file": upload})
    attachment = Attachment.objects.get(complaint=complaint)
    assert as_user("handler").get(f"/c/{complaint.number}/evidence/{attachment.pk}/").status_code == 404


def test_complaint_page_escapes_user_text(as_user, register):
    complaint = register(description="<script>alert('x')</script>")
    html = as_user("agent").get(f"/c/{complaint.number}/").content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;" in html


def test_complaint_page_query_count(as_user, complaint_in, django_assert_max_num_queries):
    complaint = complaint_in("solution_proposed")
    client = as_user("supervisor")
    # The page also reads the next step, the approval authority, the pause, the department tasks and the
    # panels of the resolution and supervision areas (tasks, returns, follow-ups, rulings, letters, CAPAs),
    # the major-incident panel (incident, crisis team, media enquiries) and the money panel (standard,
    # vouchers, receivables, supplier claims, loss assessments and standards): each a fixed number of
    # queries, the current solution and the compensation standard read once for all who ask.
    with django_assert_max_num_queries(36):
        assert client.get(f"/c/{complaint.number}/").status_code == 200


def test_each_action_writes_one_audit_record(as_user, register):
    complaint = register()
    before = AuditRecord.objects.count()
    as_user("agent").post(f"/c/{complaint.number}/act/escalate/", {"escalate-reason": "客户情绪激动"})
    assert AuditRecord.objects.count() == before + 1


def test_handler_records_the_investigation_then_may_propose(as_user, users, register, now):
    from kesu.complaints.services.transitions import complaint_transition

    complaint = register()
    for action, who, params in (
        ("acknowledge", "agent", {}),
        ("assign", "supervisor", {"department": "quality", "assignee": "handler"}),
        ("start_investigation", "handler", {}),
    ):
        complaint_transition(actor=users[who], number=complaint.number, action=action, payload=params, now=now)
    client = as_user("handler")
    page = client.get(f"/c/{complaint.number}/")
    assert "propose_solution" not in [a["action"] for a in page.context["main_actions"]]
    wrong = client.post(
        f"/c/{complaint.number}/investigation/",
        {
            "investigation-root_cause": "冷链断链",
            "investigation-responsibility": "ours",
            "investigation-loss_amount": "abc",
        },
    )
    assert wrong.status_code == 422
    assert wrong.context["investigation_form"].errors
    assert 'value="abc"' in wrong.content.decode()
    ok = client.post(
        f"/c/{complaint.number}/investigation/",
        {
            "investigation-root_cause": "冷链断链",
            "investigation-responsibility": "ours",
            "investigation-responsible_department": "quality",
            "investigation-loss_amount": "12.50",
        },
    )
    assert ok.status_code == 302
    page = client.get(f"/c/{complaint.number}/")
    assert "冷链断链" in page.content.decode()
    assert "propose_solution" in [a["action"] for a in page.context["main_actions"]]


@pytest.mark.parametrize(
    ("language", "report", "solution"),
    [
        ("zh-hans", "调查报告", "落实解决方案"),
        ("zh-hant", "調查報告", "落實解決方案"),
        ("en", "Investigation report", "Carrying out the solution"),
    ],
)
def test_the_deadlines_card_names_the_report_and_solution_deadlines(users, complaint_in, language, report, solution):
    from django.test import Client

    complaint = complaint_in("solution_proposed")
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(users["supervisor"])
    html = client.get(f"/c/{complaint.number}/").content.decode()
    assert f'<html lang="{language}">' in html
    assert f'data-testid="deadline-investigation_report">{report}</dt>' in html
    assert f'data-testid="deadline-solution_due">{solution}</dt>' in html
    assert "handler" in html.split('data-testid="deadline-solution_due"')[1].split("</dd>")[0]
    if language == "zh-hans":  # the timeline's proposal names them too
        assert html.count("由 handler 落实，期限 ") == 2
