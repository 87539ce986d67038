from django.contrib import admin
from django.urls import include, path

from kesu.api.api import api
from kesu.operations.metrics import metrics_view

urlpatterns = [
    path("api/v1/", api.urls),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("kesu.portal.urls")),
    path("", include("kesu.web.urls")),
]
