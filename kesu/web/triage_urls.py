from django.urls import path

from kesu.web import triage_views as views

urlpatterns = [
    path("risk/", views.risk_queue, name="risk_queue"),
    path("risk/assess/", views.risk_assess, name="risk_assess"),
    path("c/<str:number>/triage/", views.complaint_panel, name="triage_panel"),
    path("c/<str:number>/triage/link/", views.complaint_link_view, name="triage_link"),
    path("c/<str:number>/triage/merge/", views.complaint_merge_view, name="triage_merge"),
    path("settings/triage/", views.settings_page, name="settings_triage"),
    path("settings/triage/policy/", views.policy_edit, name="settings_triage_policy"),
    path("settings/triage/train/", views.train_view, name="settings_triage_train"),
]
