"""Workspace pages of the service desk; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import desk_views as views

urlpatterns: list[URLPattern] = [
    path("desk/", views.roster_page, name="desk"),
    path("desk/roster/plan/", views.roster_plan, name="desk_roster_plan"),
    path("desk/swaps/new/", views.swap_new, name="desk_swap_new"),
    path("desk/swaps/<int:swap_id>/agree/", views.swap_agree, name="desk_swap_agree"),
    path("desk/swaps/<int:swap_id>/approve/", views.swap_approve, name="desk_swap_approve"),
    path("desk/swaps/<int:swap_id>/withdraw/", views.swap_withdraw, name="desk_swap_withdraw"),
    path("desk/swaps/<int:swap_id>/refuse/", views.swap_refuse, name="desk_swap_refuse"),
    path("desk/handover/", views.handover_page, name="desk_handover"),
    path("desk/handover/<int:handover_id>/accept/", views.handover_accept, name="desk_handover_accept"),
    path("desk/phrases/", views.phrases_page, name="desk_phrases"),
    path("desk/phrases/<int:phrase_id>/", views.phrase_toggle, name="desk_phrase_toggle"),
    path("desk/performance/", views.performance_page, name="desk_performance"),
    path("desk/voice/", views.voice_page, name="desk_voice"),
    path("settings/voice/", views.voice_settings, name="settings_voice"),
    path("desk/voice/plan/", views.panels_plan, name="desk_panels_plan"),
    path("desk/voice/panels/<int:panel_id>/", views.panel_page, name="desk_panel"),
    path("desk/voice/surveys/<int:campaign_id>/", views.survey_page, name="desk_survey"),
    path("desk/cases/", views.cases_page, name="desk_cases"),
    path("desk/cases/new/<str:number>/", views.case_new, name="desk_case_new"),
]
