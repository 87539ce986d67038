"""Customer portal: file a complaint, follow it by number and contact, answer the solution, rate.

No accounts: a customer proves who they are with the phone or e-mail they gave; the proof is
kept in their session for the complaints they opened. Public actions are rate-limited."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.complaints.selectors import complaint_timeline
from kesu.complaints.services.intake_files import Upload
from kesu.complaints.services.public import (
    public_answer_solution,
    public_lookup,
    public_rate,
    public_rating,
    public_register_with_photos,
    public_solution,
)
from kesu.core import clock
from kesu.core.errors import DomainError, ValidationFailed
from kesu.core.ratelimit import client_ip, hit
from kesu.portal import forms
from kesu.web.forms import apply_errors

ACCESS = "portal_access"  # session: {number: contact}
SUBMITTED = "portal_submitted"
MAX_REMEMBERED = 10


def _limited(request: HttpRequest, scope: str) -> str | None:
    retry = hit(scope, client_ip(request), settings.KESU_PUBLIC_RATE_LIMIT)
    if retry is None:
        return None
    return _("Too many requests; try again in %(seconds)d seconds.") % {"seconds": retry}


def _remember(request: HttpRequest, number: str, contact: str) -> None:
    access = dict(request.session.get(ACCESS, {}))
    access.pop(number, None)
    access[number] = contact
    request.session[ACCESS] = dict(list(access.items())[-MAX_REMEMBERED:])


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"track": forms.TrackForm()})


def new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/new.html", {"form": forms.ComplaintForm()})
    form = forms.ComplaintForm(request.POST)
    limited = _limited(request, "public_create")
    if limited:
        form.add_error(None, limited)
        return render(request, "portal/new.html", {"form": form}, status=429)
    uploads = [Upload(file=f, name=f.name or "photo", size=f.size or 0) for f in request.FILES.getlist("photos")]
    try:
        complaint = public_register_with_photos(
            payload=form.payload(), uploads=uploads, consented=form.consented(), now=clock.now()
        )
    except ValidationFailed as exc:
        apply_errors(form, [e for e in exc.errors if e.field != "photos"], forms.COMPLAINT_FIELDS)
        photo_errors = [str(e.message) for e in exc.errors if e.field == "photos"]
        return render(request, "portal/new.html", {"form": form, "photo_errors": photo_errors}, status=422)
    contact = complaint.contact_phone or complaint.contact_email
    _remember(request, complaint.number, contact)
    request.session[SUBMITTED] = complaint.number
    return redirect("portal:submitted")


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    number = request.session.get(SUBMITTED)
    contact = request.session.get(ACCESS, {}).get(number or "", "")
    complaint = public_lookup(number=number, contact=contact) if number else None
    if complaint is None:
        return redirect("portal:home")
    return render(request, "portal/submitted.html", {"c": complaint})


def track(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "portal/track.html", {"form": forms.TrackForm()})
    form = forms.TrackForm(request.POST)
    limited = _limited(request, "public_track")
    if limited:
        form.add_error(None, limited)
        return render(request, "portal/track.html", {"form": form}, status=429)
    if not form.is_valid():  # e.g. NUL characters, which PostgreSQL cannot even compare
        return render(request, "portal/track.html", {"form": form}, status=422)
    number = str(request.POST.get("number", "")).strip().upper()[:40]
    contact = str(request.POST.get("contact", "")).strip()[:254]
    complaint = public_lookup(number=number, contact=contact)
    if complaint is None:
        # The same answer for an unknown number and a wrong contact: nothing to enumerate.
        form.add_error(None, _("No complaint matches this number and contact. Check both and try again."))
        return render(request, "portal/track.html", {"form": form}, status=404)
    _remember(request, complaint.number, contact)
    return redirect("portal:complaint", number=complaint.number)


def _allowed(request: HttpRequest, number: str) -> tuple[Any, str]:
    contact = request.session.get(ACCESS, {}).get(number, "")
    complaint = public_lookup(number=number, contact=contact) if contact else None
    return complaint, contact


def _page(
    request: HttpRequest, complaint: Any, *, answer: Any = None, rate: Any = None, status: int = 200
) -> HttpResponse:
    solution = public_solution(complaint)
    context = {
        "c": complaint,
        "solution": solution,
        "remedies": list(solution.remedies.order_by("alternative", "id")) if solution else [],
        "can_answer": bool(solution and solution.status == "approved" and complaint.status == "solution_proposed"),
        "rating": public_rating(complaint),
        "can_rate": complaint.status in ("resolved", "closed"),
        "timeline": list(complaint_timeline(complaint, public_only=True)),
        "answer": answer or forms.AnswerForm(),
        "rate": rate or forms.RateForm(),
    }
    return render(request, "portal/complaint.html", context, status=status)


@require_GET
def complaint(request: HttpRequest, number: str) -> HttpResponse:
    found, _contact = _allowed(request, number)
    if found is None:
        return redirect("portal:track")
    return _page(request, found)


@require_POST
def answer(request: HttpRequest, number: str) -> HttpResponse:
    found, contact = _allowed(request, number)
    if found is None:
        return redirect("portal:track")
    form = forms.AnswerForm(request.POST)
    accepted = request.POST.get("answer") == "accept"
    limited = _limited(request, "public_answer")
    if limited:
        form.add_error(None, limited)
        return _page(request, found, answer=form, status=429)
    try:
        chosen = request.POST.get("alternative", "")
        public_answer_solution(
            number=number,
            contact=contact,
            accepted=accepted,
            note=str(request.POST.get("note", "")),
            now=clock.now(),
            alternative=int(chosen) if chosen.isdigit() else None,
        )
    except DomainError as exc:
        for error in exc.errors:
            if error.field == "reason":
                form.add_error("note", _("Please tell us why you reject the solution."))
            elif error.field == "alternative":
                form.add_error(None, _("Please choose which of the offers you accept."))
            else:
                form.add_error(None, str(error.message))
        return _page(request, found, answer=form, status=exc.status)
    messages.success(
        request,
        _("Thank you. We have your answer.")
        if not accepted
        else _("Thank you for accepting the solution. We will carry it out and tell you when it is done."),
    )
    return redirect("portal:complaint", number=number)


@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    found, contact = _allowed(request, number)
    if found is None:
        return redirect("portal:track")
    form = forms.RateForm(request.POST)
    limited = _limited(request, "public_answer")
    if limited:
        form.add_error(None, limited)
        return _page(request, found, rate=form, status=429)
    try:
        public_rate(number=number, contact=contact, now=clock.now(), **form.values())
    except DomainError as exc:
        apply_errors(form, exc.errors, {})
        return _page(request, found, rate=form, status=exc.status)
    messages.success(request, _("Thank you for your rating."))
    return redirect("portal:complaint", number=number)
