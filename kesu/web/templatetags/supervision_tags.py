"""Supervision data for the complaint page's right-column panel (CAPAs linked to it)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from kesu.supervision.selectors import visible_capas

register = template.Library()


@register.simple_tag
def complaint_capas(complaint: Any, user: Any) -> dict[str, Any]:
    """The CAPAs of `complaint` this user may see, and the link to open one (for those who may)."""
    from kesu.web.supervision_views import may_create_capa

    capas = list(visible_capas(user).filter(complaints=complaint).order_by("due_at", "id"))
    can_create = may_create_capa(user)
    url = reverse("web:capa_new") + "?" + urlencode({"complaints": complaint.number}) if can_create else ""
    return {"capas": capas, "can_create": can_create, "create_url": url}
