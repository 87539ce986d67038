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
    path("c/<str:number>/note/", views.note_add, name="note_add"),
    path("c/<str:number>/reclassify/", views.reclassify, name="reclassify"),
    path("c/<str:number>/deadlines/pause/", views.deadlines_pause_view, name="deadlines_pause"),
    path("c/<str:number>/deadlines/resume/", views.deadlines_resume_view, name="deadlines_resume"),
    path("c/<str:number>/deadlines/extend/", views.deadline_extend_view, name="deadline_extend"),
    path("c/<str:number>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("c/<str:number>/evidence/<int:attachment_id>/", views.evidence_file, name="evidence_file"),
]

# Each area of the workspace keeps its pages in its own module.
from kesu.web import helpdesk_urls, resolution_urls, supervision_urls  # noqa: E402

urlpatterns += resolution_urls.urlpatterns + supervision_urls.urlpatterns + helpdesk_urls.urlpatterns

# --- major complaints and money at the desk (issue 13) ---
from kesu.web import incidents_urls  # noqa: E402

urlpatterns += incidents_urls.urlpatterns
# --- imports, referrals, suggestion box, complaint platforms (issue 12) ---
from kesu.web import platforms_urls  # noqa: E402

urlpatterns += platforms_urls.urlpatterns
# --- service desk (kesu/desk) ---
from kesu.web import desk_urls  # noqa: E402

urlpatterns += desk_urls.urlpatterns
# --- channels (webhooks, robots, mailbox, my notification channels) ---
from kesu.web import channels_urls  # noqa: E402

urlpatterns += channels_urls.urlpatterns
# The procedure rules' pages (calendar, confidentiality, formal objections).
from kesu.web import procedure_urls  # noqa: E402

urlpatterns += procedure_urls.urlpatterns
# --- reports pages (indicators, analysis, ledger export, archive, forms) ---
from kesu.web import reports_urls  # noqa: E402

urlpatterns += reports_urls.urlpatterns
from kesu.web import triage_urls  # noqa: E402

urlpatterns += triage_urls.urlpatterns
