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


def _vouchers(user: Any) -> bool:
    from kesu.compensation.selectors import QUEUE_ROLES

    return user.role in QUEUE_ROLES


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
    # --- money at the desk (issue 13): the petty-cash vouchers supervisors approve, managers countersign ---
    NavEntry("vouchers", "web:vouchers", _("Petty cash"), lambda user: _vouchers(user)),
    NavEntry("settings", "web:settings", _("Configuration"), _configure),
    # --- imports, referrals, suggestion box, complaint platforms (kesu/web/platforms_views.py) ---
    NavEntry("intake_hub", "web:intake_hub", _("Imports and referrals"), lambda user: _intake_hub(user)),
    # --- service desk (roster, handover, swaps, phrases, performance, panels and surveys, cases) ---
    NavEntry("desk", "web:desk", _("Service desk"), lambda user: _desk(user)),
    # --- channels pages (webhooks, robots, mailbox; each person's notification channels) ---
    NavEntry("channels", "web:channels", _("Channels"), lambda user: _channels_admin(user)),
    NavEntry("my_channels", "web:my_channels", _("My channels"), lambda user: True),
    # --- procedure pages (formal objections, 签呈) ---
    NavEntry("objections", "web:objections", _("Formal objections"), lambda user: _objections(user)),
    # --- reports pages (indicators, analysis, report archive) ---
    NavEntry("indicators", "web:indicators", _("Indicators"), lambda user: _reports(user)),
    NavEntry("analysis", "web:analysis", _("Analysis"), lambda user: _reports(user)),
    NavEntry("report_archive", "web:report_archive", _("Reports"), lambda user: _reports(user)),
    NavEntry("disclosure", "web:disclosure", _("Disclosure"), lambda user: _reports(user)),
    # --- triage intelligence (kesu/web/triage_views.py): the escalation-risk queue ---
    NavEntry("risk", "web:risk_queue", _("Escalation risk"), lambda user: _risk_queue(user)),
    # --- helpdesk pages (notifications, canned responses) ---
    # Notifications open from the badge in the header (base.html), on every staff page; canned
    # responses from the configuration page (kesu/web/settings_views.py SECTIONS).
]


# The header groups related pages under one menu (a <details> dropdown), so it stays one line
# for the roles that see many pages. An entry whose key is not listed here stands on its own; a
# group the user sees only one page of shows that page as a plain link.
GROUPS: dict[str, str | Promise] = {
    "handling": _("Handling"),
    "quality": _("Quality"),
    "reports": _("Statistics"),
    "desk": _("Service desk"),
    "configuration": _("Configuration"),
}
GROUP_OF: dict[str, str] = {
    "department_tasks": "handling",
    "follow_ups": "handling",
    "rulings": "handling",
    "finance": "handling",
    "vouchers": "handling",
    "objections": "handling",
    "intake_hub": "handling",
    "risk": "handling",
    "capas": "quality",
    "samples": "quality",
    "rollup": "quality",
    "dashboard": "reports",
    "indicators": "reports",
    "analysis": "reports",
    "report_archive": "reports",
    "disclosure": "reports",
    "desk": "desk",
    "settings": "configuration",
    "channels": "configuration",
    "my_channels": "configuration",
}


def nav_for(user: Any) -> list[dict[str, Any]]:
    """The header's items in ENTRIES order: links `{"key", "url", "label"}` and groups
    `{"key", "label", "keys", "entries": [links]}` placed where their first page comes."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for entry in ENTRIES:
        if not entry.visible(user):
            continue
        link = {"key": entry.key, "url": reverse(entry.url_name), "label": str(entry.label)}
        group_key = GROUP_OF.get(entry.key)
        if group_key is None:
            items.append(link)
            continue
        if group_key not in groups:
            groups[group_key] = {"key": group_key, "label": str(GROUPS[group_key]), "keys": [], "entries": []}
            items.append(groups[group_key])
        groups[group_key]["entries"].append(link)
        groups[group_key]["keys"].append(entry.key)
    return [item["entries"][0] if len(item.get("entries", ())) == 1 else item for item in items]


def _risk_queue(user: Any) -> bool:
    from kesu.web.triage_views import may_see_risk_queue

    return may_see_risk_queue(user)


def _resolution(check: str, user: Any) -> bool:
    """Who sees the resolution pages (kesu/web/resolution_selectors.py decides)."""
    from kesu.web import resolution_selectors

    return bool(getattr(resolution_selectors, check)(user))


def _intake_hub(user: Any) -> bool:
    from kesu.web.platforms_views import may_open_intake_hub

    return may_open_intake_hub(user)


def _desk(user: Any) -> bool:
    from kesu.web.desk_views import may_use_desk

    return may_use_desk(user)


def _channels_admin(user: Any) -> bool:
    from kesu.channels.webhooks import may_manage_webhooks

    return may_manage_webhooks(user)


def _objections(user: Any) -> bool:
    from kesu.web.objection_views import may_read_objections

    return may_read_objections(user)


def _reports(user: Any) -> bool:
    from kesu.reports.services import may_read_reports

    return may_read_reports(user)
