"""Workspace pages of imports, referrals, the suggestion box and complaint platforms; included by
kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import platforms_views as views

urlpatterns: list[URLPattern] = [
    path("intake/", views.hub, name="intake_hub"),
    path("intake/import/", views.import_upload_view, name="import_upload"),
    path("intake/import/<int:batch_id>/", views.import_preview, name="import_preview"),
    path("intake/import/<int:batch_id>/progress/", views.import_progress, name="import_progress"),
    path("intake/referrals/", views.referral_list, name="referral_list"),
    path("intake/referrals/new/", views.referral_new, name="referral_new"),
    path("intake/referrals/<int:referral_id>/", views.referral_detail, name="referral_detail"),
    path("intake/referrals/<int:referral_id>/reply/", views.referral_reply, name="referral_reply"),
    path("intake/box/", views.box_list, name="box_list"),
    path("intake/box/<int:batch_id>/", views.box_batch, name="box_batch"),
    path("intake/box/<int:batch_id>/reconcile/", views.box_close, name="box_close"),
    path("intake/wechatpay/", views.platform_list, name="platform_list"),
    path("intake/wechatpay/<int:platform_id>/", views.platform_detail, name="platform_detail"),
]
