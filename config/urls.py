from django.contrib import admin
from django.urls import include, path

from kesu.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("kesu.portal.urls")),
    path("", include("kesu.web.urls")),
]

handler403 = "kesu.web.errors.forbidden"
handler404 = "kesu.web.errors.not_found"
handler500 = "kesu.web.errors.server_error"
