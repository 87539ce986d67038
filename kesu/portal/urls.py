from django.urls import path

from kesu.portal import outcome_views, survey_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("submitted/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("c/<str:number>/", views.complaint, name="complaint"),
    path("c/<str:number>/answer/", views.answer, name="answer"),
    path("c/<str:number>/rate/", views.rate, name="rate"),
    path("outcomes/", outcome_views.outcomes, name="outcomes"),  # the public register (SPEC RP-5)
    path("survey/<str:token>/", survey_views.survey, name="survey"),  # kesu/desk surveys (FU-5)
]
