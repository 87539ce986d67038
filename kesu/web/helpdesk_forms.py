"""Forms of the helpdesk pages: canned responses and the queue's bulk actions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from kesu.notifications.models import CannedPurpose
from kesu.web.forms import _blank, area, select, text


class CannedResponseForm(forms.Form):
    title = text(_("Title"), required_html=True, max_length=80)
    purpose = select(_("Used for"), _blank(_("choose")) + list(CannedPurpose.choices))
    language = select(_("Language"), list(settings.LANGUAGES))
    body = area(_("Text"), rows=5, required_html=True)

    def values(self) -> dict[str, str]:
        return {name: str(self.data.get(name, "")) for name in self.fields}


class BulkAssignForm(forms.Form):
    """Who the selected complaints go to (the same fields as one complaint's assignment)."""

    department = select(_("Department"), [])
    assignee = select(_("Assignee"), [])
    note = area(_("Note (optional)"), rows=2)

    def __init__(self, *args: Any, departments: Iterable[Any] = (), users: Iterable[Any] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "bulk")
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _blank(_("the assignee's department")) + [
            (d.code, d.name) for d in departments
        ]
        self.fields["assignee"].widget.choices = _blank(_("nobody yet")) + [
            (u.username, f"{u} ({u.department.name if u.department else '-'})") for u in users
        ]
        self.fields["note"].widget.attrs["data-canned"] = "note"

    def payload(self) -> dict[str, str]:
        return {name: str(self.data.get(self.add_prefix(name), "")) for name in self.fields}
