"""The banner every staff page shows an administrator while the official calendar of this year,
or of next year once it is near, is missing (the start-up check `kesu.deadlines.W001` says the same)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kesu.accounts.models import Role
from kesu.core import clock

register = template.Library()


@register.simple_tag
def calendar_banner(user: Any) -> SafeString | str:
    if not getattr(user, "is_authenticated", False) or getattr(user, "role", None) != Role.ADMIN:
        return ""  # one query, for administrators only
    from kesu.deadlines.selectors import calendar_missing_years

    missing = calendar_missing_years(now=clock.now())
    if not missing:
        return ""
    return format_html(
        '<p class="calendar-banner" role="alert">{} <a href="{}">{}</a></p>',
        _(
            "No official holiday schedule for %(years)s: deadlines there count Monday to Friday, without "
            "public holidays or make-up working days."
        )
        % {"years": ", ".join(map(str, missing))},
        reverse("web:calendar"),
        _("Import the schedule"),
    )
