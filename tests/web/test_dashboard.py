from __future__ import annotations

import datetime as dt
import json

from kesu.complaints.models import Complaint


def test_dashboard_counts_and_series(as_user, register, now):
    register(channel="phone")
    register(channel="email", severity="major")
    late = register(channel="phone", received_at=(now - dt.timedelta(days=2)).isoformat())
    Complaint.objects.filter(pk=late.pk).update(acknowledge_due=now - dt.timedelta(hours=1))
    response = as_user("manager").get("/dashboard/")
    assert response.status_code == 200
    counts = response.context["figures"]["counts"]
    assert counts["today"] >= 2 and counts["open"] == 3 and counts["overdue"] == 1 and counts["major"] == 1
    channels = {s["code"]: sum(s["data"]) for s in response.context["charts"]["by_channel"]["series"]}
    assert channels == {"phone": 2, "email": 1}
    html = response.content.decode()
    assert 'href="/?queue=overdue"' in html and "echarts-5.6.0.min.js" in html
    data = json.loads(html.split('id="dashboard-data" type="application/json">')[1].split("</script>")[0])
    assert set(data) == {"by_channel", "by_category", "by_department"}


def test_dashboard_is_for_supervisors_managers_and_auditors(as_user):
    assert as_user("agent").get("/dashboard/").status_code == 403
    assert as_user("handler").get("/dashboard/").status_code == 403
    assert as_user("auditor").get("/dashboard/").status_code == 200


def test_dashboard_query_count(as_user, register, django_assert_max_num_queries):
    for _ in range(5):
        register()
    client = as_user("manager")
    with django_assert_max_num_queries(10):
        assert client.get("/dashboard/").status_code == 200
