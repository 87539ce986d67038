"""Forms of the supervision pages (CAPA, quality review, roll-up) and of the configuration the
managers own (SLA policies, approval authority, taxonomy, severity rules, letter templates).

The supervision forms only bind and render: the services validate and their messages are put
back on the fields. The configuration forms are model forms (they parse numbers, times and
choices); the services check again, save and audit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Department, Role, User
from kesu.complaints.models import Channel
from kesu.deadlines.models import DeadlineKind, SlaPolicy, Unit
from kesu.notifications.models import LetterTemplate
from kesu.notifications.templating import LETTER_VARIABLES
from kesu.resolution.models import ApprovalAuthority
from kesu.triage.models import Category, Severity, SeverityRule, Urgency
from kesu.web.forms import area, select, text

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def parse_local_datetime(value: Any) -> dt.datetime | None:
    """A `datetime-local` value read in the current time zone; None when empty or unreadable."""
    raw = str(value or "").strip()
    parsed = parse_datetime(raw) if raw else None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def parse_day(value: Any) -> dt.date | None:
    try:
        return parse_date(str(value or "").strip())
    except ValueError:
        return None


def datetime_local(label: Any, **attrs: Any) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local", **attrs})
    )


def day(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class Labelled:
    """Labels end in the language's colon: full-width in Chinese (Django's own catalogue gives ":")."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：" if (get_language() or "zh-hans").startswith("zh") else ":")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.CheckboxInput):
                field.label_suffix = ""  # the label follows the box


