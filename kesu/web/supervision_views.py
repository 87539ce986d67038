"""Supervision pages (SPEC SV-1, SV-2, SV-4): CAPAs from one or many complaints, quality-review
samples and their reviews, and the roll-up of responsibility and penalties.

Thin edges: parse, call the supervision service or selector, render; refusals answer 403 and
write nothing; a form that fails keeps what was typed with the service's message by the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import MANAGERS, STAFF_ROLES
from kesu.complaints.selectors import visible_complaints
from kesu.core import clock
from kesu.core.errors import DomainError, FieldError
from kesu.supervision import selectors, services
from kesu.supervision.models import CapaStatus, QualityReview
from kesu.web import supervision_forms as sf
from kesu.web.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_read_supervision(user: User) -> bool:
    return services.may_supervise(user) or user.role == Role.AUDITOR


def may_create_capa(user: User) -> bool:
    return user.role in STAFF_ROLES and services.may_create_capa(user)


def _forbid(exc: DomainError) -> None:
    if exc.status == 403:
        raise DjangoPermissionDenied(str(exc)) from exc
    if exc.status == 404:
        raise Http404(str(exc)) from exc


def _capa_errors(errors: list[FieldError], numbers: list[str]) -> list[FieldError]:
    """`complaints[2]` → the complaints field, naming the number."""
    mapped = []
    for error in errors:
        field = error.field or ""
        if field.startswith("complaints["):
            index = int(field[len("complaints[") :].rstrip("]"))
            number = numbers[index] if index < len(numbers) else ""
            error = FieldError("complaints", f"{number}: {error.message}", error.code)
        mapped.append(error)
    return mapped


def _owners() -> list[User]:
    return list(
        User.objects.filter(is_active=True, role__in=STAFF_ROLES)
        .select_related("department")
        .order_by("department__code", "username")
    )


# --- CAPA ------------------------------------------------------------------------------------

CAPA_TABS = [
    ("open", gettext_lazy("open")),
    ("completed", gettext_lazy("awaiting verification")),
    ("overdue", gettext_lazy("overdue")),
    ("verified", gettext_lazy("verified")),
    ("all", gettext_lazy("all")),
]
CAPA_EVENT_LABELS = {
    "created": gettext_lazy("created"),
    "completed": gettext_lazy("reported completed"),
    "verified": gettext_lazy("verified effective"),
    "reopened": gettext_lazy("verified not effective, reopened"),
    "escalated": gettext_lazy("escalated as overdue"),
}


@login_required
@require_GET
def capa_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    tab = request.GET.get("status", "open")
    if tab not in dict(CAPA_TABS):
        tab = "open"
    if tab == "overdue":
        rows = selectors.capa_list(user=user, status=CapaStatus.OPEN, overdue=True)
    else:
        rows = selectors.capa_list(user=user, status=None if tab == "all" else tab)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "web/supervision/capa_list.html",
        {
            "page": page,
            "tabs": CAPA_TABS,
            "tab": tab,
            "can_create": may_create_capa(user),
            "nav": "capas",
            "now": clock.now(),
        },
    )


@login_required
def capa_new(request: HttpRequest) -> HttpResponse:
    """A CAPA for the complaints named by `?complaints=…` (the queue's selection or one complaint)."""
    user = _user(request)
    if not may_create_capa(user):
        raise DjangoPermissionDenied(_("Only supervisors, managers and the quality department open CAPAs."))
    owners = _owners()
    if request.method != "POST":
        numbers = [n.strip() for n in request.GET.getlist("complaints") if n.strip()]
        linked = list(visible_complaints(user).filter(number__in=numbers).order_by("number"))
        due = timezone.localtime(clock.now() + dt.timedelta(days=14)).replace(hour=18, minute=0)
        initial = {
            "complaints": "\n".join(numbers),
            "due_at": due.strftime(sf.DATETIME_LOCAL),
            "title": linked[0].title if len(linked) == 1 else "",
        }
        form = sf.CapaForm(initial=initial, users=owners)
        return render(request, "web/supervision/capa_new.html", {"form": form, "linked": linked, "nav": "capas"})
    form = sf.CapaForm(request.POST, users=owners)
    values = form.values()
    try:
        capa = services.capa_create(actor=user, now=clock.now(), **values)
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, _capa_errors(exc.errors, values["complaints"]))
        linked = list(visible_complaints(user).filter(number__in=values["complaints"]).order_by("number"))
        return render(
            request,
            "web/supervision/capa_new.html",
            {"form": form, "linked": linked, "nav": "capas"},
            status=exc.status,
        )
    messages.success(request, _("CAPA %(id)s was opened.") % {"id": capa.pk})
    return redirect("web:capa", capa_id=capa.pk)


