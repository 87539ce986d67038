"""IV-5: a department's formal objection (签呈) to its share of responsibility or to a ruling,
decided by management, recorded, and changing the roll-up when upheld. Refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.resolution.models import Investigation, Objection
from kesu.resolution.objections import objection_decide, objection_file
from kesu.supervision.selectors import responsibility_rollup

from ..complaints.lifecycle import investigate

pytestmark = pytest.mark.django_db


def everything() -> tuple[object, ...]:
    return (
        list(Objection.objects.order_by("id").values_list("id", "status", "decided_at")),
        list(Investigation.objects.order_by("id").values_list("id", "responsible_department_id", "responsibility")),
        ComplaintEvent.objects.count(),
        AuditRecord.objects.count(),
    )


@pytest.fixture
def held_responsible(complaint_in, users, now):
    """A complaint whose investigation holds 品质部 (the handler's department) responsible."""
    complaint = complaint_in("investigating")
    investigate(users, "handler", complaint, now, responsibility="ours", responsible_department="quality")
    return complaint


def _rollup_departments(users, now) -> dict[str, int]:
    today = timezone.localdate(now)
    rollup = responsibility_rollup(
        user=users["manager"], date_from=today - dt.timedelta(days=1), date_to=today + dt.timedelta(days=1)
    )
    return {row.name: row.complaints for row in rollup.departments if row.complaints}


def test_an_upheld_objection_moves_the_responsibility_and_the_rollup(held_responsible, users, now):
    from kesu.complaints.models import Complaint

    # The roll-up counts closed complaints: a department may object after the case is closed.
    Complaint.objects.filter(pk=held_responsible.pk).update(status="closed", closed_at=now)
    before = _rollup_departments(users, now)
    assert before.get("品质部") == 1
    objection = objection_file(
        actor=users["handler"],
        number=held_responsible.number,
        subject="responsibility",
        reason="冷链由物流部负责，非品质问题。",
        proposed_department="logistics",
        now=now,
    )
    assert held_responsible.events.filter(kind="objection_filed").count() == 1
    objection_decide(actor=users["gm"], objection_id=objection.pk, decision="upheld", note="同意。", now=now)
    investigation = Investigation.objects.get(complaint=held_responsible)
    assert investigation.responsible_department.code == "logistics"
    after = _rollup_departments(users, now)
    assert "品质部" not in after
    assert after.get("物流部") == 1
    objection.refresh_from_db()
    assert objection.change["from"]["responsible_department"] == "quality"
    assert objection.change["to"]["responsible_department"] == "logistics"
    assert AuditRecord.objects.filter(action="objection.decide", object_id=str(objection.pk)).count() == 1


def test_a_rejected_objection_changes_nothing_but_is_recorded(held_responsible, users, now):
    objection = objection_file(
        actor=users["handler"], number=held_responsible.number, subject="responsibility", reason="不服", now=now
    )
    objection_decide(actor=users["manager"], objection_id=objection.pk, decision="rejected", note="证据充分。", now=now)
    assert Investigation.objects.get(complaint=held_responsible).responsible_department.code == "quality"
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by, objection.change) == ("rejected", users["manager"], {})
    with pytest.raises(Conflict):
        objection_decide(actor=users["gm"], objection_id=objection.pk, decision="upheld", note="再议", now=now)


def test_refusals_write_nothing(held_responsible, users, now):
    before = everything()
    with pytest.raises(PermissionDenied):  # the agent's department is not held responsible and agents do not file
        objection_file(
            actor=users["agent"], number=held_responsible.number, subject="responsibility", reason="x", now=now
        )
    with pytest.raises(PermissionDenied):  # 客服部 is not the department held responsible
        objection_file(
            actor=users["supervisor"], number=held_responsible.number, subject="responsibility", reason="x", now=now
        )
    with pytest.raises(ValidationFailed) as refused:
        objection_file(
            actor=users["handler"], number=held_responsible.number, subject="responsibility", reason=" ", now=now
        )
    assert refused.value.errors[0].field == "reason"
    with pytest.raises(ValidationFailed) as refused:
        objection_file(actor=users["handler"], number=held_responsible.number, subject="ruling", reason="x", now=now)
    assert refused.value.errors[0].field == "adjudication"
    assert everything() == before
    objection = objection_file(
        actor=users["handler"], number=held_responsible.number, subject="responsibility", reason="不服", now=now
    )
    before = everything()
    with pytest.raises(Conflict):  # one pending objection per department
        objection_file(
            actor=users["handler"], number=held_responsible.number, subject="responsibility", reason="再次", now=now
        )
    for role in ("agent", "supervisor", "handler", "auditor", "admin"):
        with pytest.raises(PermissionDenied):  # only management decides
            objection_decide(actor=users[role], objection_id=objection.pk, decision="upheld", note="x", now=now)
    with pytest.raises(ValidationFailed) as refused:
        objection_decide(actor=users["gm"], objection_id=objection.pk, decision="upheld", note="", now=now)
    assert refused.value.errors[0].field == "note"
    assert everything() == before


def test_the_page_files_and_decides(held_responsible, users):
    handler = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    handler.force_login(users["handler"])
    assert "/objections/" in handler.get("/").content.decode()
    refused = handler.post("/objections/file/", {"number": held_responsible.number, "subject": "responsibility"})
    assert refused.status_code == 422
    assert held_responsible.number in refused.content.decode()  # what was typed is kept
    assert not Objection.objects.exists()
    response = handler.post(
        "/objections/file/",
        {
            "number": held_responsible.number,
            "subject": "responsibility",
            "reason": "非我部门责任",
            "proposed_department": "",
        },
    )
    assert response.status_code == 302
    objection = Objection.objects.get()
    gm = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    gm.force_login(users["gm"])
    page = gm.get("/objections/").content.decode()
    assert "非我部门责任" in page
    response = gm.post(
        f"/objections/{objection.pk}/decide/",
        {
            f"o{objection.pk}-decision": "upheld",
            f"o{objection.pk}-new_department": "__proposed__",
            f"o{objection.pk}-note": "同意",
        },
    )
    assert response.status_code == 302
    investigation = Investigation.objects.get(complaint=held_responsible)
    assert (investigation.responsible_department, investigation.responsibility) == (None, "not_established")
    # The handler may not decide (no form, and a post is refused).
    objection2_before = everything()
    assert handler.post(f"/objections/{objection.pk}/decide/", {}).status_code in (403, 422)
    assert everything() == objection2_before
