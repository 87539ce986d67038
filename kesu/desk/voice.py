"""The voice of the customer beyond single complaints (SPEC FU-5; seed 000 securities branch):
customer panels (座谈) planned at the configured frequency — at least twice a quarter by default —
with participants, notes and findings; questionnaire surveys at least every half year, sent by a
signed link (SMS or e-mail, through the outbox) to a sample of customers and answered once per
link on the portal without an account; findings can open a CAPA (kesu/supervision)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import SUPERVISORS, can_configure
from kesu.audit.config_changes import save_audited
from kesu.audit.services import audit_record
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.customers.models import Customer
from kesu.desk.models import PanelMeeting, SurveyCampaign, SurveyInvitation, VoicePolicy, VoiceReminder
from kesu.desk.phrases import check_outgoing
from kesu.notifications.services import notify_users, outbox_add

SIGNING_SALT = "kesu.desk.survey"
MAX_QUESTIONS = 10
MAX_SAMPLE = 500
SCORES = (1, 2, 3, 4, 5)


def panels_per_quarter() -> int:
    return int(VoicePolicy.current().panels_per_quarter)


def surveys_per_half_year() -> int:
    return int(VoicePolicy.current().surveys_per_half_year)


def may_run_voice(user: User) -> bool:
    return user.role in SUPERVISORS


def _require(user: User) -> None:
    if not may_run_voice(user):
        raise PermissionDenied(_("Only supervisors and managers run customer panels and surveys."))


def _text(value: Any, field: str, errors: list[FieldError], *, required: bool = False, limit: int = 4000) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors.append(FieldError(field, _("This field is required."), "required"))
    elif len(text) > limit:
        errors.append(FieldError(field, _("Write at most %(max)d characters.") % {"max": limit}, "too_long"))
    return text


def _date(value: Any, field: str, errors: list[FieldError], *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, _("Give the date (YYYY-MM-DD)."), "required"))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(FieldError(field, _("Give the date (YYYY-MM-DD)."), "invalid"))
        return None


# --- panels ----------------------------------------------------------------------------------


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = dt.date(day.year, first_month, 1)
    end = dt.date(day.year + (first_month == 10), 1 if first_month == 10 else first_month + 3, 1) - dt.timedelta(days=1)
    return start, end


def panels_plan(*, actor: User | None, day: dt.date, now: dt.datetime) -> list[PanelMeeting]:
    """Make sure the quarter of `day` has the configured number of panels: the missing ones are
    planned, spread evenly over what is left of the quarter from `day` (never in the past).
    Returns the panels planned now."""
    if actor is not None:
        _require(actor)
    start, end = quarter_of(day)
    wanted = panels_per_quarter()
    planned: list[PanelMeeting] = []
    with transaction.atomic():
        have = PanelMeeting.objects.filter(planned_for__gte=start, planned_for__lte=end).count()
        missing = max(0, wanted - have)
        first = max(start, day)
        length = (end - first).days + 1
        for index in range(missing):
            when = first + dt.timedelta(days=(length * (2 * index + 1)) // (2 * missing))
            number = have + index + 1
            planned.append(
                PanelMeeting.objects.create(
                    title=_("Customer panel %(n)d of %(quarter)s") % {"n": number, "quarter": _quarter_name(start)},
                    planned_for=when,
                    created_by=actor,
                    created_at=now,
                )
            )
        if planned:
            audit_record(
                actor=actor,
                action="panel.planned",
                object_type="panel",
                object_id=",".join(str(p.pk) for p in planned),
                data={"quarter": _quarter_name(start), "count": len(planned)},
                at=now,
            )
    return planned


def _quarter_name(start: dt.date) -> str:
    return f"{start.year}Q{(start.month - 1) // 3 + 1}"


def panel_record(
    *, actor: User, panel_id: int, held_on: Any, participants: str, notes: str, findings: str, now: dt.datetime
) -> PanelMeeting:
    _require(actor)
    errors: list[FieldError] = []
    day = _date(held_on, "held_on", errors, required=True)
    participants = _text(participants, "participants", errors, required=True)
    notes = _text(notes, "notes", errors)
    findings = _text(findings, "findings", errors)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        panel = PanelMeeting.objects.select_for_update().filter(pk=panel_id).first()
        if panel is None:
            raise NotFound(_("No panel has this number."))
        panel.held_on, panel.participants, panel.notes, panel.findings = day, participants, notes, findings
        panel.save(update_fields=["held_on", "participants", "notes", "findings"])
        audit_record(
            actor=actor, action="panel.recorded", object_type="panel", object_id=str(panel.pk), data={}, at=now
        )
    return panel


def _open_capa(*, actor: User, title: str, findings: str, source: str, now: dt.datetime) -> Any:
    from kesu.supervision.services import capa_create

    if not findings.strip():
        raise ValidationFailed([FieldError("findings", _("Record the findings first."), "required")])
    return capa_create(
        actor=actor,
        complaints=[],
        title=title[:200],
        actions=findings,
        nonconformity=source,
        owner=actor.username,
        due=now + dt.timedelta(days=30),
        now=now,
        without_complaints=True,
    )


def panel_open_capa(*, actor: User, panel_id: int, now: dt.datetime) -> PanelMeeting:
    _require(actor)
    with transaction.atomic():
        panel = PanelMeeting.objects.select_for_update().filter(pk=panel_id).first()
        if panel is None:
            raise NotFound(_("No panel has this number."))
        if panel.capa_id is not None:
            raise Conflict(_("A CAPA was already opened from these findings."), code="capa_exists")
        capa = _open_capa(
            actor=actor,
            title=panel.title,
            findings=panel.findings,
            source=_("Findings of the customer panel held on %(date)s.")
            % {"date": panel.held_on.isoformat() if panel.held_on else panel.planned_for.isoformat()},
            now=now,
        )
        panel.capa = capa
        panel.save(update_fields=["capa"])
    return panel


# --- surveys ---------------------------------------------------------------------------------


def survey_token(invitation: SurveyInvitation) -> str:
    """The invitation's number signed with the secret key: stable, unguessable, not forgeable."""
    return signing.Signer(salt=SIGNING_SALT).sign(str(invitation.pk)).replace(":", ".")


