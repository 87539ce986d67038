"""Pages of the procedure rules (issue 13): the working-day calendar, confidentiality, formal
objections (签呈), violations reported to internal audit."""

from django.urls import path

from kesu.web import calendar_views, confidentiality_views, internal_audit_views, objection_views

urlpatterns = [
    path("settings/calendar/", calendar_views.calendar_page, name="calendar"),
    path("c/<str:number>/confidentiality/", confidentiality_views.confidentiality_page, name="confidentiality"),
    path(
        "c/<str:number>/confidentiality/document/<int:attachment_id>/",
        confidentiality_views.document_level,
        name="document_level",
    ),
    path("objections/", objection_views.objections, name="objections"),
    path("objections/file/", objection_views.objection_file_view, name="objection_file"),
    path("objections/<int:objection_id>/decide/", objection_views.objection_decide_view, name="objection_decide"),
    path("c/<str:number>/violation/", internal_audit_views.violation, name="violation"),
    path("c/<str:number>/violation/report/", internal_audit_views.audit_report, name="audit_report"),
]
