"""Forms of the major-incident and money panels (issue 13) and of their configuration.

The panel forms only bind and render: the services validate and their messages are put back on
the fields. The configuration forms are model forms; the services check again, save and audit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES
from kesu.compensation.models import CompensationStandard, LossStandard, PenaltyStandard
from kesu.incidents.models import ChecklistTemplate, ChecklistTemplateItem, IncidentContact, MajorKind
from kesu.resolution.models import Responsibility
from kesu.web.forms import area, select, text
from kesu.web.supervision_forms import Labelled


def _staff() -> list[tuple[str, str]]:
    people = User.objects.filter(is_active=True, role__in=STAFF_ROLES).order_by("role", "username")
    return [(u.username, f"{u} · {u.get_role_display()}") for u in people]


class ItemDoneForm(Labelled, forms.Form):
    note = area(_("What was done"), rows=2)
    evidence = forms.CharField(label=_("Evidence"), required=False)

    def __init__(self, *args: Any, attachments: list[Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("no file")), *[(str(a.pk), a.original_name) for a in attachments or []]]
        self.fields["evidence"].widget = forms.Select(choices=choices)


class ReassignForm(Labelled, forms.Form):
    owner = forms.CharField(label=_("New owner"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].widget = forms.Select(choices=[("", _("choose…")), *_staff()])


class OpenChecklistForm(Labelled, forms.Form):
    kind = select(_("Kind of major complaint"), [("", _("choose…")), *MajorKind.choices])


class CrisisTeamForm(Labelled, forms.Form):
    lead = forms.CharField(label=_("Lead"), required=False)
    members = forms.MultipleChoiceField(label=_("Members"), required=False, widget=forms.CheckboxSelectMultiple)
    purpose = area(_("Purpose"), rows=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = _staff()
        self.fields["lead"].widget = forms.Select(choices=[("", _("choose…")), *staff])
        self.fields["members"].choices = staff  # type: ignore[attr-defined]


class CrisisDecisionsForm(Labelled, forms.Form):
    decisions = area(_("Decisions"), rows=3)


class MediaEnquiryForm(Labelled, forms.Form):
    outlet = text(_("Media outlet"), max_length=120)
    reporter = text(_("Reporter"), max_length=120)
    question = area(_("Question"), rows=2)


class MediaAnswerForm(Labelled, forms.Form):
    answer = area(_("Answer"), rows=3)


class VoucherForm(Labelled, forms.Form):
    amount = text(_("Amount (CNY)"), inputmode="decimal")
    payee = text(_("Paid to"), max_length=120)
    purpose = text(_("Purpose"), max_length=200)


class VoucherNoteForm(Labelled, forms.Form):
    note = text(_("Note"), max_length=2000)


class ReceivableForm(Labelled, forms.Form):
    reference = text(_("Invoice or order"), max_length=80)
    amount = text(_("Amount (CNY)"), inputmode="decimal")
    note = area(_("Note"), rows=2)


class RecoveryForm(Labelled, forms.Form):
    supplier = text(_("Supplier"), max_length=120)
    amount = text(_("Amount (CNY)"), inputmode="decimal")
    reason = area(_("Reason"), rows=2)


class RecoveryAnswerForm(Labelled, forms.Form):
    accepted = select(_("The supplier"), [("yes", _("bears the cost")), ("no", _("refuses"))])
    answer = area(_("Supplier's answer"), rows=2)


class RecoveryDecisionForm(Labelled, forms.Form):
    pay = select(_("Decision"), [("yes", _("the company pays")), ("no", _("the company does not pay"))])
    note = area(_("Note"), rows=2)


class LossForm(Labelled, forms.Form):
    responsibility = select(_("Responsibility"), [("", _("choose…")), *Responsibility.choices])

    def __init__(self, *args: Any, standards: list[LossStandard] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for standard in standards or []:
            label = f"{standard.localized_name} ({standard.get_basis_display()} {standard.rate})"
            self.fields[f"line_{standard.code}"] = text(label, inputmode="decimal")

    def lines(self) -> dict[str, str]:
        return {
            name.removeprefix("line_"): str(self.data.get(name, "")).strip()
            for name in self.fields
            if name.startswith("line_")
        }


# --- configuration -------------------------------------------------------------------------------


class TemplateForm(Labelled, forms.ModelForm[ChecklistTemplate]):
    class Meta:
        model = ChecklistTemplate
        fields = ["notify_gm", "notify_operations", "notify_marketing", "notify_legal", "notify_insurer", "crisis_team"]


class TemplateItemForm(Labelled, forms.ModelForm[ChecklistTemplateItem]):
    class Meta:
        model = ChecklistTemplateItem
        fields = ["position", "text_zh_hans", "text_zh_hant", "text_en", "owner_role", "due_hours"]


class ContactForm(Labelled, forms.ModelForm[IncidentContact]):
    class Meta:
        model = IncidentContact
        fields = ["audience", "name", "email", "user", "active"]


class StandardForm(Labelled, forms.ModelForm[CompensationStandard]):
    class Meta:
        model = CompensationStandard
        fields = ["category", "remedy_type", "min_amount", "max_amount", "note", "active"]


class LossStandardForm(Labelled, forms.ModelForm[LossStandard]):
    class Meta:
        model = LossStandard
        fields = ["code", "name", "basis", "rate", "active"]


class PenaltyStandardForm(Labelled, forms.ModelForm[PenaltyStandard]):
    class Meta:
        model = PenaltyStandard
        fields = ["responsibility", "loss_from", "loss_below", "fixed", "percent", "note"]
