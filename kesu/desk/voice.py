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
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import SUPERVISORS
from kesu.audit.services import audit_record
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.customers.models import Customer
from kesu.desk.models import PanelMeeting, SurveyCampaign, SurveyInvitation
from kesu.desk.phrases import check_outgoing
from kesu.notifications.services import outbox_add

SIGNING_SALT = "kesu.desk.survey"
MAX_QUESTIONS = 10
MAX_SAMPLE = 500
SCORES = (1, 2, 3, 4, 5)


def panels_per_quarter() -> int:
    return max(1, int(getattr(settings, "KESU_PANELS_PER_QUARTER", 2)))


def survey_every_months() -> int:
    return max(1, int(getattr(settings, "KESU_SURVEY_EVERY_MONTHS", 6)))


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
    planned, spread evenly over the quarter. Returns the panels planned now."""
    if actor is not None:
        _require(actor)
    start, end = quarter_of(day)
    wanted = panels_per_quarter()
    planned: list[PanelMeeting] = []
    with transaction.atomic():
        have = PanelMeeting.objects.filter(planned_for__gte=start, planned_for__lte=end).count()
        length = (end - start).days + 1
        for index in range(have, wanted):
            when = start + dt.timedelta(days=(length * (2 * index + 1)) // (2 * wanted))
            planned.append(
                PanelMeeting.objects.create(
                    title=_("Customer panel %(n)d of %(quarter)s") % {"n": index + 1, "quarter": _quarter_name(start)},
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


def survey_due(now: dt.datetime) -> bool:
    """True when no survey was sent in the configured interval (at least every half year)."""
    last = SurveyCampaign.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    return last is None or now - last > dt.timedelta(days=30 * survey_every_months())
