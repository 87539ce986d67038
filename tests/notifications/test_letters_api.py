"""POST /api/v1/complaints/{number}/letters, GET …/letters/{kind}/preview, POST …/language."""

from __future__ import annotations

from kesu.notifications.models import OutboxMessage
from tests.complaints.lifecycle import snapshot


def test_send_a_letter(api, complaint_in):
    complaint = complaint_in("investigating")
    response = api("agent").post(f"/api/v1/complaints/{complaint.number}/letters", {"kind": "apology"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["channel"], body["subject"]) == (
        "apology",
        "sms",
        f"致歉函（投诉编号 {complaint.number}）",
    )
    assert OutboxMessage.objects.get(pk=body["id"]).body.startswith("尊敬的张三：")


def test_sending_an_internal_form_is_a_409_and_writes_nothing(api, complaint_in):
    complaint = complaint_in("resolved")
    client = api("agent")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/letters", {"kind": "complaint_record"})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "kind"
    assert snapshot() == before


def test_unknown_kind_is_a_422(api, complaint_in):
    complaint = complaint_in("investigating")
    client = api("agent")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/letters", {"kind": "x", "channel": "fax"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kind", "channel"]
    assert snapshot() == before


def test_the_auditor_gets_403_and_nothing_is_written(api, complaint_in):
    complaint = complaint_in("investigating")
    client = api("auditor")
    before = snapshot()
    response = client.post(f"/api/v1/complaints/{complaint.number}/letters", {"kind": "apology"})
    assert response.status_code == 403
    assert snapshot() == before


def test_unknown_complaint_is_a_404(api, users):
    response = api("agent").post("/api/v1/complaints/209901-00001/letters", {"kind": "apology"})
    assert response.status_code == 404


def test_preview_in_english(api, complaint_in):
    complaint = complaint_in("resolved")
    response = api("agent").get(
        f"/api/v1/complaints/{complaint.number}/letters/result/preview",
        language="en",
        improvements="Cold chain checks in every store.",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["language"], body["internal"], body["template_version"]) == ("result", "en", False, 1)
    assert body["subject"] == f"The result of your complaint {complaint.number}"
    assert "3. Improvements: Cold chain checks in every store." in body["body"]


def test_preview_of_an_internal_form_for_print_writes_nothing(api, complaint_in):
    complaint = complaint_in("resolved")
    client = api("auditor")
    before = snapshot()
    response = client.get(f"/api/v1/complaints/{complaint.number}/letters/complaint_record/preview")
    assert response.status_code == 200
    assert response.json()["internal"] is True
    assert response.json()["body"].startswith("顾客投诉记录表")
    assert snapshot() == before


def test_preview_of_an_unknown_kind_is_a_422(api, complaint_in):
    complaint = complaint_in("registered")
    response = api("agent").get(f"/api/v1/complaints/{complaint.number}/letters/nope/preview")
    assert response.status_code == 422


def test_set_the_customers_language_then_acknowledge_in_it(api, register):
    complaint = register()
    client = api("agent")
    response = client.post(f"/api/v1/complaints/{complaint.number}/language", {"language": "zh-hant"})
    assert (response.status_code, response.json()) == (200, {"number": complaint.number, "language": "zh-hant"})
    response = client.post(f"/api/v1/complaints/{complaint.number}/transitions", {"action": "acknowledge"})
    assert response.status_code == 200
    message = OutboxMessage.objects.get(complaint__number=complaint.number, kind="acknowledgement")
    assert message.subject == f"您的投訴已受理（編號 {complaint.number}）"


def test_letter_and_supervision_endpoints_are_in_the_openapi_document(api):
    paths = api(None).get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/complaints/{number}/letters",
        "/api/v1/complaints/{number}/letters/{kind}/preview",
        "/api/v1/complaints/{number}/language",
        "/api/v1/capas",
        "/api/v1/capas/{capa_id}/verify",
        "/api/v1/supervision/samples",
        "/api/v1/supervision/reviews/{review_id}",
        "/api/v1/supervision/rollup",
    } <= set(paths)
