"""工作日历: the official working-day calendar years the deadlines count on, and the import of
next year's schedule (国务院办公厅关于节假日安排的通知) from a file when the installed
`chinese-calendar` package does not have it yet. Managers read it; an administrator imports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import can_configure
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.deadlines.calendar import MAX_IMPORT_BYTES, calendar_import_file
from kesu.deadlines.models import CalendarDay, CalendarYear, DayKind
from kesu.deadlines.selectors import calendar_missing_years
from kesu.web.forms import apply_errors


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "One line per official day: date (YYYY-MM-DD), kind (holiday or workday for a make-up working day), "
            "name; a header line date,kind,name is allowed. Days not listed follow Monday to Friday."
        ),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_read_calendar(user: User) -> bool:
    return can_configure(user)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not may_read_calendar(user):
        raise DjangoPermissionDenied(_("Only managers and administrators see the working-day calendar."))
    may_import = user.role == Role.ADMIN
    form = CalendarImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if not may_import:
            raise DjangoPermissionDenied(_("Only an administrator imports the holiday calendar."))
        status = 422
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > MAX_IMPORT_BYTES:
                    from kesu.core.errors import FieldError, ValidationFailed

                    raise ValidationFailed([FieldError("file", _("The file is too large."), "too_large")])
                raw = upload.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    from kesu.core.errors import FieldError, ValidationFailed

                    raise ValidationFailed([FieldError("file", _("The file is not UTF-8 text."), "invalid")]) from None
                result = calendar_import_file(actor=user, year=form.cleaned_data["year"], text=text, now=clock.now())
            except DomainError as exc:
                for error in exc.errors:
                    if error.field and error.field.startswith("line "):
                        line = error.field.removeprefix("line ")
                        form.add_error(
                            "file", _("Line %(line)s: %(message)s") % {"line": line, "message": error.message}
                        )
                    else:
                        apply_errors(form, [error])
                status = exc.status
            else:
                messages.success(
                    request,
                    _(
                        "The %(year)d calendar was imported: %(holidays)d holidays, %(workdays)d make-up working "
                        "days; %(recomputed)d complaints' deadlines were recomputed."
                    )
                    % {
                        "year": result.year,
                        "holidays": result.holidays,
                        "workdays": result.workdays,
                        "recomputed": result.recomputed,
                    },
                )
                return redirect("web:calendar")
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    counts: dict[tuple[int, str], int] = {
        (item["y"], item["kind"]): item["n"]
        for item in CalendarDay.objects.annotate(y=ExtractYear("date")).values("y", "kind").annotate(n=Count("id"))
    }
    years = [
        {
            "year": row.year,
            "source": row.get_source_display(),
            "holidays": counts.get((row.year, DayKind.HOLIDAY), 0),
            "workdays": counts.get((row.year, DayKind.WORKDAY), 0),
            "updated_at": row.updated_at,
        }
        for row in CalendarYear.objects.order_by("-year")
    ]
    context = {
        "nav": "settings",
        "section_title": _("Working-day calendar"),
        "years": years,
        "missing": calendar_missing_years(now=clock.now()),
        "form": form if may_import else None,
    }
    return render(request, "web/procedure/calendar.html", context, status=status)