def survey_url(invitation: SurveyInvitation) -> str:
    base = str(getattr(settings, "KESU_SITE_URL", "") or "").rstrip("/")
    return base + reverse("portal:survey", args=[survey_token(invitation)])


def invitation_for_token(token: str) -> SurveyInvitation | None:
    try:
        value = signing.Signer(salt=SIGNING_SALT).unsign(str(token).replace(".", ":"))
    except signing.BadSignature:
        return None
    if not value.isdigit():
        return None
    pk = int(value)
    return SurveyInvitation.objects.select_related("campaign").filter(pk=pk).first()


def survey_create(
    *, actor: User, title: str, questions: list[str], sample_size: Any, now: dt.datetime, seed: int | None = None
) -> SurveyCampaign:
    """Create a questionnaire and send it at once to a random sample of the customers with a contact
    (anonymised customers are left out): by SMS to a phone, else by e-mail, through the outbox."""
    _require(actor)
    errors: list[FieldError] = []
    title = _text(title, "title", errors, required=True, limit=200)
    cleaned = [q.strip() for q in questions if q and q.strip()]
    if not cleaned:
        errors.append(FieldError("questions", _("Ask at least one question."), "required"))
    elif len(cleaned) > MAX_QUESTIONS:
        errors.append(FieldError("questions", _("Ask at most %(max)d questions.") % {"max": MAX_QUESTIONS}, "too_many"))
    elif any(len(q) > 300 for q in cleaned):
        errors.append(FieldError("questions", _("Write at most %(max)d characters.") % {"max": 300}, "too_long"))
    try:
        size = int(sample_size)
        if not 1 <= size <= MAX_SAMPLE:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(
            FieldError("sample_size", _("Give a sample size from 1 to %(max)d.") % {"max": MAX_SAMPLE}, "invalid")
        )
        size = 0
    if errors:
        raise ValidationFailed(errors)
    check_outgoing({"title": title, "questions": "\n".join(cleaned)})
    with transaction.atomic():
        campaign = SurveyCampaign.objects.create(
            title=title, questions=cleaned, sample_size=size, created_by=actor, created_at=now
        )
        population = list(
            Customer.objects.filter(erased_at__isnull=True)
            .exclude(phone__isnull=True, email__isnull=True)
            .order_by("id")
            .values_list("id", "phone", "email")
        )
        chooser = random.Random(seed if seed is not None else campaign.pk)
        drawn = chooser.sample(population, min(size, len(population)))
        company = str(getattr(settings, "KESU_COMPANY_NAME", "") or "Kesu")
        for customer_id, phone, email in sorted(drawn):
            channel, recipient = ("sms", str(phone)) if phone else ("email", str(email))
            invitation = SurveyInvitation.objects.create(
                campaign=campaign, customer_id=customer_id, channel=channel, recipient=recipient, sent_at=now
            )
            body = _("%(company)s invites you to a short survey: %(title)s. Answer here: %(url)s") % {
                "company": company,
                "title": title,
                "url": survey_url(invitation),
            }
            outbox_add(kind="survey", channel=channel, recipient=recipient, subject=title, body=body, now=now)
        audit_record(
            actor=actor,
            action="survey.sent",
            object_type="survey",
            object_id=str(campaign.pk),
            data={"title": title, "sample": len(drawn), "population": len(population)},
            at=now,
        )
    return campaign


