"""Forms of the service-desk pages (kesu/web/desk_views.py): they bind and render; the desk
services validate and their messages are put back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.desk.models import PhraseKind
from kesu.web.forms import KesuForm, area, select, text


class SwapForm(KesuForm):
    def __init__(self, *args: Any, dates: list[tuple[str, str]], partners: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["date"] = select(_("My shift to give away"), [("", "—"), *dates])
        self.fields["partner"] = select(_("Colleague who takes it"), [("", "—"), *partners])
        self.fields["partner_date"] = text(_("Their shift I take in return (optional, YYYY-MM-DD)"), type="date")


class HandoverForm(KesuForm):
    def __init__(self, *args: Any, colleagues: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["incoming"] = select(_("Incoming agent"), [("", "—"), *colleagues])
        self.fields["equipment"] = area(_("Equipment state"), 2)
        self.fields["difficult"] = area(_("Difficult complaints still open"), 5)
        self.fields["staffing"] = area(_("Staffing changes"), 2)


class PhraseForm(KesuForm):
    text = text(_("Phrase"), max_length=200)
    kind = select(_("Kind"), PhraseKind.choices)


class PeriodForm(KesuForm):
    date_from = text(_("From"), type="date")
    date_to = text(_("To"), type="date")


class SanctionForm(KesuForm):
    def __init__(self, *args: Any, agents: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"] = select(_("Agent"), [("", "—"), *agents])
        self.fields["kind"] = select(_("Kind"), [("reward", _("reward")), ("penalty", _("penalty"))])
        self.fields["amount"] = text(_("Amount (CNY)"), inputmode="decimal")
        self.fields["date"] = text(_("Date"), type="date")
        self.fields["reason"] = text(_("Reason"), max_length=400)


class PanelForm(KesuForm):
    held_on = text(_("Held on"), type="date")
    participants = area(_("Participants"), 2)
    notes = area(_("Notes"), 3)
    findings = area(_("Findings"), 3)


class SurveyForm(KesuForm):
    title = text(_("Title"), max_length=200)
    questions = area(_("Questions (one a line; answered with a score from 1 to 5)"), 4)
    sample_size = text(_("Customers to ask"), inputmode="numeric")


class VoicePolicyForm(KesuForm):
    panels_per_quarter = forms.IntegerField(
        label=_("Customer panels a quarter (at least)"),
        min_value=1,
        max_value=12,
        help_text=_("The desk manager is reminded when a quarter has fewer panels planned."),
    )
    surveys_per_half_year = forms.IntegerField(
        label=_("Surveys a half-year (at least)"),
        min_value=1,
        max_value=6,
        help_text=_("The desk manager is reminded when a half-year has fewer surveys sent."),
    )


class FindingsForm(KesuForm):
    findings = area(_("Findings"), 3)


class CaseForm(KesuForm):
    title = text(_("Title"), max_length=200)
    summary = area(_("What happened (anonymised)"), 4)
    handling = area(_("How it was handled"), 3)
    lesson = area(_("Lesson"), 3)
    reply_script = area(
        _("Reply script (optional)"), 3, help_text=_("Kept with the canned responses for solutions (managers).")
    )


class SurveyAnswerForm(KesuForm):
    def __init__(self, *args: Any, questions: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        from django import forms

        scores = [(str(n), str(n)) for n in range(1, 6)]
        for index, question in enumerate(questions):
            self.fields[f"q{index}"] = forms.ChoiceField(
                label=question, choices=scores, required=False, widget=forms.RadioSelect
            )
        self.fields["comment"] = area(_("Anything else you want to tell us (optional)"), 3)
