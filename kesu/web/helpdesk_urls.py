"""Workspace pages of the helpdesk area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import helpdesk_views as views

urlpatterns: list[URLPattern] = [
    path("search/", views.search, name="search"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notifications_badge, name="notifications_badge"),
    path("canned/", views.canned_list, name="canned_list"),
    path("canned/<int:response_id>/", views.canned_edit, name="canned_edit"),
    path("canned/<int:response_id>/active/", views.canned_active, name="canned_active"),
    path("canned.json", views.canned_json, name="canned_json"),
    path("queue/bulk/", views.queue_bulk, name="queue_bulk"),
]
