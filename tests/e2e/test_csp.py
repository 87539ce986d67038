"""The Content-Security-Policy breaks nothing: pages, htmx swaps and chart tooltips run with no
console error (every CSP violation is one), and the policy is really sent."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kesu.complaints.services.intake import complaint_register
from kesu.core.middleware import CONTENT_SECURITY_POLICY
from tests.conftest import PASSWORD
from tests.e2e.menu import go

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pages_htmx_and_chart_tooltips_under_the_csp(pages, shot, users):
    complaint_register(
        actor=users["agent"],
        payload={
            "channel": "phone",
            "customer": {"name": "王五", "phone": "13912345678"},
            "description": "买的酸奶已经过期两天，要求退款。",
            "category": "product_quality.food.expired",
        },
        now=timezone.now(),
    )
    page = pages.open()
    response = page.goto("/login/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "camera=()" in response.headers["permissions-policy"]
    pages.login("manager", PASSWORD, page=page)
    page.select_option("#id_severity", "general")  # an htmx swap
    page.wait_for_url(lambda url: "severity=general" in url)
    go(page, "仪表盘")
    page.wait_for_selector("#chart-by_channel svg")
    box = page.locator("#chart-by_channel").bounding_box()
    assert box is not None
    for fraction in (0.3, 0.5, 0.7, 0.9):  # hover over the bars: the axis tooltip opens
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(150)
    shot(page, "csp-dashboard-tooltip")
