"""Forms of the triage pages: the organisation's triage policy (configuration)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kesu.web.forms import KesuForm


class TriagePolicyForm(KesuForm):
    min_confidence = forms.FloatField(
        label=_("Minimum confidence of a suggestion"),
        min_value=0.0,
        max_value=1.0,
        help_text=_("Below this confidence (0 to 1) the classifier suggests nothing."),
    )
    duplicate_window_days = forms.IntegerField(
        label=_("Same-matter window (days)"),
        min_value=1,
        max_value=3650,
        help_text=_("Earlier complaints received within this many days are offered as the same matter."),
    )
    duplicate_similarity = forms.FloatField(
        label=_("Text similarity for the same matter"),
        min_value=0.0,
        max_value=1.0,
        help_text=_("Texts at least this similar (0 to 1) are offered as the same matter."),
    )
    risk_threshold = forms.IntegerField(
        label=_("Risk score that flags a complaint"),
        min_value=1,
        max_value=20,
        help_text=_(
            "Threat 3, repeat contacts 2 or 3, missed deadline 2, rejected solution 2, unsatisfied callback 2, "
            "major complaint 1."
        ),
    )
    risk_escalation_level = forms.IntegerField(
        label=_("Escalation level of a flagged complaint"),
        min_value=0,
        max_value=4,
        help_text=_("A flagged complaint is raised to at least this escalation level (0: not raised)."),
    )
    retrain_hours = forms.IntegerField(
        label=_("Retrain every (hours)"),
        min_value=0,
        max_value=24 * 90,
        help_text=_("How often the classifier is retrained on the closed complaints (0: only by hand)."),
    )
    # CL-5, manufacturing grading (kesu/triage/manufacturing.py)
    serious_loss_amount = forms.DecimalField(
        label=_("Loss that makes a quality complaint serious (CNY)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("The amount claimed at or above which a quality complaint is serious (0: not used)."),
    )
    serious_defect_quantity = forms.IntegerField(
        label=_("Defective units that make a quality complaint serious"),
        min_value=0,
        max_value=10**9,
        help_text=_("The quantity at or above which a quality complaint is serious (0: not used)."),
    )
    serious_nature_categories = forms.CharField(
        label=_("Categories serious by their nature"),
        max_length=500,
        required=False,
        help_text=_("Comma-separated category codes (their sub-categories too) that are at least serious."),
    )
