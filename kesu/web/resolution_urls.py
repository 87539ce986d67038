"""Workspace pages of the resolution area; included by kesu/web/urls.py (namespace "web")."""

from __future__ import annotations

from django.urls import URLPattern, path

from kesu.web import resolution_views as views

urlpatterns: list[URLPattern] = [
    path("c/<str:number>/coordinator/", views.coordinator_set, name="coordinator_set"),
    path("c/<str:number>/tasks/", views.task_add, name="task_add"),
    path("c/<str:number>/tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("c/<str:number>/tasks/<int:task_id>/cancel/", views.task_cancel, name="task_cancel"),
    path("c/<str:number>/letters/<str:kind>/", views.letter, name="letter"),
    path("c/<str:number>/letters/<str:kind>/print/", views.letter_print, name="letter_print"),
    path("c/<str:number>/record/print/", views.record_print, name="record_print"),
    path("c/<str:number>/returns/", views.return_create, name="return_create"),
    path("c/<str:number>/returns/<int:document_id>/receipt/", views.return_receipt, name="return_receipt"),
    path("c/<str:number>/follow-ups/", views.follow_up_plan, name="follow_up_plan"),
    path("c/<str:number>/follow-ups/<int:visit_id>/done/", views.follow_up_done, name="follow_up_done"),
    path("c/<str:number>/rulings/", views.ruling_add, name="ruling_add"),
    path("c/<str:number>/rulings/<int:ruling_id>/appeal/", views.appeal_lodge, name="appeal_lodge"),
    path("c/<str:number>/rulings/<int:ruling_id>/answer/", views.appeal_answer, name="appeal_answer"),
    path("finance/returns/", views.finance_returns, name="finance_returns"),
    path("follow-ups/", views.follow_up_list, name="follow_ups"),
    path("rulings/", views.rulings, name="rulings"),
    path("department-tasks/", views.department_tasks, name="department_tasks"),
]
