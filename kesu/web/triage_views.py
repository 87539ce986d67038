"""Triage intelligence in the workspace (issue 10): the suggestions, same-matter candidates and
escalation risk beside a complaint (an htmx panel of the complaint page), linking and merging
with one click, the supervisors' risk queue (上升风险) and the triage policy in the configuration."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES, SUPERVISORS, can_configure
from kesu.complaints.models import OPEN_STATUSES, Complaint
from kesu.complaints.selectors import visible_complaints
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.triage.configuration import triage_policy_save
from kesu.triage.duplicates import complaint_link, complaint_merge_duplicate, complaint_same_matter, linked_complaints
from kesu.triage.intelligence import NotEnoughData, advise, complaint_text, train_classifier
from kesu.triage.models import (
    ClassifierVersion,
    EscalationRisk,
    LinkReason,
    TriageOverride,
    TriagePolicy,
    TriageSuggestion,
)
from kesu.triage.risk import assess, reason_text
from kesu.web.triage_forms import TriagePolicyForm


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_see_risk_queue(user: Any) -> bool:
    return getattr(user, "role", None) in SUPERVISORS


def _complaint(user: User, number: str) -> Complaint:
    complaint = visible_complaints(user).select_related("category", "severity_rule").filter(number=number).first()
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    return complaint


@login_required
@require_GET
def complaint_panel(request: HttpRequest, number: str) -> HttpResponse:
    """htmx: what the classifier and the rules suggested, the same-matter candidates, the risk."""
    user = _user(request)
    complaint = _complaint(user, number)
    now = clock.now()
    suggestion = (
        TriageSuggestion.objects.filter(complaint=complaint).select_related("category", "rule", "model").first()
    )
    live = None
    if suggestion is None:  # registered before the classifier: the advice as it would be today
        live = advise(
            text=complaint_text(
                title=complaint.title,
                description=complaint.description,
                demand=complaint.demand,
                product=complaint.product_name,
            ),
            channel=complaint.channel,
        )
    is_open = complaint.status in OPEN_STATUSES
    acts = user.role in STAFF_ROLES and is_open
    candidates = complaint_same_matter(user=user, complaint=complaint, now=now) if is_open else []
    stored_risk = EscalationRisk.objects.filter(complaint=complaint).first()
    risk = assess(complaint=complaint, now=now) if is_open else None
    context = {
        "c": complaint,
        "suggestion": suggestion,
        "live": live,
        "overrides": list(
            TriageOverride.objects.filter(complaint=complaint).select_related("actor").order_by("-at")[:5]
        ),
        "candidates": candidates,
        "linked": linked_complaints(user=user, complaint=complaint),
        "risk": risk,
        "risk_reasons": [reason_text(r) for r in risk.reasons] if risk else [],
        "stored_risk": stored_risk,
        "can_link": acts,
        "can_merge": acts and user.role in SUPERVISORS,
        "policy": TriagePolicy.current(),
    }
    return render(request, "web/triage/_panel.html", context)


def _back(number: str) -> HttpResponse:
    return redirect(reverse("web:complaint", args=[number]) + "#h-triage")


def _refuse(request: HttpRequest, number: str, exc: DomainError) -> HttpResponse:
    if exc.status == 403:
        raise DjangoPermissionDenied(str(exc)) from exc
    if exc.status == 404:
        raise Http404(str(exc)) from exc
    text = "; ".join(str(e.message) for e in getattr(exc, "errors", [])) or str(exc)
    messages.error(request, text)
    return _back(number)


@login_required
@require_POST
def complaint_link_view(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    _complaint(user, number)  # a complaint the user may not read is not there for them
    other = str(request.POST.get("other", "")).strip()
    reason = str(request.POST.get("reason", LinkReason.STAFF))
    try:
        complaint_link(actor=user, number=number, other=other, reason=reason, now=clock.now())
    except DomainError as exc:
        return _refuse(request, number, exc)
    messages.success(request, _("Linked %(a)s and %(b)s as the same matter.") % {"a": number, "b": other})
    return _back(number)


@login_required
@require_POST
def complaint_merge_view(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    _complaint(user, number)  # a complaint the user may not read is not there for them
    into = str(request.POST.get("into", "")).strip()
    reason = str(request.POST.get("reason", LinkReason.STAFF))
    try:
        complaint_merge_duplicate(actor=user, number=number, into=into, reason=reason, now=clock.now())
    except DomainError as exc:
        return _refuse(request, number, exc)
    messages.success(request, _("%(a)s was merged into %(b)s.") % {"a": number, "b": into})
    return _back(number)


@login_required
@require_GET
def risk_queue(request: HttpRequest) -> HttpResponse:
    """上升风险: the open complaints flagged as likely to go to a regulator, the media or a court."""
    user = _user(request)
    if not may_see_risk_queue(user):
        raise DjangoPermissionDenied(_("The escalation-risk queue is for supervisors and managers."))
    rows = (
        EscalationRisk.objects.filter(
            flagged=True,
            complaint__in=visible_complaints(user).filter(status__in=OPEN_STATUSES).values("pk"),
        )
        .select_related("complaint", "complaint__assignee", "complaint__department")
        .order_by("-score", "-flagged_at", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    items = [{"risk": r, "c": r.complaint, "reasons": [reason_text(x) for x in r.reasons]} for r in page.object_list]
    return render(request, "web/triage/risk_queue.html", {"page": page, "items": items, "nav": "risk"})


@login_required
@require_POST
def risk_assess(request: HttpRequest) -> HttpResponse:
    """Assess now what the scheduled sweep would assess next (the open complaints with news)."""
    user = _user(request)
    if not may_see_risk_queue(user):
        raise DjangoPermissionDenied(_("The escalation-risk queue is for supervisors and managers."))
    from kesu.triage.risk import sweep

    count = sweep(now=clock.now())
    messages.success(request, _("%(n)d open complaints assessed.") % {"n": count})
    return redirect("web:risk_queue")


# --- configuration ---------------------------------------------------------------------------


def _require_configurer(request: HttpRequest) -> User:
    user = _user(request)
    if not can_configure(user):
        raise DjangoPermissionDenied(_("Only managers change the configuration."))
    return user


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    _require_configurer(request)
    from kesu.web.settings_views import SECTION_TITLES

    versions = list(ClassifierVersion.objects.defer("blob").select_related("trained_by").order_by("-version")[:10])
    return render(
        request,
        "web/triage/settings.html",
        {
            "policy": TriagePolicy.current(),
            "versions": versions,
            "section_title": SECTION_TITLES["triage"],
            "nav": "settings",
        },
    )


@login_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    user = _require_configurer(request)
    from kesu.web.settings_views import SECTION_TITLES, _edit

    policy = TriagePolicy.current()
    initial = {
        name: getattr(policy, name)
        for name in (
            "min_confidence",
            "duplicate_window_days",
            "duplicate_similarity",
            "risk_threshold",
            "risk_escalation_level",
            "retrain_hours",
            "serious_loss_amount",
            "serious_defect_quantity",
            "serious_nature_categories",
        )
    }
    form = TriagePolicyForm(request.POST or None, initial=initial)
    return _edit(
        request,
        section="triage",
        form=form,
        save=lambda data: triage_policy_save(actor=user, values=data, now=clock.now()),
        title=str(SECTION_TITLES["triage"]),
        done=_("The triage policy was saved."),
        back=reverse("web:settings_triage"),
    )


@login_required
@require_POST
def train_view(request: HttpRequest) -> HttpResponse:
    user = _require_configurer(request)
    try:
        row = train_classifier(actor=user, now=clock.now())
    except NotEnoughData as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Classifier version %(v)d trained on %(n)d complaints.") % {"v": row.version, "n": row.samples},
        )
    return redirect("web:settings_triage")
