"""Reports pages: indicators (with the previous period and "—" for a rate without denominator),
sales volumes entered in the workspace, analysis, the ledger exported from a queue."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kesu.reports.models import SalesVolume
from kesu.reports.tallies import refresh_tallies


def _rows(response):
    content = b"".join(response.streaming_content)
    return [list(r) for r in load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)]


def test_indicators_show_a_dash_for_rates_without_denominator(as_user, register):
    register()
    page = as_user("manager").get("/reports/indicators/", {"date_from": "2020-01-01", "date_to": "2020-01-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "—" in html and "0.0%" not in html
    assert "准时率" in html and "上期" in html


def test_indicators_grouped_link_into_the_queue(as_user, register, now):
    register()
    today = now.astimezone().date().isoformat()
    client = as_user("manager")
    refresh_tallies(now=now)  # as the scheduler does every minute; the page refreshes what changed since
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/reports/indicators/", {"date_from": today, "date_to": today, "group_by": "channel"})
    assert page.status_code == 200
    assert "/?queue=all&amp;channel=phone" in page.content.decode()
    # a fixed number, whatever the rows: the refresh (what changed since, recounted) and the sums
    assert len(queries) <= 40


def test_bad_period_is_a_field_error(as_user):
    page = as_user("manager").get("/reports/indicators/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert page.status_code == 422
    assert "结束早于开始" in page.content.decode() or page.context["form"].errors["date_to"]


def test_sales_volume_entered_and_refused_keeping_the_input(as_user):
    client = as_user("manager")
    saved = client.post("/reports/indicators/sales/", {"period": "2026-11", "category": "", "units": "1200"})
    assert saved.status_code == 302 and SalesVolume.objects.get().units == 1200
    refused = client.post("/reports/indicators/sales/", {"period": "2026-13", "category": "", "units": "12x"})
    assert refused.status_code == 422
    html = refused.content.decode()
    assert 'value="2026-13"' in html and 'value="12x"' in html
    assert SalesVolume.objects.count() == 1
    assert as_user("agent").post("/reports/indicators/sales/", {"period": "2026-12", "units": "1"}).status_code == 403


def test_reports_pages_are_for_supervisors_managers_and_auditors(as_user):
    assert as_user("agent").get("/reports/indicators/").status_code == 403
    assert as_user("handler").get("/reports/analysis/").status_code == 403
    assert as_user("auditor").get("/reports/analysis/").status_code == 200


def test_analysis_page(as_user, complaint_in):
    complaint_in("closed")
    page = as_user("manager").get(
        "/reports/analysis/", {"date_from": "2020-01-01", "date_to": "2029-12-31", "level": "2"}
    )
    assert page.status_code == 200
    result = page.context["result"]
    assert [r.key for r in result.reasons] == ["product_quality.food"]
    assert [(r.key, r.share) for r in result.responsibility] == [("carrier", 1.0)]  # the fixture's investigation
    assert result.departments == []  # a carrier's fault names no department
    assert 'id="analysis-data"' in page.content.decode()


def test_ledger_from_a_queue_whole_filter_and_selection(as_user, register):
    phone = register(channel="phone")
    email = register(channel="email", customer={"name": "Li", "email": "li@example.com"})
    client = as_user("manager")
    queue = client.get("/", {"queue": "all", "channel": "email"})
    assert "/reports/ledger/?queue=all&amp;channel=email" in queue.content.decode()
    whole = _rows(client.get("/reports/ledger/", {"queue": "all", "channel": "email"}))
    assert [r[0] for r in whole[1:]] == [email.number]
    selected = _rows(client.post("/reports/ledger/", {"numbers": [phone.number], "format": "xlsx"}))
    assert [r[0] for r in selected[1:]] == [phone.number]
    everything = _rows(client.post("/reports/ledger/", {"next": "/?queue=all", "format": "xlsx"}))
    assert len(everything) == 3
