"""Issue 10: same-matter suggestions, linking and merging (SPEC IN-10); the escalation-risk flag,
its reasons and the escalation the policy asks for; the major recall of the held-out set."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.core.errors import Conflict, PermissionDenied
from kesu.deadlines.models import Escalation
from kesu.triage.duplicates import complaint_link, complaint_merge_duplicate, same_matter, text_similarity
from kesu.triage.evaluation import HELDOUT, evaluate_severity
from kesu.triage.models import ComplaintLink, EscalationRisk, TriagePolicy
from kesu.triage.risk import assess, assess_and_apply, sweep


def _everything() -> tuple[int, int, int, int]:
    return (
        ComplaintLink.objects.count(),
        ComplaintEvent.objects.count(),
        AuditRecord.objects.count(),
        Complaint.objects.filter(status="merged").count(),
    )


def test_simplified_and_traditional_texts_are_near_duplicates():
    assert text_similarity("我买的电热水壶漏电，手被电了一下", "我買的電熱水壺漏電，手被電了一下") == 1.0
    assert text_similarity("我买的电热水壶漏电", "快递三天没有送到") < 0.2


def test_the_same_phone_and_a_similar_text_are_suggested(register, users, now):
    first = register(
        description="在你们店买的电热水壶底座漏电，手被电麻了", customer={"name": "李四", "phone": "13900001111"}
    )
    other_customer = register(description="在你們店買的電熱水壺底座漏電，手被電麻了")
    unrelated = register(description="衣服尺码偏小想换货")

    found = same_matter(user=users["agent"], text="电热水壶底座漏电，手被电麻了", phone="+8613900001111", now=now)

    reasons = {c.complaint.number: set(c.reasons) for c in found}
    assert reasons[first.number] == {"phone", "text"}
    assert reasons[other_customer.number] == {"text"}
    assert unrelated.number not in reasons


def test_outside_the_window_nothing_is_suggested(register, users, now):
    register(description="电热水壶底座漏电，手被电麻了", now_=now - dt.timedelta(days=40))
    TriagePolicy.objects.create(duplicate_window_days=30)

    assert same_matter(user=users["agent"], text="电热水壶底座漏电，手被电麻了", now=now) == []


def test_linking_writes_the_link_an_event_on_both_and_their_audit(register, users, now):
    a, b = register(description="热水壶漏电"), register(description="熱水壺漏電")

    complaint_link(actor=users["agent"], number=b.number, other=a.number, reason="text", now=now)

    assert ComplaintLink.objects.filter(complaint=b, other=a, reason="text").count() == 1
    for one, two in ((a, b), (b, a)):
        event = ComplaintEvent.objects.get(complaint=one, kind="complaint_linked")
        assert event.data == {"other": two.number, "reason": "text"}
    assert AuditRecord.objects.filter(action="complaint.complaint_linked").count() == 2


def test_linking_twice_is_refused_and_writes_nothing(register, users, now):
    a, b = register(description="热水壶漏电"), register(description="熱水壺漏電")
    complaint_link(actor=users["agent"], number=b.number, other=a.number, reason="text", now=now)
    before = _everything()

    with pytest.raises(Conflict):
        complaint_link(actor=users["agent"], number=a.number, other=b.number, reason="staff", now=now)

    assert _everything() == before


def test_an_auditor_cannot_link(register, users, now):
    a, b = register(), register()
    before = _everything()

    with pytest.raises(PermissionDenied):
        complaint_link(actor=users["auditor"], number=b.number, other=a.number, reason="staff", now=now)

    assert _everything() == before


def test_merging_is_the_supervisors_transition_and_an_agent_is_refused_with_nothing_written(register, users, now):
    a, b = register(description="热水壶漏电"), register(description="熱水壺漏電")
    before = _everything()

    with pytest.raises(PermissionDenied):
        complaint_merge_duplicate(actor=users["agent"], number=b.number, into=a.number, reason="text", now=now)
    assert _everything() == before

    complaint_merge_duplicate(actor=users["supervisor"], number=b.number, into=a.number, reason="text", now=now)
    b.refresh_from_db()
    assert (b.status, b.merged_into) == ("merged", a)
    assert ComplaintLink.objects.filter(complaint=b, other=a).exists()


def test_the_risk_reasons_are_named(register, users, now):
    earlier = register(description="热水壶坏了", customer={"name": "王五", "phone": "13900002222"})
    complaint = register(
        description="热水壶又坏了，再不处理我就打12315", customer={"name": "王五", "phone": "13900002222"}
    )
    Complaint.objects.filter(pk=complaint.pk).update(overdue=True)
    complaint.refresh_from_db()

    result = assess(complaint=complaint, now=now)

    codes = {r["code"]: r["detail"] for r in result.reasons}
    assert codes == {"threat": "12315", "repeat": 1, "overdue": 1, "major": ""}
    assert (result.score, result.flagged) == (3 + 2 + 2 + 1, True)
    assert earlier.number != complaint.number


def test_a_rejected_solution_and_an_unsatisfied_callback_count(complaint_in, now):
    from kesu.complaints.events import record_event

    complaint = complaint_in("investigating")
    record_event(complaint=complaint, kind="customer_reject", actor=None, at=now)
    record_event(
        complaint=complaint, kind="record_callback", actor=None, at=now, data={"reached": True, "satisfied": False}
    )

    codes = {r["code"] for r in assess(complaint=complaint, now=now).reasons}

    assert {"rejected", "unsatisfied"} <= codes


def test_a_flag_raises_the_escalation_level_the_policy_sets(register, users, now):
    TriagePolicy.objects.create(risk_threshold=3, risk_escalation_level=2)
    TriagePolicy.objects.update(risk_escalation_level=2)
    complaint = register(description="我已经联系了律师，准备去法院起诉", severity="serious")

    result = assess_and_apply(complaint=complaint, now=now)

    complaint.refresh_from_db()
    risk = EscalationRisk.objects.get(complaint=complaint)
    event = ComplaintEvent.objects.get(complaint=complaint, kind="risk_flagged")
    assert (result.flagged, risk.flagged, complaint.escalation_level) == (True, True, 2)
    assert list(Escalation.objects.filter(complaint=complaint).values_list("cause", "to_level")) == [
        ("risk", 1),
        ("risk", 2),
    ]
    assert (event.data["from_level"], event.data["to_level"], event.data["reasons"]) == (0, 2, ["threat"])
    # Assessed again with nothing new: no second flag, no second escalation.
    assess_and_apply(complaint=complaint, now=now)
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="risk_flagged").count() == 1


def test_a_policy_of_level_zero_flags_without_raising(register, now):
    TriagePolicy.objects.create(risk_escalation_level=0)
    complaint = register(description="我要在微博上曝光你们", severity="serious")

    assess_and_apply(complaint=complaint, now=now)

    complaint.refresh_from_db()
    assert (EscalationRisk.objects.get(complaint=complaint).flagged, complaint.escalation_level) == (True, 0)


def test_the_sweep_assesses_open_complaints_once(register, now):
    register(description="我要去法院起诉你们")
    register(description="衣服尺码偏小")

    assert sweep(now=now) == 2
    assert sweep(now=now) == 0
    assert EscalationRisk.objects.filter(flagged=True).count() == 1


def test_held_out_major_recall_floor():
    """Measured 0.982 recall / 1.000 precision on the 56 held-out major cases; the floor allows
    one more miss, never a regression of the rules."""
    figures = evaluate_severity()["heldout"]

    assert figures["major"] == sum(c.major for c in HELDOUT) == 56
    assert figures["recall"] >= 0.96
    assert figures["precision"] >= 0.95
