"""Forms of the channel pages: webhooks, group robots, a person's notification channels."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.channels.models import RobotKind, RobotPlatform, WebhookEvent
from kesu.channels.preferences import CHANNELS, KINDS
from kesu.web.forms import _blank, select, text


def _checks(label: Any, choices: Iterable[tuple[str, Any]]) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, required=False, choices=list(choices), widget=forms.CheckboxSelectMultiple
    )


class WebhookForm(forms.Form):
    url = text(_("Address"), required_html=True, max_length=500, placeholder="https://")
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=False,
        help_text=_("16 to 200 characters; the receiver checks X-Kesu-Signature with it. It is not shown again."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": 200}),
    )
    events = _checks(_("Events"), WebhookEvent.choices)


class RobotForm(forms.Form):
    name = text(_("Name"), required_html=True, max_length=80)
    platform = select(_("Platform"), _blank(_("choose")) + list(RobotPlatform.choices))
    department = select(_("Department"), [])
    url = text(
        _("Robot address"),
        required_html=True,
        max_length=500,
        placeholder="https://oapi.dingtalk.com/robot/send?access_token=…",
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk)"),
        required=False,
        strip=False,
        help_text=_("DingTalk's 加签 secret (SEC…). WeCom robots have none: their key is in the address."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "maxlength": 200}),
    )
    kinds = _checks(_("Announces"), RobotKind.choices)
    active = forms.BooleanField(label=_("In use"), required=False)

    def __init__(
        self, *args: Any, departments: Iterable[Any] = (), saved_url: str = "", saved_secret: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].widget.choices = _blank(_("the whole organisation")) + [
            (d.code, d.name) for d in departments
        ]
        if saved_url:  # a change: neither the address (its token or key) nor the secret is shown back
            self.fields["url"].widget.attrs.pop("required", None)
            self.fields["url"].widget.attrs.pop("placeholder", None)  # it would read as the saved value
            self.fields["url"].help_text = _("Saved: %(url)s. Leave empty to keep it.") % {"url": saved_url}
            self.fields["secret"].help_text = (
                _("Saved: %(secret)s. Leave empty to keep it.") % {"secret": saved_secret}
                if saved_secret
                else _("None saved. DingTalk's 加签 secret (SEC…); WeCom robots have none.")
            )


class PreferenceForm(forms.Form):
    mobile = text(_("Mobile for SMS"), max_length=20, inputmode="tel", autocomplete="tel")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in KINDS.items():
            self.fields[f"kind_{kind}"] = _checks(label, CHANNELS.items())

    def choices(self) -> dict[str, list[str]]:
        data: Any = self.data
        return {kind: [str(v) for v in data.getlist(f"kind_{kind}")] for kind in KINDS}

    def kind_fields(self) -> list[Any]:
        return [self[f"kind_{kind}"] for kind in KINDS]
