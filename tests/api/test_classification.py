from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.notifications.models import OutboxMessage


def test_supervisor_overrides_severity_with_reason_and_deadlines_follow(api, register):
    complaint = register(description="买的牛奶有异味")
    assert complaint.severity == "general"
    response = api("supervisor").post(
        f"/api/v1/complaints/{complaint.number}/classification", {"severity": "major", "reason": "顾客已联系记者"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["severity"] == "major"
    assert body["severity_source"] == "staff"
    event, recomputed = body["timeline"][-2:]
    assert event["kind"] == "reclassified"
    assert event["note"] == "顾客已联系记者"
    assert event["data"]["before"]["severity"] == "general"
    assert recomputed["kind"] == "deadlines_recomputed"
    reply = recomputed["data"]["deadlines"]["reply"]
    assert reply["from"] != reply["to"]
    assert reply["to"] < reply["from"]  # a major complaint is answered sooner
    assert OutboxMessage.objects.filter(complaint__number=complaint.number, kind="major_complaint").count() == 2


def test_severity_override_without_reason_is_refused_and_nothing_written(api, register):
    complaint = register()
    events, audits = ComplaintEvent.objects.count(), AuditRecord.objects.count()
    response = api("supervisor").post(f"/api/v1/complaints/{complaint.number}/classification", {"severity": "serious"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    complaint.refresh_from_db()
    assert complaint.severity == "general"
    assert (ComplaintEvent.objects.count(), AuditRecord.objects.count()) == (events, audits)


def test_handler_may_set_category_but_not_severity(api, register, users, now):
    from kesu.complaints.services.transitions import complaint_transition

    complaint = register()
    complaint_transition(actor=users["agent"], number=complaint.number, action="acknowledge", payload={}, now=now)
    complaint_transition(
        actor=users["supervisor"],
        number=complaint.number,
        action="assign",
        payload={"department": "quality", "assignee": "handler"},
        now=now,
    )
    handler = api("handler")
    ok = handler.post(
        f"/api/v1/complaints/{complaint.number}/classification", {"category": "product_quality.food.foreign_matter"}
    )
    assert ok.status_code == 200
    assert ok.json()["category"] == "product_quality.food.foreign_matter"
    refused = handler.post(
        f"/api/v1/complaints/{complaint.number}/classification", {"severity": "major", "reason": "x"}
    )
    assert refused.status_code == 403
