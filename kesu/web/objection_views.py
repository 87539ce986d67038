"""签呈: a department's formal objections to a ruling or to its share of responsibility, filed by
the department's staff and decided by management (SPEC IV-5)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Department, Role, User
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.resolution.models import ObjectionStatus, ObjectionSubject
from kesu.resolution.objections import (
    DECIDER_ROLES,
    FILER_ROLES,
    objection_decide,
    objection_file,
    visible_objections,
)
from kesu.web.forms import apply_errors

READER_ROLES = frozenset({Role.ADMIN, Role.HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.GM, Role.AUDITOR})


def may_read_objections(user: Any) -> bool:
    return getattr(user, "role", None) in READER_ROLES


def _departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in Department.objects.order_by("code")]


def objectable_complaints(user: User) -> list[tuple[str, str]]:
    """The complaints the user's department may object to: held responsible, or ruled on."""
    from django.db.models import Q

    from kesu.complaints.selectors import visible_complaints

    if user.department_id is None:
        return []
    rows = (
        visible_complaints(user)
        .filter(
            Q(investigation__responsible_department_id=user.department_id)
            | Q(department_id=user.department_id, adjudications__isnull=False)
        )
        .distinct()
        .order_by("-received_at")
        .values_list("number", "title")[:200]
    )
    return [(number, f"{number} {title}".strip()) for number, title in rows]


class ObjectionFileForm(forms.Form):
    number = forms.ChoiceField(label=gettext_lazy("Complaint"))
    subject = forms.ChoiceField(
        label=gettext_lazy("Objection to"), choices=ObjectionSubject.choices, widget=forms.RadioSelect
    )
    adjudication = forms.IntegerField(
        label=gettext_lazy("Ruling (number shown on the complaint page)"), required=False, min_value=1
    )
    proposed_department = forms.ChoiceField(label=gettext_lazy("Department that should be responsible"), required=False)
    reason = forms.CharField(label=gettext_lazy("Grounds"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["proposed_department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("none of ours (not established)")), *_departments()]
        number = self.fields["number"]
        assert isinstance(number, forms.ChoiceField)
        number.choices = [("", _("choose")), *objectable_complaints(user)]


class ObjectionDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(ObjectionStatus.UPHELD, _("uphold")), (ObjectionStatus.REJECTED, _("reject"))],
        widget=forms.RadioSelect,
    )
    new_department = forms.ChoiceField(
        label=gettext_lazy("Responsible department when upheld"),
        required=False,
        initial="__proposed__",
        help_text=gettext_lazy("Leave as proposed, or choose; “none” leaves responsibility not established."),
    )
    note = forms.CharField(label=gettext_lazy("Reasons"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["new_department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("__proposed__", _("as proposed")), ("", _("none (not established)")), *_departments()]


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _page(
    request: HttpRequest,
    *,
    file_form: ObjectionFileForm | None = None,
    decide_forms: dict[int, ObjectionDecideForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    if not may_read_objections(user):
        raise DjangoPermissionDenied(_("Your role does not see formal objections."))
    may_file = user.role in FILER_ROLES and user.department_id is not None
    may_decide = user.role in DECIDER_ROLES
    rows = []
    for objection in visible_objections(user)[:200]:
        form = None
        if may_decide and objection.status == ObjectionStatus.PENDING and objection.filed_by_id != user.pk:
            form = (decide_forms or {}).get(objection.pk) or ObjectionDecideForm(prefix=f"o{objection.pk}")
        rows.append({"o": objection, "form": form})
    context = {
        "nav": "objections",
        "rows": rows,
        "file_form": (file_form or ObjectionFileForm(user=user, initial={"subject": ObjectionSubject.RESPONSIBILITY}))
        if may_file
        else None,
    }
    return render(request, "web/procedure/objections.html", context, status=status)


@login_required
def objections(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
def objection_file_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:objections")
    user = _user(request)
    form = ObjectionFileForm(request.POST, user=user)
    status = 422
    if form.is_valid():
        values = form.cleaned_data
        try:
            objection_file(
                actor=user,
                number=values["number"].strip(),
                subject=values["subject"],
                reason=values["reason"],
                adjudication_id=values["adjudication"],
                proposed_department=values["proposed_department"] or "",
                now=clock.now(),
            )
        except DomainError as exc:
            if exc.status == 404:
                form.add_error("number", str(exc))
            elif exc.status == 403 and not exc.errors:
                raise DjangoPermissionDenied(str(exc)) from exc
            else:
                apply_errors(form, exc.errors)
            status = exc.status if exc.status != 404 else 422
        else:
            messages.success(request, _("The formal objection was filed; management decides it."))
            return redirect("web:objections")
    return _page(request, file_form=form, status=status)


@login_required
def objection_decide_view(request: HttpRequest, objection_id: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("web:objections")
    user = _user(request)
    form = ObjectionDecideForm(request.POST, prefix=f"o{objection_id}")
    status = 422
    if form.is_valid():
        values = form.cleaned_data
        chosen = values["new_department"]
        try:
            objection_decide(
                actor=user,
                objection_id=objection_id,
                decision=values["decision"],
                note=values["note"],
                new_department=None if chosen == "__proposed__" else chosen,
                now=clock.now(),
            )
        except DomainError as exc:
            if exc.status == 404:
                raise Http404(str(exc)) from exc
            if exc.status == 403:
                raise DjangoPermissionDenied(str(exc)) from exc
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The decision was recorded."))
            return redirect("web:objections")
    return _page(request, decide_forms={objection_id: form}, status=status)
