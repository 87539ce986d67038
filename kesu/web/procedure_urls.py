"""Pages of the procedure rules (issue 13): the working-day calendar, confidentiality, formal
objections (签呈)."""

from django.urls import path

from kesu.web import calendar_views, confidentiality_views

urlpatterns = [
    path("settings/calendar/", calendar_views.calendar_page, name="calendar"),
    path("c/<str:number>/confidentiality/", confidentiality_views.confidentiality_page, name="confidentiality"),
    path(
        "c/<str:number>/confidentiality/document/<int:attachment_id>/",
        confidentiality_views.document_level,
        name="document_level",
    ),
]
