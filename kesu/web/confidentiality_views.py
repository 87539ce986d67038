"""密级: the customer-service manager (or the GM) sets a complaint's confidentiality level and
names who may read it (SPEC PV-1); the level of each document likewise."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import User
from kesu.complaints.confidentiality import (
    SETTER_ROLES,
    confidentiality_set,
    document_confidentiality_set,
    named_readers,
)
from kesu.complaints.models import Confidentiality
from kesu.complaints.selectors import complaint_get
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.web.forms import apply_errors


def _reader_label(user: User) -> str:
    return f"{user.get_full_name() or user.username} · {user.get_role_display()}"


class ConfidentialityForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Confidentiality level"), choices=Confidentiality.choices)
    readers = forms.ModelMultipleChoiceField(
        label=gettext_lazy("People named to read it"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Top secret: only the people named here read the complaint (you are named with it)."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["readers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = User.objects.filter(is_active=True).order_by("username")
        field.label_from_instance = _reader_label  # type: ignore[method-assign,assignment]


class DocumentLevelForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Confidentiality level"), choices=Confidentiality.choices)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def confidentiality_page(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    if user.role not in SETTER_ROLES:
        raise DjangoPermissionDenied(
            _("Only the customer-service manager or the general manager sets confidentiality.")
        )
    readers = named_readers(complaint)
    initial = {"level": complaint.confidentiality, "readers": [u.pk for u in readers]}
    form = ConfidentialityForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                confidentiality_set(
                    actor=user,
                    number=number,
                    level=form.cleaned_data["level"],
                    readers=[u.username for u in form.cleaned_data["readers"]],
                    reason=form.cleaned_data["reason"],
                    now=clock.now(),
                )
            except DomainError as exc:
                if exc.status == 404:
                    raise Http404(str(exc)) from exc
                apply_errors(form, exc.errors)
                status = exc.status
            else:
                messages.success(request, _("The confidentiality level was saved."))
                return redirect("web:complaint", number=number)
    documents = list(complaint.attachments.order_by("uploaded_at", "id"))
    context = {
        "c": complaint,
        "form": form,
        "readers": readers,
        "documents": [
            (d, DocumentLevelForm(initial={"level": d.confidentiality}, prefix=f"d{d.pk}")) for d in documents
        ],
    }
    return render(request, "web/procedure/confidentiality.html", context, status=status)


@login_required
def document_level(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":  # the form is on the complaint's confidentiality page
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["POST"])
    if complaint_get(user=user, number=number) is None:
        raise Http404(_("No complaint has this number."))
    if user.role not in SETTER_ROLES:
        raise DjangoPermissionDenied(
            _("Only the customer-service manager or the general manager sets confidentiality.")
        )
    form = DocumentLevelForm(request.POST, prefix=f"d{attachment_id}")
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed values."))
        return redirect("web:confidentiality", number=number)
    try:
        document_confidentiality_set(
            actor=user, number=number, attachment_id=attachment_id, level=form.cleaned_data["level"], now=clock.now()
        )
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        raise DjangoPermissionDenied(str(exc)) from exc
    messages.success(request, _("The document's confidentiality level was saved."))
    return redirect("web:confidentiality", number=number)
