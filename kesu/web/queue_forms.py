"""Forms of the queue page: its filters and the bulk actions on selected rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Channel, Status
from kesu.triage.models import Severity
from kesu.web.forms import KesuForm, _blank, select
from kesu.web.selectors import SORTS, QueueQuery

# Django puts gettext(":") after every form label; Django's own Chinese catalogues keep the ASCII
# colon, the project's translate it to the full-width "：". Marked here so that makemessages keeps
# the entry (it serves every form of the workspace and the portal).
LABEL_SUFFIX = _(":")


class QueueForm(KesuForm):
    """The filters above a queue. The words searched for come from the header's search box (`q`)."""

    status = select(_("Status"), [("", _("any status")), ("open", _("any open status")), *Status.choices])
    severity = select(_("Severity"), _blank(_("any severity")) + list(Severity.choices))
    channel = select(_("Channel"), _blank(_("any channel")) + list(Channel.choices))
    category = select(_("Category"), [])
    department = select(_("Department"), [])
    day = forms.DateField(label=_("Received on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    sort = select(_("Sort by"), list(SORTS.items()))

    def __init__(
        self, *args: Any, categories: Iterable[Any] = (), departments: Iterable[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].widget.choices = _blank(_("any category")) + [
            (c.code, c.localized_name) for c in categories
        ]
        self.fields["department"].widget.choices = _blank(_("any department")) + [(d.code, d.name) for d in departments]

    def clean_day(self) -> Any:
        day = self.cleaned_data.get("day")
        # 9999-12-31 has no next day to end the range at (and 0001-01-01 no time zone offset before it).
        if day is not None and not 1900 <= day.year <= 2999:
            raise forms.ValidationError(_("Enter a date between the years 1900 and 2999."), code="date_range")
        return day

    def query(self, queue: str, page: str | None, q: str = "") -> QueueQuery:
        data = self.cleaned_data if self.is_valid() else {}
        try:
            page_number = max(1, int(page or 1))
        except ValueError:
            page_number = 1
        return QueueQuery(
            queue=queue or "",
            status=data.get("status", ""),
            severity=data.get("severity", ""),
            channel=data.get("channel", ""),
            category=data.get("category", ""),
            department=data.get("department", ""),
            q=q.strip()[:100],
            # With words searched for, the most relevant first unless another order is chosen.
            sort=str(data.get("sort")) if data.get("sort") in SORTS else ("relevance" if q.strip() else "-received_at"),
            page=page_number,
            day=data.get("day"),
        )
