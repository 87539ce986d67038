from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.deadlines.models import DeadlinePause


def test_pause_and_resume_over_the_api(api, register):
    complaint = register()
    agent = api("agent")
    paused = agent.post(
        f"/api/v1/complaints/{complaint.number}/pause", {"reason": "awaiting_customer", "note": "等顾客提供照片"}
    )
    assert paused.status_code == 200, paused.content
    assert paused.json()["timeline"][-1]["kind"] == "deadlines_paused"
    assert DeadlinePause.objects.filter(complaint=complaint, ended_at__isnull=True).count() == 1
    resumed = agent.post(f"/api/v1/complaints/{complaint.number}/resume", {})
    assert resumed.status_code == 200
    assert resumed.json()["timeline"][-1]["kind"] == "deadlines_resumed"


def test_pause_with_unknown_reason_is_422_and_writes_nothing(api, register):
    complaint = register()
    events, audits = ComplaintEvent.objects.count(), AuditRecord.objects.count()
    response = api("agent").post(f"/api/v1/complaints/{complaint.number}/pause", {"reason": "holiday"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
    assert (ComplaintEvent.objects.count(), AuditRecord.objects.count()) == (events, audits)
    assert DeadlinePause.objects.count() == 0


def test_resume_when_not_paused_is_409(api, register):
    complaint = register()
    assert api("agent").post(f"/api/v1/complaints/{complaint.number}/resume", {}).status_code == 409


def test_extension_without_preset_is_409(api, register):
    complaint = register()
    response = api("manager").post(
        f"/api/v1/complaints/{complaint.number}/deadlines/close/extensions", {"reason": "复杂案件"}
    )
    assert response.status_code == 409
