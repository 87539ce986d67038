"""Notifications, canned responses and bulk actions through the workspace (Django client)."""

from __future__ import annotations

import csv
import io

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.notifications.canned import canned_response_save
from kesu.notifications.models import CannedResponse, InboxMark

CANNED = {
    "title": "回访话术",
    "body": "您好，这里是客服中心，回访您反映的问题。",
    "purpose": "callback",
    "language": "zh-hans",
}


# --- notifications ---------------------------------------------------------------------------


def test_the_badge_counts_new_notifications_and_opening_the_list_reads_them(as_user, complaint_in):
    assigned = complaint_in("assigned")
    client = as_user("handler")
    badge = client.get("/notifications/badge/")
    assert badge.status_code == 200
    assert 'data-testid="inbox-count">1<' in badge.content.decode()
    page = client.get("/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/c/{assigned.number}/"' in html
    assert "分派给您" in html or "Assigned to you" in html
    assert InboxMark.objects.filter(user__username="handler").exists()
    assert "inbox-count" not in client.get("/notifications/badge/").content.decode()


def test_notifications_need_signing_in(client):
    assert client.get("/notifications/badge/").status_code == 302


# --- canned responses ------------------------------------------------------------------------


def test_a_manager_creates_edits_and_deactivates_canned_responses(as_user):
    client = as_user("manager")
    assert client.get("/canned/").status_code == 200
    created = client.post("/canned/", CANNED)
    assert created.status_code == 302
    response = CannedResponse.objects.get()
    edit = client.post(f"/canned/{response.pk}/", {**CANNED, "body": "您好，回访。"})
    assert edit.status_code == 302
    response.refresh_from_db()
    assert response.body == "您好，回访。"
    assert client.post(f"/canned/{response.pk}/active/", {"active": "0"}).status_code == 302
    response.refresh_from_db()
    assert response.active is False
    assert AuditRecord.objects.filter(object_type="canned_response").count() == 3


def test_a_bad_canned_response_keeps_what_was_typed_and_stores_nothing(as_user):
    response = as_user("manager").post("/canned/", {**CANNED, "title": "", "body": "保留我输入的文字"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "保留我输入的文字" in html
    assert 'id="id_title_error"' in html
    assert CannedResponse.objects.count() == 0


def test_agents_may_not_manage_canned_responses_but_read_them(as_user, users, now):
    canned_response_save(actor=users["manager"], values=CANNED, now=now)
    agent = as_user("agent")
    assert agent.get("/canned/").status_code == 403
    assert agent.post("/canned/", CANNED).status_code == 403
    assert CannedResponse.objects.count() == 1
    rows = agent.get("/canned.json", {"purpose": "callback"}).json()["results"]
    assert [r["title"] for r in rows] == ["回访话术"]
    assert agent.get("/canned.json", {"purpose": "note"}).json()["results"] == []


# --- bulk actions ----------------------------------------------------------------------------


def test_bulk_acknowledge_reports_done_and_refused_ones(as_user, register, complaint_in):
    first, second = register(), register()
    already = complaint_in("acknowledged")
    before = ComplaintEvent.objects.filter(complaint=already).count()
    response = as_user("agent").post(
        "/queue/bulk/",
        {
            "bulk_action": "acknowledge",
            "numbers": [first.number, second.number, already.number],
            "next": "/?queue=mine",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/?queue=mine"
    html = response.content.decode()
    assert first.number in html and already.number in html
    assert set(Complaint.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {
        "acknowledged"
    }
    assert ComplaintEvent.objects.filter(complaint=already).count() == before


def test_bulk_actions_are_refused_to_roles_that_may_not_take_them(as_user, register):
    complaint = register()
    assert (
        as_user("auditor")
        .post("/queue/bulk/", {"bulk_action": "acknowledge", "numbers": [complaint.number]})
        .status_code
        == 403
    )
    assert (
        as_user("agent").post("/queue/bulk/", {"bulk_action": "assign", "numbers": [complaint.number]}).status_code
        == 403
    )
    complaint.refresh_from_db()
    assert complaint.status == "registered"


def test_export_of_the_selection_masks_phones_per_permission(as_user, register):
    complaint = register(customer={"name": "孙八", "phone": "13912348765"})
    other = register()

    def rows(role: str) -> list[list[str]]:
        response = as_user(role).post("/queue/bulk/", {"bulk_action": "export", "numbers": [complaint.number]})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))

    agent = rows("agent")
    assert agent[0][:3] == ["编号", "受理时间", "状态"] or agent[0][0] != "number"
    assert [r[0] for r in agent[1:]] == [complaint.number]
    assert "13912348765" in agent[1]
    gm = rows("gm")
    assert "13912348765" not in gm[1] and "139****8765" in gm[1]
    assert other.number not in str(agent)


def test_create_a_capa_from_the_selection_opens_the_capa_form(as_user, register):
    a, b = register(), register()
    response = as_user("supervisor").post("/queue/bulk/", {"bulk_action": "capa", "numbers": [a.number, b.number]})
    assert response["Location"] == f"/capa/new/?complaints={a.number}&complaints={b.number}"


def test_bulk_without_a_selection_says_so(as_user):
    response = as_user("agent").post("/queue/bulk/", {"bulk_action": "acknowledge"}, follow=True)
    assert response.status_code == 200


def test_bulk_next_never_leaves_the_site(as_user, register):
    complaint = register()
    response = as_user("agent").post(
        "/queue/bulk/", {"bulk_action": "acknowledge", "numbers": [complaint.number], "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"
