"""The complaint page's violation panel (SPEC §7): record, then report to internal audit."""

from __future__ import annotations

import pytest

from kesu.deadlines.models import ComplaintDeadline

pytestmark = pytest.mark.django_db


def test_a_supervisor_records_a_violation_and_its_report_from_the_complaint_page(as_user, complaint_in):
    complaint = complaint_in("investigating")
    supervisor = as_user("supervisor")
    assert "记录违规" in supervisor.get(f"/c/{complaint.number}/").content.decode()
    refused = supervisor.post(f"/c/{complaint.number}/violation/", {"note": ""})
    assert refused.status_code == 422 and not ComplaintDeadline.objects.filter(kind="internal_audit_report").exists()
    assert supervisor.post(f"/c/{complaint.number}/violation/", {"note": "业务员误导销售"}).status_code == 302
    page = supervisor.get(f"/c/{complaint.number}/").content.decode()
    assert "待报内审" in page and "违规报内审" in page  # the state and the deadline's name
    typed = supervisor.post(f"/c/{complaint.number}/violation/report/", {"reference": "", "note": "已电话告知"})
    assert typed.status_code == 422 and "已电话告知" in typed.content.decode()
    done = supervisor.post(f"/c/{complaint.number}/violation/report/", {"reference": "内审函12号", "note": ""})
    assert done.status_code == 302
    assert "已报内审" in supervisor.get(f"/c/{complaint.number}/").content.decode()


def test_an_agent_does_not_see_the_panel(as_user, complaint_in):
    complaint = complaint_in("investigating")
    assert 'id="h-violation"' not in as_user("agent").get(f"/c/{complaint.number}/").content.decode()