def survey_answer(*, token: str, answers: dict[str, Any], comment: str, now: dt.datetime) -> SurveyInvitation:
    """The customer's answers, once per link (a second answer is refused, 409)."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise NotFound(_("This survey link is not valid."))
    questions = invitation.campaign.questions
    errors: list[FieldError] = []
    scores: dict[str, int] = {}
    for index, _question in enumerate(questions):
        key = f"q{index}"
        raw = answers.get(key)
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            value = 0
        if value not in SCORES:
            errors.append(FieldError(key, _("Choose a score from 1 to 5."), "required"))
        else:
            scores[key] = value
    comment = _text(comment, "comment", errors, limit=2000)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.answered_at is not None:
            raise Conflict(_("This survey was already answered with this link. Thank you!"), code="already_answered")
        locked.answers, locked.comment, locked.answered_at = scores, comment, now
        locked.save(update_fields=["answers", "comment", "answered_at"])
        audit_record(
            actor=None,
            action="survey.answered",
            object_type="survey",
            object_id=str(locked.campaign_id),
            data={},
            at=now,
        )
    return locked


@dataclass(frozen=True)
class QuestionSummary:
    text: str
    answers: int
    average: Decimal | None
    counts: list[int]  # how many chose 1…5


@dataclass(frozen=True)
class SurveySummary:
    sent: int
    answered: int
    response_rate: Decimal | None
    questions: list[QuestionSummary]
    comments: list[str]


def survey_summary(campaign: SurveyCampaign) -> SurveySummary:
    rows = list(campaign.invitations.values_list("answered_at", "answers", "comment"))
    answered = [(a, c) for at, a, c in rows if at is not None]
    questions = []
    for index, text in enumerate(campaign.questions):
        values = [a.get(f"q{index}") for a, _c in answered if a.get(f"q{index}") in SCORES]
        tally = Counter(values)
        average = (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01")) if values else None
        questions.append(QuestionSummary(text, len(values), average, [tally.get(s, 0) for s in SCORES]))
    rate = (Decimal(len(answered)) / Decimal(len(rows))).quantize(Decimal("0.0001")) if rows else None
    return SurveySummary(len(rows), len(answered), rate, questions, [c for _a, c in answered if c])


def survey_findings(*, actor: User, campaign_id: int, findings: str, now: dt.datetime) -> SurveyCampaign:
    _require(actor)
    errors: list[FieldError] = []
    findings = _text(findings, "findings", errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        campaign = SurveyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound(_("No survey has this number."))
        campaign.findings = findings
        campaign.save(update_fields=["findings"])
        audit_record(
            actor=actor, action="survey.findings", object_type="survey", object_id=str(campaign.pk), data={}, at=now
        )
    return campaign


def survey_open_capa(*, actor: User, campaign_id: int, now: dt.datetime) -> SurveyCampaign:
    _require(actor)
    with transaction.atomic():
        campaign = SurveyCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise NotFound(_("No survey has this number."))
        if campaign.capa_id is not None:
            raise Conflict(_("A CAPA was already opened from these findings."), code="capa_exists")
        capa = _open_capa(
            actor=actor,
            title=campaign.title,
            findings=campaign.findings,
            source=_("Findings of the survey “%(title)s”.") % {"title": campaign.title},
            now=now,
        )
        campaign.capa = capa
        campaign.save(update_fields=["capa"])
    return campaign


# --- the frequency and what is due (FU-5: panels every quarter, surveys every half-year) --------


POLICY_FIELDS = ("panels_per_quarter", "surveys_per_half_year")


def voice_policy_save(*, actor: User, values: dict[str, Any], now: dt.datetime) -> VoicePolicy:
    """The managers' frequency of panels a quarter and surveys a half-year (one row, audited)."""
    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))
    row = VoicePolicy.objects.order_by("id").first() or VoicePolicy()
    for name in POLICY_FIELDS:
        if values.get(name) is not None:
            setattr(row, name, values[name])
    return save_audited(
        actor=actor,
        instance=row,
        fields=POLICY_FIELDS,
        object_type="voice_policy",
        object_id=lambda r: "voice",
        now=now,
    )


def half_year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    if day.month <= 6:
        return dt.date(day.year, 1, 1), dt.date(day.year, 6, 30)
    return dt.date(day.year, 7, 1), dt.date(day.year, 12, 31)


def _half_year_name(start: dt.date) -> str:
    return f"{start.year}H{1 if start.month == 1 else 2}"


