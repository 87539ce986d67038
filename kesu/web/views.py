"""Staff workspace: sign-in, queues, the complaint page and its actions, intake, dashboard.

Thin edges: each view parses its input, calls one service or selector, renders."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.forms import ThrottledAuthenticationForm, answer_429_when_throttled
from kesu.accounts.models import Role, User
from kesu.accounts.permissions import can_register
from kesu.complaints.selectors import complaint_get
from kesu.complaints.services.classification import complaint_reclassify
from kesu.complaints.services.evidence import attachment_add, attachment_get
from kesu.complaints.services.intake_files import Upload, staff_register
from kesu.complaints.services.notes import complaint_note_add
from kesu.complaints.services.transitions import complaint_transition
from kesu.core import clock
from kesu.core.errors import DomainError, FieldError, ValidationFailed
from kesu.deadlines.services import deadline_extend, deadlines_pause, deadlines_resume
from kesu.reports.selectors import dashboard_figures_cached
from kesu.resolution.investigations import investigation_record, parse_investigation
from kesu.web import forms
from kesu.web.selectors import DASHBOARD_ROLES, complaint_page, filter_choices, intake_check, intake_choices, queue_page


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- sign-in ---------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in, throttled per account and address against password guessing (failures only)."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    authentication_form = ThrottledAuthenticationForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return answer_429_when_throttled(super().post)(request, *args, **kwargs)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


# --- queues ----------------------------------------------------------------------------------


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    from kesu.web.helpdesk_forms import BulkAssignForm
    from kesu.web.helpdesk_views import bulk_offers
    from kesu.web.queue_forms import QueueForm
    from kesu.web.selectors import bulk_assignees

    user = _user(request)
    now = clock.now()
    choices = filter_choices()
    form = QueueForm(request.GET, **choices)
    query = form.query(request.GET.get("queue", ""), request.GET.get("page"), str(request.GET.get("q", "")))
    result = queue_page(user=user, query=query, now=now)
    offers = bulk_offers(user)
    bulk_form = BulkAssignForm(departments=choices["departments"], users=bulk_assignees()) if offers["assign"] else None
    context = {
        "form": form,
        "result": result,
        "page": result.page,
        "now": now,
        "query": query,
        "nav": "queues",
        "received_toggle": "received_at" if query.sort == "-received_at" else "-received_at",
        "offers": offers,
        "bulk_form": bulk_form,
    }
    # htmx requests get the same page and pick out the queue (hx-select), so tabs keep the filters.
    return render(request, "web/workspace.html", context)


# --- one complaint ---------------------------------------------------------------------------


def _complaint_context(
    request: HttpRequest,
    number: str,
    *,
    failed_action: str | None = None,
    failed_form: Any = None,
    investigation_form: Any = None,
    panel_forms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = _user(request)
    page = complaint_page(user=user, number=number)
    if page is None:
        raise Http404(_("No complaint has this number."))
    choices: dict[str, Any] = {
        "departments": page.departments,
        "users": page.assignable,
        "alternatives": page.solution.alternatives if page.solution else 1,
    }
    main: list[dict[str, Any]] = []
    secondary: list[dict[str, Any]] = []
    for action in page.actions:
        form = failed_form if action == failed_action else forms.action_form(action, **choices)
        # A new round while the customer considers the current one is folded, like the rare actions.
        folded = action == "propose_solution" and page.complaint.status == "solution_proposed"
        item = {
            "action": action,
            "label": forms.ACTION_LABELS[action],
            "form": form,
            "failed": action == failed_action,
            "open": action == failed_action or not folded,
        }
        (secondary if action in forms.SECONDARY_ACTIONS else main).append(item)
    # An action no longer offered (someone else moved the complaint meanwhile) reports at the top.
    stale_errors = failed_form.errors.get("__all__", []) if failed_action and failed_action not in page.actions else []
    if investigation_form is None and page.can_investigate:
        investigation_form = forms.InvestigationForm(
            initial=forms.investigation_initial(page.investigation), departments=page.departments
        )
    panels = dict(panel_forms or {})
    if page.can_note:
        panels.setdefault("note", forms.NoteAddForm())
    if page.can_reclassify:
        panels.setdefault(
            "reclassify",
            forms.ReclassifyForm(
                categories=page.reclassify_categories, grading=user.role != Role.HANDLER, initial={"category": ""}
            ),
        )
    if page.can_pause and page.pause is None:
        panels.setdefault("pause", forms.PauseForm())
    if page.extendable:
        panels.setdefault("extend", forms.ExtendForm(deadlines=page.extendable))
    blocked = [
        {"action": action, "label": forms.ACTION_LABELS[action], "reason": reason}
        for action, reason in page.blocked
        if action in forms.EXPLAINED_WHEN_BLOCKED
    ]
    return {
        "p": page,
        "c": page.complaint,
        "now": clock.now(),
        "main_actions": main,
        "secondary_actions": secondary,
        "can_upload": user.role != Role.AUDITOR,
        "stale_errors": stale_errors,
        "investigation_form": investigation_form,
        "panels": panels,
        "blocked": blocked,
        "failed_panel": next(iter(panel_forms), "") if panel_forms else "",
    }


@login_required
@require_GET
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "web/complaint.html", _complaint_context(request, number))


@login_required
@require_POST
def complaint_act(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in forms.ACTION_FORMS:
        raise Http404(_("Unknown action."))
    form = forms.action_form(action, request.POST, alternatives=forms.ALTERNATIVES)
    try:
        complaint_transition(
            actor=_user(request),
            number=number,
            action=action,
            payload=form.payload(),  # type: ignore[attr-defined]
            now=clock.now(),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        mapping = form.error_mapping() if isinstance(form, forms.ProposeForm) else {}
        forms.apply_errors(form, exc.errors, mapping)
        context = _complaint_context(request, number, failed_action=action, failed_form=form)
        return render(request, "web/complaint.html", context, status=exc.status)
    messages.success(request, _("Done: %(action)s.") % {"action": forms.ACTION_LABELS[action]})
    return redirect("web:complaint", number=number)


def _panel(
    request: HttpRequest, number: str, name: str, form: Any, write: Any, done: str, anchor: str = ""
) -> HttpResponse:
    """Run one write that is not a status move; on a refusal show the page with the form as typed."""
    try:
        write()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        forms.apply_errors(form, exc.errors)
        context = _complaint_context(request, number, panel_forms={name: form})
        return render(request, "web/complaint.html", context, status=exc.status)
    messages.success(request, done)
    return redirect(reverse("web:complaint", args=[number]) + anchor)


@login_required
@require_POST
def note_add(request: HttpRequest, number: str) -> HttpResponse:
    """A note without a status change: internal, or a reply the customer reads on the portal."""
    form = forms.NoteAddForm(request.POST)
    values = form.payload()

    def write() -> None:
        complaint_note_add(
            actor=_user(request), number=number, text=values["text"], visibility=values["visibility"], now=clock.now()
        )

    done = (
        _("The reply to the customer was added; they read it on the portal.")
        if values["visibility"] == "customer"
        else _("The internal note was added.")
    )
    return _panel(request, number, "note", form, write, done, "#h-timeline")


@login_required
@require_POST
def reclassify(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    page = complaint_page(user=user, number=number)
    if page is None:
        raise Http404(_("No complaint has this number."))
    form = forms.ReclassifyForm(request.POST, categories=page.reclassify_categories, grading=user.role != Role.HANDLER)
    payload = {k: v for k, v in form.payload().items() if k in form.fields and v != ""}

    def write() -> None:
        complaint_reclassify(actor=user, number=number, payload=payload, now=clock.now())

    return _panel(request, number, "reclassify", form, write, _("The classification was changed."))


@login_required
@require_POST
def deadlines_pause_view(request: HttpRequest, number: str) -> HttpResponse:
    form = forms.PauseForm(request.POST)
    values = form.payload()

    def write() -> None:
        if not values["reason"]:
            raise ValidationFailed([FieldError("reason", _("Choose why the clocks stop."), "required")])
        deadlines_pause(
            actor=_user(request), number=number, reason=values["reason"], note=values["note"][:500], now=clock.now()
        )

    return _panel(request, number, "pause", form, write, _("The deadlines are paused."), "#h-deadlines")


@login_required
@require_POST
def deadlines_resume_view(request: HttpRequest, number: str) -> HttpResponse:
    def write() -> None:
        deadlines_resume(actor=_user(request), number=number, now=clock.now())

    return _panel(
        request, number, "resume", forms.ActionForm(request.POST), write, _("The deadlines run again."), "#h-deadlines"
    )


@login_required
@require_POST
def deadline_extend_view(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    page = complaint_page(user=user, number=number)
    if page is None:
        raise Http404(_("No complaint has this number."))
    form = forms.ExtendForm(request.POST, deadlines=page.extendable)
    values = form.payload()

    def write() -> None:
        if values["kind"] not in {row.kind for row in page.extendable}:
            raise ValidationFailed([FieldError("kind", _("This deadline cannot be extended."), "invalid_choice")])
        deadline_extend(actor=user, number=number, kind=values["kind"], reason=values["reason"][:2000], now=clock.now())

    return _panel(request, number, "extend", form, write, _("The deadline was extended."), "#h-deadlines")


@login_required
@require_POST
def investigation(request: HttpRequest, number: str) -> HttpResponse:
    """Record the root cause and responsibility (not a status move; a solution needs them)."""
    form = forms.InvestigationForm(request.POST, departments=filter_choices()["departments"])
    try:
        investigation_record(
            actor=_user(request), number=number, values=parse_investigation(form.payload()), now=clock.now()
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        forms.apply_errors(form, exc.errors)
        context = _complaint_context(request, number, investigation_form=form)
        return render(request, "web/complaint.html", context, status=exc.status)
    messages.success(request, _("The investigation was recorded."))
    return redirect("web:complaint", number=number)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed([])
        attachment_add(
            actor=user,
            complaint=complaint,
            upload=upload,
            name=upload.name or "file",
            size=upload.size or 0,
            description=str(request.POST.get("description", "")),
            now=clock.now(),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied(str(exc)) from exc
        messages.error(request, " ".join(str(e.message) for e in exc.errors) or _("Choose a file to upload."))
    else:
        messages.success(request, _("The file was added."))
    return redirect(reverse("web:complaint", args=[number]) + "#evidence")


@login_required
@require_GET
def evidence_file(request: HttpRequest, number: str, attachment_id: int) -> FileResponse:
    complaint = complaint_get(user=_user(request), number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    try:
        attachment = attachment_get(complaint=complaint, attachment_id=attachment_id, user=_user(request))
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    inline = attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- intake ----------------------------------------------------------------------------------


@login_required
def intake(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_register(user):
        raise DjangoPermissionDenied(_("Your role may not register complaints."))
    choices = intake_choices()
    if request.method != "POST":
        form = forms.IntakeForm(
            initial={"channel": request.GET.get("channel", "phone"), "urgency": "normal"}, **choices
        )
        return render(request, "web/intake.html", {"form": form, "check": None})
    form = forms.IntakeForm(request.POST, **choices)
    uploads = [Upload(file=f, name=f.name or "file", size=f.size or 0) for f in request.FILES.getlist("evidence")]
    try:
        complaint = staff_register(actor=user, payload=form.payload(), uploads=uploads, now=clock.now())
    except ValidationFailed as exc:
        forms.apply_errors(form, [e for e in exc.errors if e.field != "evidence"], forms.INTAKE_FIELDS)
        context = {
            "form": form,
            "check": _check(request, form.data),
            "evidence_errors": [str(e.message) for e in exc.errors if e.field == "evidence"],
        }
        return render(request, "web/intake.html", context, status=422)
    except DomainError as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    messages.success(request, _("Complaint %(number)s registered.") % {"number": complaint.number})
    return redirect("web:complaint", number=complaint.number)


def _check(request: HttpRequest, data: Any) -> Any:
    text = " ".join(str(data.get(k, "")) for k in ("title", "description", "demand", "location", "product_name"))
    return intake_check(
        user=_user(request),
        phone=str(data.get("customer_phone", "")),
        email=str(data.get("customer_email", "")),
        text=text,
        channel=str(data.get("channel", "")),
    )


@login_required
@require_POST
def intake_check_view(request: HttpRequest) -> HttpResponse:
    """htmx: the repeat-complaint warning and the severity suggestion while the form is typed."""
    if not can_register(_user(request)):
        raise DjangoPermissionDenied
    return render(
        request,
        "web/_intake_check.html",
        {"check": _check(request, request.POST), "selected": request.POST.get("related_to", "")},
    )


# --- dashboard -------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in DASHBOARD_ROLES:
        raise DjangoPermissionDenied(_("The dashboard is for supervisors, managers and auditors."))
    figures = dashboard_figures_cached(user=user, now=clock.now())
    charts = {key: figures[key] for key in ("by_channel", "by_category", "by_department")}
    return render(
        request,
        "web/dashboard.html",
        {"figures": figures, "charts": charts, "charts_json": json.dumps(charts, ensure_ascii=False)},
    )
