"""The complaint page's publication panel (SPEC RP-5): shown to managers on a closed complaint."""

from __future__ import annotations

from typing import Any

from django import template

from kesu.complaints.models import Status
from kesu.reports.disclosure import may_publish, publication_of
from kesu.web.disclosure_forms import PublicationForm

register = template.Library()


@register.simple_tag
def complaint_publication(complaint: Any, user: Any, failed: Any = None) -> dict[str, Any]:
    """Nothing is read unless the complaint is closed and the reader may publish."""
    if complaint.status != Status.CLOSED or not may_publish(user):
        return {"show": False}
    row = publication_of(complaint)
    live = row is not None and row.withdrawn_at is None
    form = failed or PublicationForm(initial={"summary": row.summary, "outcome": row.outcome} if row else None)
    return {"show": True, "row": row, "live": live, "form": form, "open": failed is not None or not live}