def owner_choices(users: Iterable[User]) -> list[tuple[Any, Any]]:
    """Users grouped by department (option groups), the blank choice first."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for user in users:
        department = str(user.department) if user.department_id else str(_("no department"))
        groups.setdefault(department, []).append((user.username, f"{user} · {user.get_role_display()}"))
    return [("", _("choose…")), *[(name, options) for name, options in groups.items()]]


# --- CAPA ------------------------------------------------------------------------------------


class CapaForm(Labelled, forms.Form):
    complaints = area(_("Complaint numbers"), rows=2)
    title = text(_("Title"), max_length=200)
    nonconformity = area(_("Nonconformity found"), rows=3)
    root_cause = area(_("Root cause"), rows=3)
    actions = area(_("Corrective and preventive actions"), rows=4)
    owner = select(_("Owner"), [])
    due_at = datetime_local(_("Due"))

    def __init__(self, *args: Any, users: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["complaints"].help_text = _("One or more complaint numbers, separated by spaces, commas or lines.")
        self.fields["owner"].widget.choices = owner_choices(users)

    def numbers(self) -> list[str]:
        return [n for n in re.split(r"[\s,，;；]+", str(self.data.get("complaints", ""))) if n]

    def values(self) -> dict[str, Any]:
        data = self.data
        return {
            "complaints": self.numbers(),
            "title": str(data.get("title", "")),
            "nonconformity": str(data.get("nonconformity", "")),
            "root_cause": str(data.get("root_cause", "")),
            "actions": str(data.get("actions", "")),
            "owner": str(data.get("owner", "")),
            "due": parse_local_datetime(data.get("due_at")),
        }


class CapaCompleteForm(Labelled, forms.Form):
    note = area(_("What was done"), rows=4)


class CapaVerifyForm(Labelled, forms.Form):
    effective = forms.ChoiceField(
        label=_("Result of the verification"),
        required=False,
        initial="yes",
        widget=forms.RadioSelect,
        choices=[("yes", _("effective: close the CAPA")), ("no", _("not effective: take the actions again"))],
    )
    note = area(_("Verification of effect"), rows=3)
    due_at = datetime_local(_("New due date (when not effective)"))

    def values(self) -> dict[str, Any]:
        return {
            "effective": self.data.get("effective", "yes") != "no",
            "note": str(self.data.get("note", "")),
            "new_due": parse_local_datetime(self.data.get("due_at")),
        }


# --- quality review --------------------------------------------------------------------------


class SampleForm(Labelled, forms.Form):
    period_start = day(_("Closed from"))
    period_end = day(_("Closed until (inclusive)"))
    size = forms.CharField(
        label=_("Sample size"), required=False, widget=forms.NumberInput(attrs={"min": 1, "max": 500})
    )

    def values(self) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
        """The parsed values and the fields that could not be read."""
        bad: list[tuple[str, Any]] = []
        start, end = parse_day(self.data.get("period_start")), parse_day(self.data.get("period_end"))
        if start is None:
            bad.append(("period_start", _("Give a date.")))
        if end is None:
            bad.append(("period_end", _("Give a date.")))
        raw_size = str(self.data.get("size", "")).strip()
        size = int(raw_size) if raw_size.isdigit() else None
        if size is None:
            bad.append(("size", _("Give a whole number.")))
        return {"period_start": start, "period_end": end, "size": size}, bad


class ReviewForm(Labelled, forms.Form):
    score = forms.CharField(
        label=_("Score (0–100)"), required=False, widget=forms.NumberInput(attrs={"min": 0, "max": 100})
    )
    findings = area(_("Findings"), rows=3)

    def score_value(self) -> int | None:
        raw = str(self.data.get(self.add_prefix("score"), "")).strip()
        return int(raw) if raw.isdigit() else None


class RollupForm(Labelled, forms.Form):
    date_from = day(_("Closed from"))
    date_to = day(_("Closed until (inclusive)"))


# --- configuration ---------------------------------------------------------------------------

KIND_LABELS = {
    "acknowledge": _("acknowledge"),
    "reply": _("reply to the customer"),
    "close": _("close"),
    "callback_contact": _("wait for the customer to call back"),
    "acknowledge_limit": _("acknowledge at the latest"),
    "register": _("register"),
    "investigation_start": _("start the investigation"),
    "carry_out": _("carry out the plan"),
    "report_result": _("report the result"),
}


def kind_label(kind: DeadlineKind) -> str:
    return str(KIND_LABELS.get(kind.code, kind.name))


def category_label(category: Category) -> str:
    return "\u3000" * (category.level - 1) + category.localized_name


class _KindChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return kind_label(obj)


class _CategoryChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return category_label(obj)


class _DepartmentChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _any(label: Any, choices: Iterable[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", label), *choices]


OVERSEAS_CHOICES = [
    ("", _("any customer")),
    ("true", _("overseas customers only")),
    ("false", _("domestic customers only")),
]


class SlaPolicyForm(Labelled, forms.ModelForm[SlaPolicy]):
    kind = _KindChoice(label=_("Deadline"), queryset=DeadlineKind.objects.order_by("id"), empty_label=None)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    severity = forms.ChoiceField(label=_("Severity"), required=False, choices=_any(_("any severity"), Severity.choices))
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=_any(_("any urgency"), Urgency.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_any(_("any channel"), Channel.choices))
    category = _CategoryChoice(
        label=_("Category (and its sub-categories)"),
        required=False,
        queryset=Category.objects.order_by("code"),
        empty_label=_("any category"),
    )
    overseas = forms.NullBooleanField(
        label=_("Customers"), required=False, widget=forms.Select(choices=OVERSEAS_CHOICES)
    )
    by_time = forms.TimeField(
        label=_("By time of day"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("For day units: due at this local time instead of the end of the day."),
    )

    class Meta:
        model = SlaPolicy
        fields = (
            "kind",
            "name",
            "amount",
            "unit",
            "by_time",
            "severity",
            "urgency",
            "channel",
            "category",
            "overseas",
            "active",
        )
        labels = {"name": _("Name"), "amount": _("Number of units"), "active": _("Active")}
        widgets = {"amount": forms.NumberInput(attrs={"min": 1, "max": 10000})}


class AuthorityForm(Labelled, forms.ModelForm[ApprovalAuthority]):
    role = forms.ChoiceField(label=_("Role"), choices=_any(_("choose…"), Role.choices))
    department = _DepartmentChoice(
        label=_("Department"),
        required=False,
        queryset=Department.objects.filter(active=True).order_by("code"),
        empty_label=_("every department (the role's default)"),
    )
    limit = forms.DecimalField(
        label=_("Limit (CNY)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty for unlimited."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": 0}),
    )

    class Meta:
        model = ApprovalAuthority
        fields = ("role", "department", "limit")

    def _post_clean(self) -> None:
        # The model's checks (one row per role and department) run in the service, whose message
        # names the field; here the typed values are only put on the instance.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)


class CategoryForm(Labelled, forms.ModelForm[Category]):
    parent = _CategoryChoice(
        label=_("Parent category"),
        required=False,
        queryset=Category.objects.filter(level__lt=4).order_by("code"),
        empty_label=_("none (a top-level category)"),
    )
    department = _DepartmentChoice(
        label=_("Responsible department"),
        required=False,
        queryset=Department.objects.filter(active=True).order_by("code"),
        empty_label=_("the parent's department"),
        help_text=_("Complaints of this category are routed to it."),
    )

    class Meta:
        model = Category
        fields = ("parent", "code", "name_zh_hans", "name_zh_hant", "name_en", "department", "active")
        labels = {
            "code": _("Code"),
            "name_zh_hans": _("Name (simplified Chinese)"),
            "name_zh_hant": _("Name (traditional Chinese)"),
            "name_en": _("Name (English)"),
            "active": _("Offered at intake"),
        }
        help_texts = {
            "code": _(
                "The parent's code, a dot and lowercase letters, e.g. logistics.late. It cannot be changed later."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].help_text = _("Complaints of this category are routed to this department.")
        if self.instance.pk:  # code and parent are fixed once created
            del self.fields["parent"]
            del self.fields["code"]

    def _post_clean(self) -> None:
        # The service sets the level from the parent before the model's own checks run.
        parent = self.cleaned_data.get("parent") if "parent" in self.fields else self.instance.parent
        self.instance.level = parent.level + 1 if parent is not None and parent.level < 4 else 1
        super()._post_clean()  # type: ignore[misc]


class SeverityRuleForm(Labelled, forms.ModelForm[SeverityRule]):
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    channels = forms.MultipleChoiceField(
        label=_("Channels that trigger the rule on their own"),
        required=False,
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SeverityRule
        fields = (
            "code",
            "name",
            "severity",
            "keywords_zh_hans",
            "keywords_zh_hant",
            "keywords_en",
            "channels",
            "active",
        )
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "keywords_zh_hans": _("Keywords (simplified Chinese)"),
            "keywords_zh_hant": _("Keywords (traditional Chinese)"),
            "keywords_en": _("Keywords (English)"),
            "active": _("Active"),
        }
        help_texts = {
            "code": _("Lowercase letters, digits and _; it cannot be changed later."),
            "keywords_zh_hans": _("One keyword per line."),
            "keywords_zh_hant": _("One keyword per line."),
            "keywords_en": _("One keyword per line; English words also match their plain inflections."),
        }
        widgets = {
            "keywords_zh_hans": forms.Textarea(attrs={"rows": 5}),
            "keywords_zh_hant": forms.Textarea(attrs={"rows": 5}),
            "keywords_en": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]
            self.initial["channels"] = sorted(self.instance.channel_codes())

    def clean_channels(self) -> str:
        return ",".join(self.cleaned_data.get("channels") or [])


class LetterTemplateForm(Labelled, forms.ModelForm[LetterTemplate]):
    """The kind and language are fixed; the model's check (variables and syntax) puts its
    message on the subject or body field."""

    class Meta:
        model = LetterTemplate
        fields = ("subject", "body", "internal")
        labels = {"subject": _("Subject"), "body": _("Text"), "internal": _("Internal form (printed, never sent)")}
        widgets = {"body": forms.Textarea(attrs={"rows": 18})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = ", ".join(f"{{{{ {name} }}}}" for name in LETTER_VARIABLES.get(self.instance.kind, ()))
        self.fields["body"].help_text = _("Variables this letter may use: %(names)s") % {"names": names}
