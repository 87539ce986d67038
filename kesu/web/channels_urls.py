"""Workspace pages of the channels area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import channels_views as views

urlpatterns: list[URLPattern] = [
    path("channels/", views.channels_index, name="channels"),
    path("channels/webhooks/", views.webhooks_page, name="channels_webhooks"),
    path("channels/webhooks/<int:webhook_id>/", views.webhook_deliveries, name="channels_webhook_deliveries"),
    path("channels/webhooks/<int:webhook_id>/active/", views.webhook_active, name="channels_webhook_active"),
    path("channels/deliveries/<str:delivery_id>/replay/", views.delivery_replay_view, name="channels_replay"),
    path("channels/robots/", views.robots_page, name="channels_robots"),
    path("channels/robots/<int:robot_id>/", views.robot_edit, name="channels_robot_edit"),
    path("channels/robots/<int:robot_id>/active/", views.robot_active, name="channels_robot_active"),
    path("channels/robots/<int:robot_id>/test/", views.robot_test, name="channels_robot_test"),
    path("channels/mailbox/", views.mailbox_page, name="channels_mailbox"),
    path("me/channels/", views.my_channels, name="my_channels"),
]
