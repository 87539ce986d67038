"""Filters of the reports pages: rates shown as percentages, a missing rate as "—" (never 0%)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()
DASH = "—"


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return DASH
    return f"{number_format(float(value) * 100, 1)}%"


@register.filter
def hours(value: Any) -> str:
    if value is None:
        return DASH
    return number_format(value, 1)


@register.filter
def dash(value: Any) -> Any:
    return DASH if value is None or value == "" else value


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
