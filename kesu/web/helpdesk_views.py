"""Helpdesk pages: the header's search, notifications, canned responses, the queue's bulk actions."""

from __future__ import annotations

import csv
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import FRONT_DESK, STAFF_ROLES, SUPERVISORS
from kesu.complaints.services.bulk import complaints_bulk_transition
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.notifications.canned import (
    can_manage_canned,
    canned_response_save,
    canned_response_set_active,
    canned_responses,
)
from kesu.notifications.inbox import inbox_for, inbox_mark_seen, inbox_new_count
from kesu.notifications.models import CannedPurpose, CannedResponse
from kesu.web.forms import apply_errors
from kesu.web.helpdesk_forms import BulkAssignForm, CannedResponseForm
from kesu.web.selectors import queue_export, search_jump

# Where "create a CAPA from the selection" goes (the supervision area's page, web:capa_new).
CAPA_NEW_PATH = "/capa/new/"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- search ----------------------------------------------------------------------------------


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The header's search box: a complaint number opens the complaint; anything else lists what
    matches across all complaints the user may see (kesu.complaints.search)."""
    q = str(request.GET.get("q", "")).strip()[:100]
    if not q:
        return redirect("web:workspace")
    number = search_jump(user=_user(request), q=q)
    if number is not None:
        return redirect("web:complaint", number=number)
    return redirect(reverse("web:workspace") + "?" + urlencode({"queue": "all", "q": q}))


# --- notifications ---------------------------------------------------------------------------


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """The list of notifications; opening it marks everything in it read."""
    user = _user(request)
    now = clock.now()
    inbox = inbox_for(user=user, now=now)
    inbox_mark_seen(user=user, now=now)
    return render(request, "web/helpdesk/notifications.html", {"inbox": inbox, "nav": "notifications"})


@login_required
@require_GET
def notifications_badge(request: HttpRequest) -> HttpResponse:
    """htmx: the header badge, loaded after the page so that no page waits for its counts."""
    unread = inbox_new_count(user=_user(request), now=clock.now())
    return render(request, "web/helpdesk/_badge.html", {"unread": unread})


# --- canned responses ------------------------------------------------------------------------


def _require_manager(user: User) -> None:
    if not can_manage_canned(user):
        raise DjangoPermissionDenied(_("Canned responses are managed by managers."))


@login_required
def canned_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_manager(user)
    form = CannedResponseForm(initial={"language": get_language()})
    status = 200
    if request.method == "POST":
        form = CannedResponseForm(request.POST)
        try:
            canned_response_save(actor=user, values=form.values(), now=clock.now())
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The canned response was saved."))
            return redirect("web:canned_list")
    rows = list(canned_responses(include_inactive=True).select_related("updated_by"))
    return render(
        request, "web/helpdesk/canned_list.html", {"rows": rows, "form": form, "nav": "settings"}, status=status
    )


@login_required
def canned_edit(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _user(request)
    _require_manager(user)
    response = CannedResponse.objects.filter(pk=response_id).first()
    if response is None:
        raise Http404(_("No canned response has this number."))
    status = 200
    if request.method == "POST":
        form = CannedResponseForm(request.POST)
        try:
            canned_response_save(actor=user, values=form.values(), now=clock.now(), response_id=response_id)
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The canned response was saved."))
            return redirect("web:canned_list")
    else:
        form = CannedResponseForm(
            initial={
                "title": response.title,
                "purpose": response.purpose,
                "language": response.language,
                "body": response.body,
            }
        )
    return render(
        request, "web/helpdesk/canned_edit.html", {"form": form, "response": response, "nav": "settings"}, status=status
    )


@login_required
@require_POST
def canned_active(request: HttpRequest, response_id: int) -> HttpResponse:
    user = _user(request)
    _require_manager(user)
    active = request.POST.get("active") == "1"
    try:
        canned_response_set_active(actor=user, response_id=response_id, active=active, now=clock.now())
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    messages.success(
        request, _("The canned response is in use again.") if active else _("The canned response was deactivated.")
    )
    return redirect("web:canned_list")


@login_required
@require_GET
def canned_json(request: HttpRequest) -> JsonResponse:
    """The canned responses for a text box (`data-canned`), in the reader's language first."""
    purpose = str(request.GET.get("purpose", ""))
    if purpose not in CannedPurpose.values or _user(request).role not in STAFF_ROLES:
        return JsonResponse({"results": []})
    rows = canned_responses(purpose=purpose, language=get_language())[:100]
    return JsonResponse({"results": [{"id": r.pk, "title": r.title, "body": r.body} for r in rows]})


# --- bulk actions on queue rows --------------------------------------------------------------


def bulk_offers(user: User) -> dict[str, bool]:
    """Which bulk actions the queue offers this user (each complaint is still checked on its own)."""
    from kesu.supervision.services import may_create_capa

    return {
        "acknowledge": user.role in FRONT_DESK,
        "assign": user.role in SUPERVISORS,
        "export": True,
        "capa": user.role != Role.AUDITOR and may_create_capa(user),
    }


@login_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    action = str(request.POST.get("bulk_action", ""))
    numbers = [str(n) for n in request.POST.getlist("numbers")]
    back = str(request.POST.get("next", ""))
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("web:workspace")
    offers = bulk_offers(user)
    if action not in offers:
        raise Http404(_("Unknown action."))
    if not offers[action]:
        raise DjangoPermissionDenied(_("Your role may not take this action."))
    if not numbers:
        messages.error(request, _("Select at least one complaint first."))
        return redirect(back)
    if action == "export":
        return _export(user, numbers)
    if action == "capa":
        return redirect(CAPA_NEW_PATH + "?" + urlencode([("complaints", n) for n in numbers]))
    payload: dict[str, Any] = {}
    if action == "assign":
        payload = BulkAssignForm(request.POST).payload()
    result = complaints_bulk_transition(actor=user, numbers=numbers, action=action, payload=payload, now=clock.now())
    label = _("Acknowledge") if action == "acknowledge" else _("Assign")
    if result.done:
        messages.success(
            request,
            _("%(action)s done for %(count)d: %(numbers)s.")
            % {"action": label, "count": len(result.done), "numbers": "、".join(result.done)},
        )
    for number, why in result.refused:
        messages.error(request, _("%(number)s not done: %(reason)s") % {"number": number, "reason": why})
    return redirect(back)


def _export(user: User, numbers: list[str]) -> HttpResponse:
    header, rows = queue_export(user=user, numbers=numbers)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="complaints.csv"'
    response.write("\ufeff")  # so that spreadsheet programs read the Chinese text as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response
