"""Pages of the procedure rules (issue 13): the working-day calendar, confidentiality, formal
objections (签呈)."""

from django.urls import path

from kesu.web import calendar_views

urlpatterns = [
    path("settings/calendar/", calendar_views.calendar_page, name="calendar"),
]
