from django.urls import path

from kesu.web import views

app_name = "web"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.workspace, name="workspace"),
    path("new/", views.intake, name="intake"),
    path("new/check/", views.intake_check_view, name="intake_check"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("c/<str:number>/", views.complaint_detail, name="complaint"),
    path("c/<str:number>/act/<str:action>/", views.complaint_act, name="act"),
    path("c/<str:number>/investigation/", views.investigation, name="investigation"),
    path("c/<str:number>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("c/<str:number>/evidence/<int:attachment_id>/", views.evidence_file, name="evidence_file"),
]
