"""Staff workspace (the full workspace is built on these in the web UI issue)."""

from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kesu.complaints.selectors import ComplaintFilters, complaint_list
from kesu.core import clock


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    rows = complaint_list(user=request.user, filters=ComplaintFilters(), now=clock.now())[:50]  # type: ignore[arg-type]
    return render(request, "web/workspace.html", {"complaints": rows})