@dataclass(frozen=True)
class VoiceDue:
    """What the quarter and the half-year of `day` ask for, and what is there."""

    quarter: str
    quarter_ends: dt.date
    panels_wanted: int
    panels_planned: int  # planned for a day of the quarter (held or not)
    panels_held: int
    half_year: str
    half_year_ends: dt.date
    surveys_wanted: int
    surveys_sent: int

    @property
    def panels_short(self) -> int:
        return max(0, self.panels_wanted - self.panels_planned)

    @property
    def surveys_short(self) -> int:
        return max(0, self.surveys_wanted - self.surveys_sent)


def voice_due(*, day: dt.date) -> VoiceDue:
    policy = VoicePolicy.current()
    q_start, q_end = quarter_of(day)
    h_start, h_end = half_year_of(day)
    panels = PanelMeeting.objects.filter(planned_for__gte=q_start, planned_for__lte=q_end)
    tz = timezone.get_current_timezone()
    sent = SurveyCampaign.objects.filter(
        created_at__gte=dt.datetime.combine(h_start, dt.time.min, tzinfo=tz),
        created_at__lt=dt.datetime.combine(h_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    ).count()
    return VoiceDue(
        quarter=_quarter_name(q_start),
        quarter_ends=q_end,
        panels_wanted=int(policy.panels_per_quarter),
        panels_planned=panels.count(),
        panels_held=panels.filter(held_on__isnull=False).count(),
        half_year=_half_year_name(h_start),
        half_year_ends=h_end,
        surveys_wanted=int(policy.surveys_per_half_year),
        surveys_sent=sent,
    )


def desk_managers() -> list[User]:
    """The managers of the departments the service-desk teams belong to (customer service)."""
    from kesu.desk.models import Team

    departments = Team.objects.values("department_id")
    return list(User.objects.filter(is_active=True, role=Role.MANAGER, department_id__in=departments).order_by("id"))


def voice_remind(*, now: dt.datetime) -> int:
    """Tell the desk manager when the current quarter has fewer panels planned, or the current
    half-year fewer surveys sent, than the configured minimum: once per period and kind (a later
    run finds the reminder and sends nothing). Returns the number of reminders sent."""
    due = voice_due(day=timezone.localtime(now).date())
    managers = desk_managers()
    if not managers:
        return 0
    link = str(getattr(settings, "KESU_SITE_URL", "") or "").rstrip("/") + reverse("web:desk_voice")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        if due.panels_short:
            subject = _("Customer panels due in %(quarter)s") % {"quarter": due.quarter}
            body = ngettext(
                "%(wanted)d customer panel is due this quarter (%(quarter)s), %(planned)d planned. "
                "Plan the missing ones before %(ends)s: %(link)s",
                "%(wanted)d customer panels are due this quarter (%(quarter)s), %(planned)d planned. "
                "Plan the missing ones before %(ends)s: %(link)s",
                due.panels_wanted,
            ) % {
                "wanted": due.panels_wanted,
                "quarter": due.quarter,
                "planned": due.panels_planned,
                "ends": due.quarter_ends.isoformat(),
                "link": link,
            }
            sent += _remind_once(
                kind=VoiceReminder.Kind.PANELS,
                period=due.quarter,
                wanted=due.panels_wanted,
                found=due.panels_planned,
                managers=managers,
                subject=subject,
                body=body,
                now=now,
            )
        if due.surveys_short:
            subject = _("Customer survey due in %(half)s") % {"half": due.half_year}
            body = ngettext(
                "%(wanted)d survey is due this half-year (%(half)s), %(sent)d sent. Send it before %(ends)s: %(link)s",
                "%(wanted)d surveys are due this half-year (%(half)s), %(sent)d sent. "
                "Send them before %(ends)s: %(link)s",
                due.surveys_wanted,
            ) % {
                "wanted": due.surveys_wanted,
                "half": due.half_year,
                "sent": due.surveys_sent,
                "ends": due.half_year_ends.isoformat(),
                "link": link,
            }
            sent += _remind_once(
                kind=VoiceReminder.Kind.SURVEYS,
                period=due.half_year,
                wanted=due.surveys_wanted,
                found=due.surveys_sent,
                managers=managers,
                subject=subject,
                body=body,
                now=now,
            )
    return sent


def _remind_once(
    *,
    kind: str,
    period: str,
    wanted: int,
    found: int,
    managers: list[User],
    subject: str,
    body: str,
    now: dt.datetime,
) -> int:
    with transaction.atomic():
        _reminder, created = VoiceReminder.objects.get_or_create(
            kind=kind, period=period, defaults={"wanted": wanted, "found": found, "sent_at": now}
        )
        if not created:
            return 0
        notify_users(users=managers, kind="voice_due", subject=subject, body=body, now=now)
        audit_record(
            actor=None,
            action="voice.reminded",
            object_type="voice_reminder",
            object_id=f"{kind}:{period}",
            data={"wanted": wanted, "found": found, "managers": [m.username for m in managers]},
            at=now,
        )
    return 1
