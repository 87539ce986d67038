"""Workspace pages of issue 13 (major complaints, money at the desk); included by kesu/web/urls.py."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import incidents_views as views

urlpatterns: list[URLPattern] = [
    path("c/<str:number>/checklist/open/", views.checklist_open, name="checklist_open"),
    path("c/<str:number>/checklist/<int:item_id>/done/", views.checklist_done, name="checklist_done"),
    path("c/<str:number>/checklist/<int:item_id>/owner/", views.checklist_reassign, name="checklist_reassign"),
    path("c/<str:number>/crisis-team/", views.crisis_team, name="crisis_team"),
    path("c/<str:number>/crisis-team/decisions/", views.crisis_decisions, name="crisis_decisions"),
    path("c/<str:number>/media/", views.media_enquiry, name="media_enquiry"),
    path("c/<str:number>/media/<int:enquiry_id>/answer/", views.media_answer, name="media_answer"),
    path("c/<str:number>/vouchers/", views.voucher_request, name="voucher_request"),
    path("c/<str:number>/receivables/", views.receivable_hold, name="receivable_hold"),
    path("c/<str:number>/receivables/<int:receivable_id>/", views.receivable_settle, name="receivable_settle"),
    path("c/<str:number>/supplier/", views.recovery_open, name="recovery_open"),
    path("c/<str:number>/supplier/<int:recovery_id>/answer/", views.recovery_answer, name="recovery_answer"),
    path("c/<str:number>/supplier/<int:recovery_id>/decide/", views.recovery_decide, name="recovery_decide"),
    path("c/<str:number>/loss/", views.loss_assess, name="loss_assess"),
    path("vouchers/", views.vouchers, name="vouchers"),
    path("vouchers/<int:voucher_id>/<str:decision>/", views.voucher_decide, name="voucher_decide"),
    path("settings/checklists/", views.settings_checklists, name="settings_checklists"),
    path("settings/checklists/<int:template_id>/", views.settings_template_edit, name="settings_template_edit"),
    path("settings/checklists/<int:template_id>/items/new/", views.settings_item_edit, name="settings_item_new"),
    path(
        "settings/checklists/<int:template_id>/items/<int:item_id>/",
        views.settings_item_edit,
        name="settings_item_edit",
    ),
    path("settings/contacts/new/", views.settings_contact_edit, name="settings_contact_new"),
    path("settings/contacts/<int:contact_id>/", views.settings_contact_edit, name="settings_contact_edit"),
    path("settings/compensation/", views.settings_compensation, name="settings_compensation"),
    path("settings/compensation/new/", views.settings_standard_edit, name="settings_standard_new"),
    path("settings/compensation/<int:standard_id>/", views.settings_standard_edit, name="settings_standard_edit"),
    path("settings/losses/new/", views.settings_loss_edit, name="settings_loss_new"),
    path("settings/losses/<int:standard_id>/", views.settings_loss_edit, name="settings_loss_edit"),
    path("settings/penalties/new/", views.settings_penalty_edit, name="settings_penalty_new"),
    path("settings/penalties/<int:standard_id>/", views.settings_penalty_edit, name="settings_penalty_edit"),
]
