"""Workspace pages of the supervision area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import settings_views as settings
from kesu.web import supervision_views as views

urlpatterns: list[URLPattern] = [
    path("capas/", views.capa_list, name="capas"),
    path("capas/new/", views.capa_new, name="capa_new"),
    path("capas/<int:capa_id>/", views.capa_detail, name="capa"),
    path("capas/<int:capa_id>/complete/", views.capa_complete, name="capa_complete"),
    path("capas/<int:capa_id>/verify/", views.capa_verify, name="capa_verify"),
    path("review/", views.samples, name="samples"),
    path("review/<int:run_id>/", views.sample_detail, name="sample"),
    path("review/item/<int:review_id>/", views.review, name="review"),
    path("rollup/", views.rollup, name="rollup"),
    path("settings/", settings.index, name="settings"),
    path("settings/sla/", settings.sla, name="settings_sla"),
    path("settings/sla/new/", settings.sla_edit, name="settings_sla_new"),
    path("settings/sla/<int:policy_id>/", settings.sla_edit, name="settings_sla_edit"),
    path("settings/sla/preset/<str:code>/", settings.preset_toggle, name="settings_preset"),
    path("settings/authority/", settings.authority, name="settings_authority"),
    path("settings/authority/new/", settings.authority_edit, name="settings_authority_new"),
    path("settings/authority/<int:authority_id>/", settings.authority_edit, name="settings_authority_edit"),
    path("settings/categories/", settings.categories, name="settings_categories"),
    path("settings/categories/new/", settings.category_edit, name="settings_category_new"),
    path("settings/categories/<int:category_id>/", settings.category_edit, name="settings_category_edit"),
    path("settings/severity/", settings.severity, name="settings_severity"),
    path("settings/severity/new/", settings.severity_edit, name="settings_severity_new"),
    path("settings/severity/<int:rule_id>/", settings.severity_edit, name="settings_severity_edit"),
    path("settings/letters/", settings.letters, name="settings_letters"),
    path("settings/letters/<int:template_id>/", settings.letter_edit, name="settings_letter_edit"),
]
