"""The public register of complaint outcomes (SPEC RP-5, 投诉处理结果公示): no login."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kesu.reports.disclosure import public_outcomes, public_row

PAGE_SIZE = 20


@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    page = Paginator(public_outcomes(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/outcomes.html",
        {"page": page, "rows": [public_row(row) for row in page.object_list]},
    )
