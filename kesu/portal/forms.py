"""Forms of the customer portal. As in the workspace, the domain validates; forms bind and render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.web.forms import KesuForm, area, text

COMPLAINT_FIELDS = {
    "customer.name": "name",
    "customer.phone": "phone",
    "customer.email": "email",
    "customer": "name",
    "product.name": "product_name",
    "product.order_no": "order_no",
    "product": "product_name",
}


class ComplaintForm(KesuForm):
    name = text(_("Your name"), required_html=True, max_length=100, autocomplete="name")
    phone = text(_("Mobile phone"), type="tel", autocomplete="tel", inputmode="tel")
    email = text(_("E-mail"), type="email", autocomplete="email")
    title = text(_("Subject (optional)"), max_length=200)
    description = area(_("What happened"), rows=6, required_html=True)
    product_name = text(_("Product or service (optional)"), max_length=200)
    order_no = text(_("Order number (optional)"), max_length=80)
    demand = area(_("What would you like us to do? (optional)"), rows=3)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used to handle this complaint."),
        required=False,
    )

    def payload(self) -> dict[str, Any]:
        d = {name: str(self.data.get(name, "")) for name in self.fields}
        product = {"name": d["product_name"], "order_no": d["order_no"]}
        return {
            "channel": "web",
            "customer": {"name": d["name"], "phone": d["phone"].strip(), "email": d["email"].strip()},
            "title": d["title"],
            "description": d["description"],
            "demand": d["demand"],
            "product": {k: v for k, v in product.items() if v},
        }

    def consented(self) -> bool:
        return self.data.get("consent") in ("on", "true", "1")


class TrackForm(KesuForm):
    number = text(
        _("Complaint number"), required_html=True, max_length=40, autocomplete="off", placeholder="202611-00042"
    )
    contact = text(_("Phone or e-mail you gave us"), required_html=True, max_length=254, autocomplete="tel")


class AnswerForm(KesuForm):
    note = area(_("Your comment (needed when you reject the solution)"), rows=3)


SCORES = [(str(i), str(i)) for i in range(5, 0, -1)]


class RateForm(KesuForm):
    satisfied = forms.ChoiceField(
        label=_("Are you satisfied with how your complaint was handled?"),
        choices=[("yes", _("Yes, satisfied")), ("no", _("No, not satisfied"))],
        widget=forms.RadioSelect,
        required=False,
    )
    score = forms.ChoiceField(
        label=_("Your rating (5 is best)"), choices=SCORES, widget=forms.RadioSelect, required=False
    )
    comment = area(_("Comment (optional)"), rows=3)

    def values(self) -> dict[str, Any]:
        score = str(self.data.get("score", ""))
        return {
            "satisfied": {"yes": True, "no": False}.get(str(self.data.get("satisfied", ""))),
            "score": int(score) if score.isdigit() else None,
            "comment": str(self.data.get("comment", "")),
        }
