from django.contrib import admin
from django.urls import include, path

from kesu.accounts.forms import ThrottledAdminAuthenticationForm, answer_429_when_throttled
from kesu.api.api import api
from kesu.operations.metrics import metrics_view

# /admin/login/ is throttled like the workspace sign-in (kesu.accounts.throttle).
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/login/", answer_429_when_throttled(admin.site.login)),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("portal/", include("kesu.portal.urls")),
    path("", include("kesu.web.urls")),
]

handler403 = "kesu.web.errors.forbidden"
handler404 = "kesu.web.errors.not_found"
handler500 = "kesu.web.errors.server_error"
