"""Violations reported to internal audit within 3 working days (SPEC §7, seed 000 insurer)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kesu.core.errors import Conflict, PermissionDenied, ValidationFailed
from kesu.deadlines.models import ComplaintDeadline
from kesu.resolution.internal_audit import internal_audit_reported, violation_found
from tests.complaints.lifecycle import snapshot

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _deadlines():
    return list(ComplaintDeadline.objects.order_by("id").values())


def test_a_violation_found_on_friday_is_due_on_wednesday_and_its_report_meets_it(complaint_in, users):
    complaint = complaint_in("investigating")
    found = dt.datetime(2026, 11, 6, 10, 0, tzinfo=SH)  # a Friday
    row = violation_found(actor=users["supervisor"], number=complaint.number, note="业务员误导销售", now=found)
    assert row.kind == "internal_audit_report"
    assert row.due_at.astimezone(SH).date() == dt.date(2026, 11, 11)  # 3 working days: Mon, Tue, Wed
    assert complaint.events.filter(kind="violation_found").get().note == "业务员误导销售"
    met = internal_audit_reported(
        actor=users["manager"],
        number=complaint.number,
        reference="内审函〔2026〕12号",
        note="",
        now=found + dt.timedelta(days=3),
    )
    assert met.met_at is not None and met.on_time
    assert complaint.events.get(kind="internal_audit_reported").data["reference"] == "内审函〔2026〕12号"


def test_refusals_write_nothing(complaint_in, users, now):
    complaint = complaint_in("investigating")
    before = {**snapshot(), "deadlines": _deadlines()}
    with pytest.raises(PermissionDenied):
        violation_found(actor=users["agent"], number=complaint.number, note="违规", now=now)
    with pytest.raises(ValidationFailed) as refused:
        violation_found(actor=users["supervisor"], number=complaint.number, note="  ", now=now)
    assert [e.field for e in refused.value.errors] == ["note"]
    with pytest.raises(Conflict):  # nothing found yet: nothing to report
        internal_audit_reported(actor=users["supervisor"], number=complaint.number, reference="X-1", note="", now=now)
    assert {**snapshot(), "deadlines": _deadlines()} == before


def test_a_violation_is_recorded_once_and_reported_once(complaint_in, users, now):
    complaint = complaint_in("investigating")
    violation_found(actor=users["supervisor"], number=complaint.number, note="违规", now=now)
    with pytest.raises(Conflict):
        violation_found(actor=users["supervisor"], number=complaint.number, note="又一次", now=now)
    internal_audit_reported(actor=users["supervisor"], number=complaint.number, reference="R-1", note="", now=now)
    before = {**snapshot(), "deadlines": _deadlines()}
    with pytest.raises(Conflict):
        internal_audit_reported(actor=users["supervisor"], number=complaint.number, reference="R-2", note="", now=now)
    assert {**snapshot(), "deadlines": _deadlines()} == before


def test_the_api(api, complaint_in):
    complaint = complaint_in("investigating")
    assert api("agent").post(f"/api/v1/complaints/{complaint.number}/violation", {"note": "违规"}).status_code == 403
    body = api("supervisor").post(f"/api/v1/complaints/{complaint.number}/violation", {"note": "违规"}).json()
    assert body["number"] == complaint.number
    report = api("supervisor").post(f"/api/v1/complaints/{complaint.number}/violation/report", {"reference": ""})
    assert report.status_code == 422 and report.json()["errors"][0]["field"] == "reference"