def _capa_context(
    request: HttpRequest, capa_id: int, *, complete_form: Any = None, verify_form: Any = None
) -> dict[str, Any]:
    user = _user(request)
    capa = selectors.capa_get(user=user, capa_id=capa_id)
    if capa is None:
        raise Http404(_("No CAPA has this number."))
    staff = user.role in STAFF_ROLES
    can_complete = staff and capa.status == CapaStatus.OPEN and (capa.owner_id == user.pk or user.role in MANAGERS)
    can_verify = (
        staff and capa.status == CapaStatus.COMPLETED and services.may_verify(user) and capa.owner_id != user.pk
    )
    history = [{"event": e, "label": CAPA_EVENT_LABELS.get(e.kind, e.kind)} for e in capa.events.all()]
    return {
        "capa": capa,
        "complaints": sorted(capa.complaints.all(), key=lambda c: c.number),
        "history": history,
        "can_complete": can_complete,
        "can_verify": can_verify,
        "nav": "capas",
        "complete_form": complete_form or sf.CapaCompleteForm(),
        "verify_form": verify_form or sf.CapaVerifyForm(),
        "now": clock.now(),
    }


@login_required
@require_GET
def capa_detail(request: HttpRequest, capa_id: int) -> HttpResponse:
    return render(request, "web/supervision/capa_detail.html", _capa_context(request, capa_id))


