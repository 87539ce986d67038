"""Workspace pages of the reports area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import reports_views as views

urlpatterns: list[URLPattern] = [
    path("reports/indicators/", views.indicators, name="indicators"),
    path("reports/indicators/sales/", views.sales_volume_add, name="sales_volume_add"),
    path("reports/analysis/", views.analysis, name="analysis"),
    path("reports/ledger/", views.ledger_export, name="ledger_export"),
    path("reports/archive/", views.archive, name="report_archive"),
    path("reports/archive/subscribe/<str:kind>/", views.subscription_toggle, name="report_subscription"),
    path("reports/archive/<int:run_id>.<str:file_format>", views.archive_file, name="report_file"),
    path("reports/forms/c/<str:number>/<str:form>/", views.complaint_form, name="complaint_form"),
    path("reports/forms/c/<str:number>/<str:form>.pdf", views.complaint_form, {"pdf": True}, name="complaint_form_pdf"),
    path("reports/forms/<str:form>/", views.period_form, name="period_form"),
    path("reports/forms/<str:form>.pdf", views.period_form, {"pdf": True}, name="period_form_pdf"),
]

# --- disclosure (SPEC RP-5): kesu/web/disclosure_views.py ---
from kesu.web import disclosure_views as disclosure  # noqa: E402

urlpatterns += [
    path("reports/disclosure/", disclosure.disclosure_page, name="disclosure"),
    path("reports/disclosure/export.<str:file_format>", disclosure.export, name="disclosure_export"),
    path("reports/disclosure/codes/", disclosure.code_save, name="disclosure_code_save"),
    path("c/<str:number>/publication/", disclosure.publish, name="publication"),
    path("c/<str:number>/publication/withdraw/", disclosure.withdraw, name="publication_withdraw"),
]
