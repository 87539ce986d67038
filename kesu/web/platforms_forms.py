"""Forms of the import and referral pages (spreadsheet import, regulator referrals, suggestion box,
WeChat Pay complaints). They bind and render; the services validate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.complaints.models import Channel
from kesu.imports.columns import PRESETS
from kesu.platforms.models import CardOutcome, ReferringBody
from kesu.web.forms import KesuForm, _blank, area, select, text


def _values(form: forms.Form) -> dict[str, str]:
    return {name: str(form.data.get(form.add_prefix(name), "")) for name in form.fields}


class UploadForm(KesuForm):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX or CSV)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    preset = select(_("Kind of file"), [(p.code, p.label) for p in PRESETS.values()])
    default_channel = select(
        _("Channel for rows that give none"), _blank(_("taken from the file")) + list(Channel.choices)
    )
    historical = forms.BooleanField(
        label=_("Historical complaints: keep their dates, status and outcome; no deadlines, nobody notified"),
        required=False,
    )

    def __init__(self, *args: Any, may_historical: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_historical:
            del self.fields["historical"]

    def values(self) -> dict[str, Any]:
        return {
            "preset": str(self.data.get("preset", "generic")) or "generic",
            "default_channel": str(self.data.get("default_channel", "")),
            "historical": str(self.data.get("historical", "")) in ("on", "true", "1"),
        }


class ReferralForm(KesuForm):
    body = select(_("Referring body"), _blank(_("choose")) + list(ReferringBody.choices))
    body_name = text(_("Name of the referring office"), max_length=120)
    reference = text(_("Referral number"), required_html=True, max_length=80, autocomplete="off")
    arrived_at = forms.CharField(
        label=_("Referral received at"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    due_at = forms.CharField(
        label=_("Deadline set by the body"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    customer_name = text(_("Complainant name"), required_html=True, max_length=100, autocomplete="off")
    customer_phone = text(_("Phone"), type="tel", autocomplete="off", inputmode="tel")
    customer_email = text(_("E-mail"), type="email", autocomplete="off")
    title = text(_("Title"), max_length=200)
    description = area(_("What the complaint says"), rows=5, required_html=True)
    demand = area(_("Customer's demand"), rows=2)
    order_no = text(_("Order number"), max_length=80)
    amount_claimed = text(_("Amount claimed (CNY)"), inputmode="decimal")

    def values(self) -> dict[str, str]:
        values = _values(self)
        for key in ("arrived_at", "due_at"):
            values[key] = values[key].replace("T", " ")
        return values


class ReferralReportForm(KesuForm):
    result = area(_("Handling result (处理结果)"), rows=4, required_html=True)
    settled = forms.ChoiceField(
        label=_("Did the parties settle? (是否和解)"),
        required=False,
        choices=[("yes", _("yes, settled")), ("no", _("no settlement"))],
        widget=forms.RadioSelect,
    )
    settlement_amount = text(_("Amount agreed in mediation, CNY (调解金额)"), inputmode="decimal")
    refusal_reason = area(_("Why no settlement was reached"), rows=2)
    contact_person = text(_("Our contact person"), max_length=80)
    contact_phone = text(_("Our contact phone"), max_length=40, type="tel")

    def values(self) -> dict[str, str]:
        return _values(self)


class BatchForm(KesuForm):
    box = text(_("Suggestion box"), required_html=True, max_length=80)
    opened_on = forms.CharField(label=_("Opened on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    card_count = text(_("Cards in the box"), required_html=True, inputmode="numeric")

    def values(self) -> dict[str, str]:
        return _values(self)


class CardForm(KesuForm):
    number = text(_("Card number"), inputmode="numeric", autocomplete="off")
    outcome = select(_("The card is"), list(CardOutcome.choices))
    customer_name = text(_("Name on the card"), max_length=100, autocomplete="off")
    customer_phone = text(_("Phone on the card"), type="tel", autocomplete="off", inputmode="tel")
    description = area(_("What the card says"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["autofocus"] = True
        self.fields["description"].help_text = _("Ctrl+Enter saves the card and opens the next one.")

    def values(self) -> dict[str, str]:
        return _values(self)


class PlatformReplyForm(KesuForm):
    content = area(_("Reply to the customer (at most 500 characters)"), rows=4, required_html=True, canned="note")

    def values(self) -> dict[str, str]:
        return _values(self)


class RefundForm(KesuForm):
    decision = forms.ChoiceField(
        label=_("Refund requested by the customer"),
        required=False,
        choices=[("approve", _("approve the refund")), ("reject", _("refuse the refund"))],
        widget=forms.RadioSelect,
    )
    launch_refund_day = text(_("Days until the refund is made"), inputmode="numeric")
    reason = area(_("Why the refund is refused"), rows=2)

    def values(self) -> dict[str, str]:
        return _values(self)
