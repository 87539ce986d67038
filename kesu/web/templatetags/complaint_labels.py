"""Template filters of the complaint page: event kinds by their label."""

from __future__ import annotations

from django import template

from kesu.web.labels import event_label as _event_label

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return _event_label(kind)
