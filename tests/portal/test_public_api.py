from __future__ import annotations

from kesu.audit.models import AuditRecord
from kesu.complaints.services.transitions import complaint_transition


def test_customer_accepts_through_the_api(api, complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    public = api(None)
    refused = public.post(f"/api/v1/public/complaints/{complaint.number}/accept", {"contact": complaint.contact_phone})
    assert refused.status_code == 409  # still waiting for approval
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    before = AuditRecord.objects.count()
    response = public.post(
        f"/api/v1/public/complaints/{complaint.number}/accept", {"contact": complaint.contact_phone, "note": "同意"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "implementing" and body["solution"]["status"] == "accepted"
    assert AuditRecord.objects.count() == before + 1
    again = public.post(f"/api/v1/public/complaints/{complaint.number}/accept", {"contact": complaint.contact_phone})
    assert again.status_code == 409


def test_reject_needs_the_reason(api, complaint_in, users, now):
    complaint = complaint_in("solution_proposed")
    complaint_transition(actor=users["supervisor"], number=complaint.number, action="approve", payload={}, now=now)
    public = api(None)
    missing = public.post(f"/api/v1/public/complaints/{complaint.number}/reject", {"contact": complaint.contact_phone})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "reason"
    ok = public.post(
        f"/api/v1/public/complaints/{complaint.number}/reject", {"contact": complaint.contact_phone, "reason": "太少"}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "investigating"


def test_wrong_contact_and_unknown_number_are_the_same_404(api, complaint_in):
    complaint = complaint_in("solution_proposed")
    public = api(None)
    wrong = public.post(f"/api/v1/public/complaints/{complaint.number}/accept", {"contact": "13900000000"})
    unknown = public.post("/api/v1/public/complaints/209901-99999/accept", {"contact": complaint.contact_phone})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()


def test_rate_once_when_resolved(api, complaint_in):
    complaint = complaint_in("resolved")
    public = api(None)
    url = f"/api/v1/public/complaints/{complaint.number}/rate"
    bad = public.post(url, {"contact": complaint.contact_phone, "satisfied": True, "score": 9})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "score"
    ok = public.post(url, {"contact": complaint.contact_phone, "satisfied": True, "score": 5, "comment": "好"})
    assert ok.status_code == 200
    assert ok.json()["rating"]["score"] == 5
    assert public.post(url, {"contact": complaint.contact_phone, "satisfied": False, "score": 1}).status_code == 409
    tracked = public.get(f"/api/v1/public/complaints/{complaint.number}", contact=complaint.contact_phone)
    assert tracked.json()["rating"]["satisfied"] is True


def test_rate_before_resolution_is_a_conflict(api, complaint_in):
    complaint = complaint_in("investigating")
    response = api(None).post(
        f"/api/v1/public/complaints/{complaint.number}/rate",
        {"contact": complaint.contact_phone, "satisfied": True, "score": 5},
    )
    assert response.status_code == 409


def test_public_actions_are_in_the_openapi_document(api):
    paths = api(None).get("/api/v1/openapi.json").json()["paths"]
    for action in ("accept", "reject", "rate"):
        operation = paths[f"/api/v1/public/complaints/{{number}}/{action}"]["post"]
        assert "requestBody" in operation
        assert {"200", "404", "409", "422"} <= set(operation["responses"])