@login_required
@require_POST
def capa_complete(request: HttpRequest, capa_id: int) -> HttpResponse:
    form = sf.CapaCompleteForm(request.POST)
    try:
        services.capa_complete(
            actor=_user(request), capa_id=capa_id, note=str(request.POST.get("note", "")), now=clock.now()
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        return render(
            request,
            "web/supervision/capa_detail.html",
            _capa_context(request, capa_id, complete_form=form),
            status=exc.status,
        )
    messages.success(request, _("The CAPA was reported completed; it now awaits verification."))
    return redirect("web:capa", capa_id=capa_id)


@login_required
@require_POST
def capa_verify(request: HttpRequest, capa_id: int) -> HttpResponse:
    form = sf.CapaVerifyForm(request.POST)
    values = form.values()
    try:
        capa = services.capa_verify(actor=_user(request), capa_id=capa_id, now=clock.now(), **values)
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        return render(
            request,
            "web/supervision/capa_detail.html",
            _capa_context(request, capa_id, verify_form=form),
            status=exc.status,
        )
    if capa.status == CapaStatus.VERIFIED:
        messages.success(request, _("The CAPA was verified effective."))
    else:
        messages.success(request, _("The CAPA was reopened with a new due date."))
    return redirect("web:capa", capa_id=capa_id)


# --- quality-review samples (SV-1) ------------------------------------------------------------


def _samples_context(user: User, form: Any) -> dict[str, Any]:
    try:
        runs = list(selectors.sample_list(user=user)[:100])
    except DomainError as exc:
        raise DjangoPermissionDenied(str(exc)) from exc
    return {
        "runs": runs,
        "form": form,
        "can_draw": user.role in STAFF_ROLES and services.may_supervise(user),
        "nav": "samples",
    }


@login_required
def samples(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_read_supervision(user):
        raise DjangoPermissionDenied(_("Only the supervision team and auditors see review samples."))
    if request.method != "POST":
        today = timezone.localdate(clock.now())
        form = sf.SampleForm(
            initial={
                "period_start": (today - dt.timedelta(days=30)).isoformat(),
                "period_end": today.isoformat(),
                "size": 10,
            }
        )
        return render(request, "web/supervision/samples.html", _samples_context(user, form))
    form = sf.SampleForm(request.POST)
    values, bad = form.values()
    try:
        if bad:
            raise DomainError("")  # unreadable input: shown by the fields below, nothing drawn
        run = services.sample_draw(actor=user, now=clock.now(), **values)
    except DomainError as exc:
        _forbid(exc)
        errors = [FieldError(f, m) for f, m in bad] if bad else exc.errors
        apply_errors(form, errors)
        return render(
            request, "web/supervision/samples.html", _samples_context(user, form), status=422 if bad else exc.status
        )
    messages.success(request, _("A sample of %(count)d complaints was drawn.") % {"count": run.reviews.count()})
    return redirect("web:sample", run_id=run.pk)


def _sample_context(
    request: HttpRequest, run_id: int, *, failed: int | None = None, failed_form: Any = None
) -> dict[str, Any]:
    user = _user(request)
    if not may_read_supervision(user):
        raise DjangoPermissionDenied(_("Only the supervision team and auditors see review samples."))
    run = selectors.sample_get(user=user, run_id=run_id)
    if run is None:
        raise Http404(_("No sample has this number."))
    can_review = user.role in STAFF_ROLES and services.may_supervise(user)
    rows: list[dict[str, Any]] = []
    for review in selectors.sample_reviews(run).select_related("complaint__category", "complaint__assignee"):
        own = user.pk in (review.complaint.assignee_id, review.complaint.recorded_by_id)
        form = failed_form if review.pk == failed else sf.ReviewForm(prefix=f"r{review.pk}")
        rows.append(
            {"review": review, "form": form, "own": own, "open": can_review and review.reviewed_at is None and not own}
        )
    # OP-4: the service phrases the reviewer scores against (kesu/desk/phrases.py).
    from kesu.desk.phrases import phrase_review_many

    phrase_reviews = phrase_review_many([row["review"].complaint_id for row in rows])
    for row in rows:
        row["phrases"] = phrase_reviews.get(row["review"].complaint_id)
    done = sum(1 for row in rows if row["review"].reviewed_at is not None)
    return {"run": run, "rows": rows, "done": done, "nav": "samples", "failed": failed}


@login_required
@require_GET
def sample_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    return render(request, "web/supervision/sample.html", _sample_context(request, run_id))


@login_required
@require_POST
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    user = _user(request)
    if not may_read_supervision(user):
        raise DjangoPermissionDenied(_("Only the supervision team reviews complaints."))
    row = QualityReview.objects.filter(pk=review_id).first()
    if row is None:
        raise Http404(_("No review has this number."))
    form = sf.ReviewForm(request.POST, prefix=f"r{review_id}")
    score = form.score_value()
    try:
        services.review_record(
            actor=user,
            review_id=review_id,
            score=-1 if score is None else score,
            findings=str(request.POST.get(form.add_prefix("findings"), "")),
            now=clock.now(),
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        context = _sample_context(request, row.run_id, failed=review_id, failed_form=form)
        return render(request, "web/supervision/sample.html", context, status=exc.status)
    messages.success(request, _("The review of %(number)s was recorded.") % {"number": row.complaint.number})
    return redirect("web:sample", run_id=row.run_id)


# --- roll-up (SV-4) ---------------------------------------------------------------------------

SOURCE_LABELS = {
    "investigation": gettext_lazy(
        "Responsibility as recorded by the investigations of complaints closed in the period."
    ),
    "complaints": gettext_lazy("No responsibility is recorded yet: complaints are counted by who handled them."),
}


@login_required
@require_GET
def rollup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_read_supervision(user):
        raise DjangoPermissionDenied(_("Only the supervision team and auditors see the roll-up."))
    today = timezone.localdate(clock.now())
    form = sf.RollupForm(
        request.GET or None,
        initial={"date_from": (today - dt.timedelta(days=30)).isoformat(), "date_to": today.isoformat()},
    )
    date_from = sf.parse_day(request.GET.get("date_from")) if request.GET else today - dt.timedelta(days=30)
    date_to = sf.parse_day(request.GET.get("date_to")) if request.GET else today
    result = None
    if date_from is None:
        form.add_error("date_from", _("Give a date."))
    if date_to is None:
        form.add_error("date_to", _("Give a date."))
    if date_from and date_to and date_to < date_from:
        form.add_error("date_to", _("The period ends before it starts."))
    if not form.errors and date_from and date_to:
        result = selectors.responsibility_rollup(user=user, date_from=date_from, date_to=date_to)
        names = {u.username: str(u) for u in User.objects.filter(username__in=[r.key for r in result.people])}
        for row in result.people:
            row.name = names.get(row.key, row.name)
    return render(
        request,
        "web/supervision/rollup.html",
        {
            "form": form,
            "result": result,
            "nav": "rollup",
            "source": SOURCE_LABELS.get(result.source, "") if result else "",
        },
        status=422 if form.errors else 200,
    )
