"""Workspace pages and actions of the resolution area: department tasks and the coordinator,
letters (preview, send, print) and the complaint handling form, returns and credit notes with
finance's list, follow-up visits, validity rulings and staff appeals.

Thin edges: each action reads its form, calls one service, and either goes back to the
complaint page or shows it again with the form as typed and the domain's errors on its fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kesu.accounts.models import User
from kesu.complaints.selectors import complaint_get
from kesu.complaints.validation import Collector
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.core.money import ZERO
from kesu.notifications.letters import letter_send
from kesu.notifications.models import LetterKind
from kesu.notifications.selectors import letter_preview
from kesu.notifications.templating import LETTER_VARIABLES
from kesu.resolution import adjudication, coordination, followups, returns
from kesu.resolution.models import Appeal, DepartmentTask, Investigation
from kesu.resolution.selectors import current_solution
from kesu.web import resolution_forms as rforms
from kesu.web import resolution_selectors as sel
from kesu.web.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _complaint_page(request: HttpRequest, number: str, failed: dict[str, Any], status: int) -> HttpResponse:
    """The complaint page again, with the failed form (as typed, with its errors) in its panel."""
    from kesu.web.views import _complaint_context

    context = _complaint_context(request, number)
    context["resolution_failed"] = failed
    return render(request, "web/complaint.html", context, status=status)


def _act(
    request: HttpRequest, number: str, *, key: str, form: Any, call: Callable[[Collector], Any], done: str, anchor: str
) -> HttpResponse:
    """Run `call` (which reads the form into `c` and calls one service); map refusals."""
    c = Collector()
    try:
        call(c)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        if exc.status == 403:
            raise DjangoPermissionDenied(str(exc)) from exc
        apply_errors(form, exc.errors)
        return _complaint_page(request, number, {key: form}, exc.status)
    messages.success(request, done)
    return redirect(reverse("web:complaint", args=[number]) + "#" + anchor)


def _checked(c: Collector) -> None:
    c.raise_if_any()


# --- department tasks and the coordinator ------------------------------------------------------


@login_required
@require_POST
def coordinator_set(request: HttpRequest, number: str) -> HttpResponse:
    form = rforms.CoordinatorForm(request.POST)

    def call(c: Collector) -> None:
        coordinator = form.values(c)
        _checked(c)
        assert coordinator is not None
        coordination.coordinator_set(actor=_user(request), number=number, coordinator=coordinator, now=clock.now())

    return _act(
        request, number, key="coordinator", form=form, call=call, done=_("The coordinator was named."), anchor="tasks"
    )


@login_required
@require_POST
def task_add(request: HttpRequest, number: str) -> HttpResponse:
    form = rforms.TaskForm(request.POST)

    def call(c: Collector) -> None:
        values = form.values(c)
        _checked(c)
        coordination.department_task_add(actor=_user(request), number=number, now=clock.now(), **values)

    return _act(
        request, number, key="task", form=form, call=call, done=_("The department task was handed out."), anchor="tasks"
    )


@login_required
@require_POST
def task_done(request: HttpRequest, number: str, task_id: int) -> HttpResponse:
    form = rforms.TaskDoneForm(request.POST, prefix=f"task{task_id}-done")

    def call(c: Collector) -> None:
        coordination.department_task_finish(
            actor=_user(request), number=number, task_id=task_id, result=form.value("result"), now=clock.now()
        )

    return _act(
        request,
        number,
        key=f"task{task_id}-done",
        form=form,
        call=call,
        done=_("The department task is done."),
        anchor="tasks",
    )


@login_required
@require_POST
def task_cancel(request: HttpRequest, number: str, task_id: int) -> HttpResponse:
    form = rforms.TaskCancelForm(request.POST, prefix=f"task{task_id}-cancel")

    def call(c: Collector) -> None:
        coordination.department_task_finish(
            actor=_user(request),
            number=number,
            task_id=task_id,
            result=form.value("reason"),
            cancel=True,
            now=clock.now(),
        )

    return _act(
        request,
        number,
        key=f"task{task_id}-cancel",
        form=form,
        call=call,
        done=_("The department task was cancelled."),
        anchor="tasks",
    )


# --- letters -------------------------------------------------------------------------------------


def _letter_kind(kind: str) -> str:
    if kind not in LetterKind.values:
        raise Http404(_("There is no template for this letter."))
    return kind


def _letter_form(complaint: Any, kind: str, data: Any = None) -> rforms.LetterForm:
    return rforms.LetterForm(
        data, kind=kind, channels=sel.letter_channels(complaint, kind), wanted=LETTER_VARIABLES.get(kind, ())
    )


@login_required
@require_http_methods(["GET", "POST"])
def letter(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """Preview a letter (with the texts staff may give) and send it; the record form is print only."""
    user = _user(request)
    kind = _letter_kind(kind)
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    data = request.POST if request.method == "POST" else None
    form = _letter_form(complaint, kind, data)
    sending = request.method == "POST" and request.POST.get("do") == "send"
    status = 200
    if sending:
        if not sel.is_staff(user):
            raise DjangoPermissionDenied(_("Auditors have read-only access."))
        try:
            letter_send(
                actor=user,
                number=number,
                kind=kind,
                now=clock.now(),
                channel=form.value("channel") or None,
                language=form.value("language") or None,
                extra=form.extra(),
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(str(exc)) from exc
            if exc.status == 403:
                raise DjangoPermissionDenied(str(exc)) from exc
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The letter was put in the outbox for sending."))
            return redirect(reverse("web:complaint", args=[number]) + "#letters")
    options = {o.kind: o for o in sel.letter_options(user, complaint)}
    if kind not in options:
        raise Http404(_("There is no template for this letter."))
    rendered = None
    try:
        rendered = letter_preview(
            user=user,
            number=number,
            kind=kind,
            now=clock.now(),
            language=form.value("language") or None,
            extra=form.extra(),
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        if not form.errors:
            apply_errors(form, exc.errors)
        status = status if status != 200 else exc.status
    query = {k: v for k, v in {"language": form.value("language"), **form.extra()}.items() if v}
    print_url = reverse("web:letter_print", args=[number, kind]) + (f"?{urlencode(query)}" if query else "")
    context = {
        "c": complaint,
        "kind": kind,
        "option": options[kind],
        "form": form,
        "letter": rendered,
        "print_url": print_url,
    }
    return render(request, "web/resolution/letter.html", context, status=status)


@login_required
@require_GET
def letter_print(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    """The letter or internal form alone on the page, for printing."""
    user = _user(request)
    kind = _letter_kind(kind)
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    extra = {
        name: str(request.GET.get(name, "")) for name in ("cause", "measures", "improvements") if request.GET.get(name)
    }
    try:
        rendered = letter_preview(
            user=user,
            number=number,
            kind=kind,
            now=clock.now(),
            language=request.GET.get("language") or None,
            extra=extra,
        )
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    return render(request, "web/resolution/letter_print.html", {"c": complaint, "letter": rendered})


@login_required
@require_GET
def record_print(request: HttpRequest, number: str) -> HttpResponse:
    """The complaint handling form (客诉处理单): the whole case on one printable sheet."""
    user = _user(request)
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    now = clock.now()
    solution = current_solution(complaint)
    context = {
        "c": complaint,
        "now": now,
        "investigation": Investigation.objects.filter(complaint=complaint)
        .select_related("responsible_department", "responsible_person")
        .first(),
        "solution": solution,
        "remedies": list(solution.remedies.all()) if solution else [],
        "decisions": list(solution.decisions.select_related("by").order_by("at", "id")) if solution else [],
        "p": sel.resolution_panels(user=user, complaint=complaint, now=now),
        "callbacks": list(complaint.callbacks.select_related("by").order_by("at", "id")),
    }
    return render(request, "web/resolution/record_print.html", context)


# --- returns and credit notes --------------------------------------------------------------------


@login_required
@require_POST
def return_create(request: HttpRequest, number: str) -> HttpResponse:
    form = rforms.ReturnForm(request.POST)

    def call(c: Collector) -> None:
        values = form.values(c)
        _checked(c)
        returns.return_document_create(actor=_user(request), number=number, now=clock.now(), **values)

    return _act(
        request, number, key="return", form=form, call=call, done=_("The document was issued."), anchor="returns"
    )


@login_required
@require_POST
def return_receipt(request: HttpRequest, number: str, document_id: int) -> HttpResponse:
    form = rforms.ReceiptForm(request.POST, prefix=f"receipt{document_id}")

    def call(c: Collector) -> None:
        quantity = form.values(c)
        _checked(c)
        assert quantity is not None
        returns.return_receipt_record(
            actor=_user(request), number=number, document_id=document_id, returned_quantity=quantity, now=clock.now()
        )

    return _act(
        request,
        number,
        key=f"receipt{document_id}",
        form=form,
        call=call,
        done=_("The returned goods were recorded."),
        anchor="returns",
    )


@login_required
@require_GET
def finance_returns(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sel.may_see_finance(user):
        raise DjangoPermissionDenied(_("Only finance and managers see the returns and allowances list."))
    form = rforms.FinanceFilterForm(request.GET)
    documents = list(sel.finance_documents(user=user, **form.cleaned())[:500])
    rows = sel.return_rows(user, documents)
    total = sum((row.credited for row in rows), ZERO)
    return render(
        request, "web/resolution/finance.html", {"form": form, "rows": rows, "total": total, "nav": "finance"}
    )


# --- follow-up visits ------------------------------------------------------------------------------


@login_required
@require_POST
def follow_up_plan(request: HttpRequest, number: str) -> HttpResponse:
    form = rforms.FollowUpForm(request.POST)

    def call(c: Collector) -> None:
        values = form.values(c)
        _checked(c)
        followups.follow_up_schedule(actor=_user(request), number=number, now=clock.now(), **values)

    return _act(
        request,
        number,
        key="followup",
        form=form,
        call=call,
        done=_("The follow-up visit was planned."),
        anchor="follow-ups",
    )


@login_required
@require_POST
def follow_up_done(request: HttpRequest, number: str, visit_id: int) -> HttpResponse:
    form = rforms.FollowUpDoneForm(request.POST, prefix=f"visit{visit_id}")

    def call(c: Collector) -> None:
        values = form.values(c)
        _checked(c)
        followups.follow_up_record(actor=_user(request), number=number, visit_id=visit_id, now=clock.now(), **values)

    return _act(
        request,
        number,
        key=f"visit{visit_id}",
        form=form,
        call=call,
        done=_("The follow-up visit was recorded."),
        anchor="follow-ups",
    )


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sel.may_list_follow_ups(user):
        raise DjangoPermissionDenied(_("Follow-up visits are planned and recorded by customer service."))
    show = request.GET.get("show") or "due"
    if show not in ("due", "scheduled", "done", "cancelled"):
        show = "due"
    now = clock.now()
    visits = sel.due_follow_ups(user=user, show=show, today=sel.today(now))
    return render(
        request,
        "web/resolution/follow_ups.html",
        {"visits": visits, "show": show, "today": sel.today(now), "nav": "follow_ups"},
    )


# --- validity rulings and appeals -----------------------------------------------------------------


@login_required
@require_POST
def ruling_add(request: HttpRequest, number: str) -> HttpResponse:
    form = rforms.RulingForm(request.POST)

    def call(c: Collector) -> None:
        values = form.values(c)
        _checked(c)
        adjudication.adjudication_rule_valid(actor=_user(request), number=number, now=clock.now(), **values)

    return _act(
        request, number, key="ruling", form=form, call=call, done=_("The ruling was recorded."), anchor="rulings"
    )


@login_required
@require_POST
def appeal_lodge(request: HttpRequest, number: str, ruling_id: int) -> HttpResponse:
    form = rforms.AppealForm(request.POST, prefix=f"appeal{ruling_id}")

    def call(c: Collector) -> None:
        adjudication.appeal_lodge(
            actor=_user(request), number=number, adjudication_id=ruling_id, reason=form.value("reason"), now=clock.now()
        )

    return _act(
        request,
        number,
        key=f"appeal{ruling_id}",
        form=form,
        call=call,
        done=_("The appeal was lodged."),
        anchor="rulings",
    )


@login_required
@require_POST
def appeal_answer(request: HttpRequest, number: str, ruling_id: int) -> HttpResponse:
    form = rforms.AppealAnswerForm(request.POST, prefix=f"answer{ruling_id}")

    def call(c: Collector) -> None:
        found = Appeal.objects.filter(adjudication_id=ruling_id, adjudication__complaint__number=number).first()
        if found is None:
            raise Http404(_("This ruling has not been appealed."))
        adjudication.appeal_answer(
            actor=_user(request),
            number=number,
            appeal_id=found.pk,
            decision=form.value("decision"),
            answer=form.value("answer"),
            now=clock.now(),
        )

    return _act(
        request,
        number,
        key=f"answer{ruling_id}",
        form=form,
        call=call,
        done=_("The appeal was answered."),
        anchor="rulings",
    )


@login_required
@require_GET
def rulings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sel.is_staff(user):
        raise DjangoPermissionDenied(_("Auditors have read-only access."))
    page = sel.rulings_page(user=user, now=clock.now())
    return render(request, "web/resolution/rulings.html", {"page": page, "nav": "rulings"})


# --- a department's own tasks ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def department_tasks(request: HttpRequest) -> HttpResponse:
    """The user's department's tasks on any complaint, finished from here (the complaint page may
    not open for a department that was only asked to help)."""
    user = _user(request)
    if not sel.may_list_department_tasks(user):
        raise DjangoPermissionDenied(_("Only the department's staff or the coordinator finish its task."))
    show_done = request.GET.get("show") == "done"
    failed: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        task_id = str(request.POST.get("task", ""))
        task = (
            DepartmentTask.objects.filter(
                pk=int(task_id) if task_id.isdigit() else 0, department_id=user.department_id or 0
            )
            .select_related("complaint")
            .first()
        )
        if task is None:
            raise Http404(_("This complaint has no such task."))
        form = rforms.TaskDoneForm(request.POST, prefix=f"task{task.pk}-done")
        try:
            coordination.department_task_finish(
                actor=user, number=task.complaint.number, task_id=task.pk, result=form.value("result"), now=clock.now()
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(str(exc)) from exc
            if exc.status == 403:
                raise DjangoPermissionDenied(str(exc)) from exc
            apply_errors(form, exc.errors)
            failed[f"task{task.pk}-done"] = form
            status = exc.status
        else:
            messages.success(request, _("The department task is done."))
            return redirect("web:department_tasks")
    rows = sel.department_tasks(user=user, show_done=show_done, now=clock.now())
    forms = {
        f"task{row.task.pk}-done": failed.get(f"task{row.task.pk}-done")
        or rforms.TaskDoneForm(prefix=f"task{row.task.pk}-done")
        for row in rows
        if row.can_finish
    }
    return render(
        request,
        "web/resolution/department_tasks.html",
        {"rows": rows, "forms": forms, "show_done": show_done, "nav": "department_tasks"},
        status=status,
    )
