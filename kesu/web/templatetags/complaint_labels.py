"""Template filters of the complaint page: event kinds by their label."""

from __future__ import annotations

from django import template

from kesu.web.labels import event_label as _event_label

register = template.Library()


@register.filter
def event_label(kind: str) -> str:
    return _event_label(kind)


@register.filter
def complaint_type_label(category_code: str | None) -> str:
    """质量投诉 / 交期投诉 / 服务投诉 / 其他投诉 (SPEC CL-5), from the category's top level."""
    from kesu.triage.manufacturing import COMPLAINT_TYPES, complaint_type

    return str(COMPLAINT_TYPES[complaint_type(category_code)])
