"""The service desk (SPEC OP-1…OP-5, FU-5, SV-3): teams and their duty roster, shift handovers and
swaps, service phrases, customer panels and questionnaire surveys, and the case library."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

USER = settings.AUTH_USER_MODEL


class Team(models.Model):
    """A team within customer service (OP-1): order desk, complaint desk, general service."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    department = models.ForeignKey("accounts.Department", on_delete=models.PROTECT, related_name="desk_teams")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), blank=True, related_name="desk_teams"
    )
    takes_complaints = models.BooleanField(_("takes new phone and walk-in complaints"), default=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """A shift of the day (local time; a shift ends on the day it starts)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts"]

    def __str__(self) -> str:
        return self.name


class RosterEntry(models.Model):
    """Who works which shift on which day, for a team (one shift a day per person)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="roster")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="roster_entries")
    date = models.DateField(_("date"))
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="+")
    swap = models.ForeignKey(
        "ShiftSwap", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("swap")
    )

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["date", "shift__starts", "user__username"]
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="roster_one_shift_a_day")]
        indexes = [models.Index(fields=["team", "date"], name="roster_team_date")]


class SwapStatus(models.TextChoices):
    AWAITING_PARTNER = "awaiting_partner", _("awaiting the partner")
    AWAITING_APPROVAL = "awaiting_approval", _("awaiting the manager")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", pgettext_lazy("shift swap", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("shift swap", "withdrawn")


class ShiftSwap(models.Model):
    """OP-3: the requester's shift on `date` goes to the partner (and, with `partner_date`, the
    partner's shift that day to the requester); both agree, the department manager approves."""

    requester = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    partner_date = models.DateField(_("partner's date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=SwapStatus.choices)
    created_at = models.DateTimeField(_("requested at"))
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    approved_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    refused_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        ordering = ["-created_at", "-id"]


class Handover(models.Model):
    """OP-2: the handover log. The outgoing agent's shift is over only once the incoming accepted."""

    entry = models.OneToOneField(RosterEntry, on_delete=models.PROTECT, related_name="handover")
    outgoing = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    incoming = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    equipment = models.TextField(_("equipment state"))
    difficult = models.TextField(_("difficult complaints still open"), blank=True)
    complaints = models.ManyToManyField("complaints.Complaint", blank=True, related_name="+")
    staffing = models.TextField(_("staffing changes"), blank=True)
    written_at = models.DateTimeField(_("written at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-written_at", "-id"]


class PhraseKind(models.TextChoices):
    REQUIRED = "required", _("must use")
    FORBIDDEN = "forbidden", _("must never use")


class ServicePhrase(models.Model):
    """OP-4: the phrases agents must use (三要、三不、四个一样) and must never use (服务禁语)."""

    text = models.CharField(_("phrase"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PhraseKind.choices)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("service phrase")
        verbose_name_plural = _("service phrases")
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="service_phrase_once")]


class Sanction(models.Model):
    """SV-4: a reward or a penalty for a person, decided by a manager (penalties from investigations
    are read from the investigation itself)."""

    class Kind(models.TextChoices):
        REWARD = "reward", _("reward")
        PENALTY = "penalty", _("penalty")

    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=400)
    date = models.DateField(_("date"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        ordering = ["-date", "-id"]


class PanelMeeting(models.Model):
    """FU-5: a customer panel (座谈), planned, then held with participants, notes and findings."""

    title = models.CharField(_("topic"), max_length=200)
    planned_for = models.DateField(_("planned for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    participants = models.TextField(_("participants"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    findings = models.TextField(_("findings"), blank=True)
    capa = models.ForeignKey(
        "supervision.CorrectiveAction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("customer panel")
        verbose_name_plural = _("customer panels")
        ordering = ["-planned_for", "-id"]


class VoicePolicy(models.Model):
    """FU-5: how often the voice of the customer is heard (one row, kept by managers): panels
    (座谈) a quarter and questionnaire surveys a half-year, at least."""

    panels_per_quarter = models.PositiveSmallIntegerField(
        _("customer panels a quarter (at least)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    surveys_per_half_year = models.PositiveSmallIntegerField(
        _("surveys a half-year (at least)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
    )

    class Meta:
        verbose_name = _("panel and survey frequency")
        verbose_name_plural = _("panel and survey frequency")

    def __str__(self) -> str:
        return str(_("panel and survey frequency"))

    @classmethod
    def current(cls) -> VoicePolicy:
        return cls.objects.order_by("id").first() or cls()


class VoiceReminder(models.Model):
    """The desk manager was told that a period (`2026Q2`, `2026H1`) is short of panels or surveys:
    once per kind and period, the constraint keeps it so."""

    class Kind(models.TextChoices):
        PANELS = "panels", _("customer panels")
        SURVEYS = "surveys", _("surveys")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    period = models.CharField(max_length=10)
    wanted = models.PositiveSmallIntegerField()
    found = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="voice_reminder_once_per_period")]


class SurveyCampaign(models.Model):
    """FU-5: a questionnaire sent by a signed link to a sample of customers."""

    title = models.CharField(_("title"), max_length=200)
    questions = models.JSONField(_("questions"), default=list)
    sample_size = models.PositiveIntegerField(_("sample size"))
    findings = models.TextField(_("findings"), blank=True)
    capa = models.ForeignKey(
        "supervision.CorrectiveAction", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]


class SurveyInvitation(models.Model):
    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="invitations")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "customer"], name="survey_once_per_customer")]


class TrainingCase(models.Model):
    """SV-3: a closed complaint turned into anonymised training material with its lesson."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey("triage.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what happened (anonymised)"))
    handling = models.TextField(_("how it was handled"), blank=True)
    lesson = models.TextField(_("lesson"))
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("training case")
        verbose_name_plural = _("training cases")
        ordering = ["-created_at", "-id"]
