"""The workspace's main navigation: one entry per page a role opens from the header.

Each entry names its URL, its label and who sees it; base.html renders the entries the signed-in user
may open, in this order. A page's own view still checks permission (the menu only hides links)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    key: str  # matches the `nav` a view puts in its context, to mark the current page
    url_name: str
    label: str | Promise
    visible: Callable[[Any], bool]


def _register(user: Any) -> bool:
    from kesu.accounts.permissions import can_register

    return can_register(user)


def _dashboard(user: Any) -> bool:
    from kesu.web.selectors import DASHBOARD_ROLES

    return user.role in DASHBOARD_ROLES


def _supervision_reader(user: Any) -> bool:
    from kesu.web.supervision_views import may_read_supervision

    return may_read_supervision(user)


def _configure(user: Any) -> bool:
    from kesu.accounts.permissions import can_configure

    return can_configure(user)


ENTRIES: list[NavEntry] = [
    NavEntry("queues", "web:workspace", _("Queues"), lambda user: True),
    NavEntry("intake", "web:intake", _("Register a complaint"), _register),
    NavEntry("dashboard", "web:dashboard", _("Dashboard"), _dashboard),
    # --- resolution pages (finance's returns, follow-up visits) ---
    NavEntry(
        "department_tasks",
        "web:department_tasks",
        _("Department tasks"),
        lambda user: _resolution("may_list_department_tasks", user),
    ),
    NavEntry(
        "follow_ups", "web:follow_ups", _("Follow-up visits"), lambda user: _resolution("may_list_follow_ups", user)
    ),
    NavEntry("rulings", "web:rulings", _("Rulings and appeals"), lambda user: _resolution("is_staff", user)),
    NavEntry(
        "finance", "web:finance_returns", _("Returns and allowances"), lambda user: _resolution("may_see_finance", user)
    ),
    # --- supervision and configuration pages (CAPA, quality review, roll-ups, settings) ---
    NavEntry("capas", "web:capas", _("CAPA"), lambda user: True),
    NavEntry("samples", "web:samples", _("Quality review"), _supervision_reader),
    NavEntry("rollup", "web:rollup", _("Responsibility roll-up"), _supervision_reader),
    NavEntry("settings", "web:settings", _("Configuration"), _configure),
    # --- triage intelligence (kesu/web/triage_views.py): the escalation-risk queue ---
    NavEntry("risk", "web:risk_queue", _("Escalation risk"), lambda user: _risk_queue(user)),
    # --- helpdesk pages (notifications, canned responses) ---
    # Notifications open from the badge in the header (base.html), on every staff page; canned
    # responses from the configuration page (kesu/web/settings_views.py SECTIONS).
]


def nav_for(user: Any) -> list[dict[str, str]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [{"key": e.key, "url": reverse(e.url_name), "label": str(e.label)} for e in ENTRIES if e.visible(user)]


def _risk_queue(user: Any) -> bool:
    from kesu.web.triage_views import may_see_risk_queue

    return may_see_risk_queue(user)


def _resolution(check: str, user: Any) -> bool:
    """Who sees the resolution pages (kesu/web/resolution_selectors.py decides)."""
    from kesu.web import resolution_selectors

    return bool(getattr(resolution_selectors, check)(user))
