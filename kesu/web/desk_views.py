"""Service-desk pages (SPEC OP-1…OP-5, FU-5, SV-3): the duty roster and shift swaps, the shift
handover, the service phrases, agent performance, customer panels and surveys, the case library.

Thin edges: parse, call the desk service or selector, render; a form that fails keeps what was
typed with the service's message by its field."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import STAFF_ROLES, SUPERVISORS, can_configure
from kesu.complaints.selectors import visible_complaints
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.desk import cases, handover, performance, phrases, roster, swaps, voice
from kesu.desk.models import (
    PanelMeeting,
    RosterEntry,
    ServicePhrase,
    SurveyCampaign,
    SwapStatus,
    Team,
    VoicePolicy,
)
from kesu.web import desk_forms as df
from kesu.web.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_use_desk(user: User) -> bool:
    return user.role in STAFF_ROLES and user.role != Role.HANDLER


TABS: list[tuple[str, str, Any, Callable[[User], bool]]] = [
    ("roster", "web:desk", gettext_lazy("Duty roster"), lambda u: True),
    (
        "handover",
        "web:desk_handover",
        gettext_lazy("Shift handover"),
        lambda u: u.role in (Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.GM),
    ),
    ("phrases", "web:desk_phrases", gettext_lazy("Service phrases"), lambda u: True),
    (
        "performance",
        "web:desk_performance",
        gettext_lazy("Agent performance"),
        lambda u: u.role == Role.AGENT or u.role in SUPERVISORS,
    ),
    ("voice", "web:desk_voice", gettext_lazy("Panels and surveys"), voice.may_run_voice),
    ("cases", "web:desk_cases", gettext_lazy("Case library"), lambda u: True),
]


def _render(request: HttpRequest, template: str, tab: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    user = _user(request)
    if not may_use_desk(user):
        raise DjangoPermissionDenied(_("The service desk pages are for customer service."))
    from django.urls import reverse

    tabs = [{"key": k, "url": reverse(u), "label": label} for k, u, label, ok in TABS if ok(user)]
    return render(request, template, {"nav": "desk", "tabs": tabs, "tab": tab, **context}, status=status)


def _forbid(exc: DomainError) -> None:
    if exc.status == 403:
        raise DjangoPermissionDenied(str(exc)) from exc
    if exc.status == 404:
        raise Http404(str(exc)) from exc


def _name(user: User) -> str:
    return f"{user.get_full_name() or user.username} ({user.username})"


# --- roster and swaps (OP-1, OP-3) ------------------------------------------------------------


def _roster_context(user: User, swap_form: Any = None) -> dict[str, Any]:
    now = clock.now()
    today = timezone.localtime(now).date()
    team = roster.team_of(user) or Team.objects.filter(takes_complaints=True).first()
    month = today.replace(day=1)
    entries = list(roster.roster_month(team=team, year=month.year, month=month.month)) if team else []
    days: dict[dt.date, list[RosterEntry]] = {}
    for entry in entries:
        days.setdefault(entry.date, []).append(entry)
    mine = list(RosterEntry.objects.filter(user=user, date__gte=today).select_related("shift").order_by("date")[:40])
    partners = [
        (u.username, _name(u)) for u in (team.members.filter(role=Role.AGENT).exclude(pk=user.pk) if team else [])
    ]
    form = swap_form or df.SwapForm(
        dates=[(e.date.isoformat(), f"{e.date.isoformat()} {e.shift.name}") for e in mine], partners=partners
    )
    all_swaps = swaps.swaps_for(user)
    return {
        "team": team,
        "teams": Team.objects.order_by("code"),
        "month": month,
        "days": sorted(days.items()),
        "duties": roster.on_duty(team=team, now=now) if team else [],
        "mine": mine,
        "form": form,
        "can_swap": user.role == Role.AGENT,
        "can_plan": roster.may_plan_roster(user),
        "to_agree": [s for s in all_swaps if s.partner_id == user.pk and s.status == SwapStatus.AWAITING_PARTNER],
        "to_approve": [s for s in all_swaps if s.status == SwapStatus.AWAITING_APPROVAL and swaps.may_approve(user, s)],
        "swaps": all_swaps,
        "undecided": [str(status) for status in swaps.UNDECIDED],
        "today": today,
    }


@login_required
def roster_page(request: HttpRequest) -> HttpResponse:
    return _render(request, "web/desk/roster.html", "roster", _roster_context(_user(request)))


@login_required
@require_POST
def swap_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        swaps.swap_request(
            actor=user,
            partner=str(request.POST.get("partner", "")),
            date=str(request.POST.get("date", "")),
            partner_date=str(request.POST.get("partner_date", "")) or None,
            now=clock.now(),
        )
    except DomainError as exc:
        _forbid(exc)
        context = _roster_context(user)
        form = df.SwapForm(
            request.POST,
            dates=list(context["form"].fields["date"].widget.choices)[1:],
            partners=list(context["form"].fields["partner"].widget.choices)[1:],
        )
        apply_errors(form, exc.errors)
        context["form"] = form
        return _render(request, "web/desk/roster.html", "roster", context, status=exc.status)
    messages.success(request, _("The swap was requested; your colleague is asked to agree."))
    return redirect("web:desk")


def _swap_step(request: HttpRequest, swap_id: int, step: Callable[..., Any], done: str) -> HttpResponse:
    try:
        step(actor=_user(request), swap_id=swap_id, now=clock.now())
    except DomainError as exc:
        _forbid(exc)
        messages.error(request, str(exc))
        return redirect("web:desk")
    messages.success(request, done)
    return redirect("web:desk")


@login_required
@require_POST
def swap_agree(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _swap_step(request, swap_id, swaps.swap_agree, _("You agreed; the department manager approves next."))


@login_required
@require_POST
def swap_approve(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _swap_step(request, swap_id, swaps.swap_approve, _("The swap was approved; the roster shows it."))


@login_required
@require_POST
def swap_withdraw(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _swap_step(request, swap_id, swaps.swap_withdraw, _("You withdrew the swap request."))


@login_required
@require_POST
def swap_refuse(request: HttpRequest, swap_id: int) -> HttpResponse:
    return _swap_step(request, swap_id, swaps.swap_refuse, _("The swap was refused; the roster stays as it was."))


@login_required
@require_POST
def roster_plan(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    team = Team.objects.filter(code=str(request.POST.get("team", ""))).first()
    if team is None:
        raise Http404(_("No team has this code."))
    try:
        year, month = (int(p) for p in str(request.POST.get("month", "")).split("-"))
        written = roster.roster_generate(actor=user, team=team, year=year, month=month, now=clock.now())
    except ValueError:
        messages.error(request, _("Choose a month."))
        return redirect("web:desk")
    except DomainError as exc:
        _forbid(exc)
        messages.error(request, str(exc))
        return redirect("web:desk")
    messages.success(request, _("The roster was drawn up: %(count)d shifts.") % {"count": written})
    return redirect("web:desk")


# --- handover (OP-2) --------------------------------------------------------------------------


def _handover_context(user: User, form: Any = None, q: str = "") -> dict[str, Any]:
    now = clock.now()
    entry = handover.current_entry(user=user, now=now)
    colleagues = [
        (u.username, _name(u))
        for u in User.objects.filter(is_active=True, role__in=(Role.AGENT, Role.SUPERVISOR))
        .exclude(pk=user.pk)
        .order_by("role", "username")
    ]
    numbers: list[str] = []
    if form is None:
        difficult, numbers = handover.prefill_difficult(user)
        following = handover.next_on_roster(entry) if entry else None
        existing = getattr(entry, "handover", None) if entry else None
        form = df.HandoverForm(
            initial={
                "incoming": existing.incoming.username if existing else (following.username if following else ""),
                "equipment": existing.equipment if existing else "",
                "difficult": existing.difficult if existing else difficult,
                "staffing": existing.staffing if existing else "",
            },
            colleagues=colleagues,
        )
    return {
        "entry": entry,
        "form": form,
        "numbers": numbers,
        "awaiting": handover.awaiting_me(user),
        "log": handover.handover_log(user=user, q=q),
        "q": q,
        "can_write": user.role in (Role.AGENT, Role.SUPERVISOR),
        "colleagues": colleagues,
    }


@login_required
def handover_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = str(request.GET.get("q", ""))[:100]
    if request.method != "POST":
        return _render(request, "web/desk/handover.html", "handover", _handover_context(user, q=q))
    context = _handover_context(user)
    form = df.HandoverForm(request.POST, colleagues=context["colleagues"])
    try:
        handover.handover_write(
            actor=user,
            incoming=str(request.POST.get("incoming", "")),
            equipment=str(request.POST.get("equipment", "")),
            difficult=str(request.POST.get("difficult", "")),
            staffing=str(request.POST.get("staffing", "")),
            complaints=request.POST.getlist("complaints"),
            now=clock.now(),
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        context["form"] = form
        return _render(request, "web/desk/handover.html", "handover", context, status=exc.status)
    messages.success(request, _("The handover was written; your shift ends when your colleague accepts it."))
    return redirect("web:desk_handover")


@login_required
@require_POST
def handover_accept(request: HttpRequest, handover_id: int) -> HttpResponse:
    try:
        handover.handover_accept(actor=_user(request), handover_id=handover_id, now=clock.now())
    except DomainError as exc:
        _forbid(exc)
        messages.error(request, str(exc))
        return redirect("web:desk_handover")
    messages.success(request, _("You took over the shift."))
    return redirect("web:desk_handover")


# --- service phrases (OP-4) -------------------------------------------------------------------


def _phrases_context(user: User, form: Any = None) -> dict[str, Any]:
    rows = list(ServicePhrase.objects.select_related("created_by"))
    return {
        "required": [p for p in rows if p.kind == "required"],
        "forbidden": [p for p in rows if p.kind == "forbidden"],
        "form": form or df.PhraseForm(initial={"kind": "forbidden"}),
        "can_keep": phrases.may_keep_phrases(user),
    }


@login_required
def phrases_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method != "POST":
        return _render(request, "web/desk/phrases.html", "phrases", _phrases_context(user))
    form = df.PhraseForm(request.POST)
    try:
        phrases.phrase_add(
            actor=user, text=str(request.POST.get("text", "")), kind=str(request.POST.get("kind", "")), now=clock.now()
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        return _render(request, "web/desk/phrases.html", "phrases", _phrases_context(user, form), status=exc.status)
    messages.success(request, _("The phrase was added."))
    return redirect("web:desk_phrases")


@login_required
@require_POST
def phrase_toggle(request: HttpRequest, phrase_id: int) -> HttpResponse:
    try:
        phrases.phrase_set_active(
            actor=_user(request), phrase_id=phrase_id, active=request.POST.get("active") == "1", now=clock.now()
        )
    except DomainError as exc:
        _forbid(exc)
    return redirect("web:desk_phrases")


# --- performance (OP-5, SV-4) -----------------------------------------------------------------

PERFORMANCE_COLUMNS = [
    gettext_lazy("Agent"),
    gettext_lazy("Complaints handled"),
    gettext_lazy("Closed"),
    gettext_lazy("On-time rate"),
    gettext_lazy("Satisfaction"),
    gettext_lazy("Valid complaints against them"),
    gettext_lazy("Review score"),
    gettext_lazy("Rewards (CNY)"),
    gettext_lazy("Penalties (CNY)"),
]


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _rows(figures: list[performance.AgentFigures]) -> list[list[str]]:
    return [
        [
            _name(f.agent),
            str(f.volume),
            str(f.closed),
            _percent(f.on_time_rate),
            _percent(f.satisfaction_rate),
            str(f.valid_against),
            "—" if f.review_score is None else str(f.review_score),
            str(f.rewards),
            str(f.penalties),
        ]
        for f in figures
    ]


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate(clock.now())
    try:
        start = dt.date.fromisoformat(str(request.GET.get("date_from", "")))
    except ValueError:
        start = today.replace(day=1)
    try:
        end = dt.date.fromisoformat(str(request.GET.get("date_to", "")))
    except ValueError:
        end = today
    return start, end


def _performance_context(request: HttpRequest, sanction_form: Any = None) -> dict[str, Any]:
    user = _user(request)
    start, end = _period(request)
    try:
        figures = performance.agent_performance(user=user, date_from=start, date_to=end)
    except DomainError:
        start, end = end, start
        figures = performance.agent_performance(user=user, date_from=start, date_to=end)
    agents = [(a.username, _name(a)) for a in performance.visible_agents(user)]
    return {
        "form": df.PeriodForm(initial={"date_from": start.isoformat(), "date_to": end.isoformat()}),
        "columns": PERFORMANCE_COLUMNS,
        "rows": _rows(figures),
        "date_from": start,
        "date_to": end,
        "can_sanction": performance.may_sanction(user),
        "sanction_form": sanction_form
        or df.SanctionForm(agents=agents, initial={"date": timezone.localdate(clock.now()).isoformat()}),
        "agents": agents,
    }


@login_required
def performance_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not (user.role == Role.AGENT or user.role in SUPERVISORS):
        raise DjangoPermissionDenied(_("Agents see their own figures, managers their team's."))
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        context = _performance_context(request)
        header = [str(c) for c in PERFORMANCE_COLUMNS]
        name = f"agent-performance-{context['date_from']}-{context['date_to']}"
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerow(header)
            writer.writerows(context["rows"])
            response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            from openpyxl import Workbook

            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.append(header)
            for row in context["rows"]:
                sheet.append(row)
            out = io.BytesIO()
            book.save(out)
            response = HttpResponse(
                out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            )
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
    if request.method == "POST":
        context = _performance_context(request)
        form = df.SanctionForm(request.POST, agents=context["agents"])
        try:
            performance.sanction_record(
                actor=user,
                person=str(request.POST.get("person", "")),
                kind=str(request.POST.get("kind", "")),
                amount=str(request.POST.get("amount", "")),
                reason=str(request.POST.get("reason", "")),
                date=str(request.POST.get("date", "")),
                now=clock.now(),
            )
        except DomainError as exc:
            _forbid(exc)
            apply_errors(form, exc.errors)
            context["sanction_form"] = form
            return _render(request, "web/desk/performance.html", "performance", context, status=exc.status)
        messages.success(request, _("The reward or penalty was recorded."))
        return redirect("web:desk_performance")
    return _render(request, "web/desk/performance.html", "performance", _performance_context(request))


# --- panels and surveys (FU-5) ----------------------------------------------------------------


def _require_voice(user: User) -> None:
    if not voice.may_run_voice(user):
        raise DjangoPermissionDenied(_("Only supervisors and managers run customer panels and surveys."))


def _voice_context(user: User, survey_form: Any = None) -> dict[str, Any]:
    return {
        "panels": list(PanelMeeting.objects.select_related("capa")[:40]),
        "surveys": list(SurveyCampaign.objects.all()[:40]),
        "survey_form": survey_form or df.SurveyForm(initial={"sample_size": 20}),
        "due": voice.voice_due(day=timezone.localdate(clock.now())),
        "can_configure": can_configure(user),
    }


@login_required
def voice_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_voice(user)
    if request.method != "POST":
        return _render(request, "web/desk/voice.html", "voice", _voice_context(user))
    form = df.SurveyForm(request.POST)
    try:
        campaign = voice.survey_create(
            actor=user,
            title=str(request.POST.get("title", "")),
            questions=str(request.POST.get("questions", "")).splitlines(),
            sample_size=request.POST.get("sample_size"),
            now=clock.now(),
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        return _render(request, "web/desk/voice.html", "voice", _voice_context(user, form), status=exc.status)
    messages.success(
        request, _("The survey was sent to %(count)d customers.") % {"count": campaign.invitations.count()}
    )
    return redirect("web:desk_survey", campaign_id=campaign.pk)


@login_required
def voice_settings(request: HttpRequest) -> HttpResponse:
    """Configuration → panel and survey frequency (the managers' setting, edited like the others)."""
    from kesu.web.settings_views import SECTION_TITLES, _edit, _require

    user = _require(request)
    policy = VoicePolicy.current()
    form = df.VoicePolicyForm(
        request.POST or None,
        initial={
            "panels_per_quarter": policy.panels_per_quarter,
            "surveys_per_half_year": policy.surveys_per_half_year,
        },
    )
    return _edit(
        request,
        section="voice",
        form=form,
        save=lambda data: voice.voice_policy_save(actor=user, values=data, now=clock.now()),
        title=str(SECTION_TITLES["voice"]),
        done=_("The panel and survey frequency was saved."),
        back=reverse("web:desk_voice"),
    )


@login_required
@require_POST
def panels_plan(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _require_voice(user)
    planned = voice.panels_plan(actor=user, day=timezone.localdate(clock.now()), now=clock.now())
    messages.success(request, _("%(count)d panels were planned for this quarter.") % {"count": len(planned)})
    return redirect("web:desk_voice")


@login_required
def panel_page(request: HttpRequest, panel_id: int) -> HttpResponse:
    user = _user(request)
    _require_voice(user)
    panel = PanelMeeting.objects.filter(pk=panel_id).first()
    if panel is None:
        raise Http404(_("No panel has this number."))
    if request.method == "POST" and request.POST.get("capa"):
        try:
            voice.panel_open_capa(actor=user, panel_id=panel_id, now=clock.now())
        except DomainError as exc:
            _forbid(exc)
            messages.error(request, str(exc))
            return redirect("web:desk_panel", panel_id=panel_id)
        messages.success(request, _("A CAPA was opened from the findings."))
        return redirect("web:desk_panel", panel_id=panel_id)
    if request.method == "POST":
        form = df.PanelForm(request.POST)
        try:
            voice.panel_record(
                actor=user,
                panel_id=panel_id,
                held_on=str(request.POST.get("held_on", "")),
                participants=str(request.POST.get("participants", "")),
                notes=str(request.POST.get("notes", "")),
                findings=str(request.POST.get("findings", "")),
                now=clock.now(),
            )
        except DomainError as exc:
            _forbid(exc)
            apply_errors(form, exc.errors)
            return _render(request, "web/desk/panel.html", "voice", {"panel": panel, "form": form}, status=exc.status)
        messages.success(request, _("The panel was recorded."))
        return redirect("web:desk_panel", panel_id=panel_id)
    form = df.PanelForm(
        initial={
            "held_on": (panel.held_on or panel.planned_for).isoformat(),
            "participants": panel.participants,
            "notes": panel.notes,
            "findings": panel.findings,
        }
    )
    return _render(request, "web/desk/panel.html", "voice", {"panel": panel, "form": form})


@login_required
def survey_page(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = _user(request)
    _require_voice(user)
    campaign = SurveyCampaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404(_("No survey has this number."))
    form = df.FindingsForm(initial={"findings": campaign.findings})
    if request.method == "POST":
        try:
            if request.POST.get("capa"):
                voice.survey_open_capa(actor=user, campaign_id=campaign_id, now=clock.now())
                messages.success(request, _("A CAPA was opened from the findings."))
            else:
                form = df.FindingsForm(request.POST)
                voice.survey_findings(
                    actor=user, campaign_id=campaign_id, findings=str(request.POST.get("findings", "")), now=clock.now()
                )
                messages.success(request, _("The findings were recorded."))
        except DomainError as exc:
            _forbid(exc)
            apply_errors(form, exc.errors)
            return _render(request, "web/desk/survey.html", "voice", _survey_context(campaign, form), status=exc.status)
        return redirect("web:desk_survey", campaign_id=campaign_id)
    return _render(request, "web/desk/survey.html", "voice", _survey_context(campaign, form))


def _survey_context(campaign: SurveyCampaign, form: Any) -> dict[str, Any]:
    from kesu.core.privacy import mask_email, mask_phone

    invitations = [
        {
            "recipient": mask_phone(i.recipient) if i.channel == "sms" else mask_email(i.recipient),
            "channel": i.channel,
            "answered": i.answered_at is not None,
            "url": voice.survey_url(i),
        }
        for i in campaign.invitations.all()
    ]
    return {"campaign": campaign, "summary": voice.survey_summary(campaign), "invitations": invitations, "form": form}


# --- case library (SV-3) ----------------------------------------------------------------------


@login_required
def cases_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    q = str(request.GET.get("q", ""))[:100]
    category = str(request.GET.get("category", ""))[:120]
    rows = list(cases.case_search(user=user, q=q, category=category)[:100])
    return _render(
        request,
        "web/desk/cases.html",
        "cases",
        {
            "cases": rows,
            "q": q,
            "category": category,
            "categories": cases.case_categories(),
            "can_promote": cases.may_promote(user),
            "closed": list(visible_complaints(user).filter(status="closed").order_by("-closed_at")[:20])
            if cases.may_promote(user)
            else [],
        },
    )


@login_required
def case_new(request: HttpRequest, number: str) -> HttpResponse:
    user = _user(request)
    if not cases.may_promote(user):
        raise DjangoPermissionDenied(_("Only supervisors and managers promote complaints to training cases."))
    complaint = visible_complaints(user).select_related("customer").filter(number=number).first()
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    if request.method != "POST":
        form = df.CaseForm(initial=cases.case_draft(complaint))
        return _render(request, "web/desk/case_new.html", "cases", {"complaint": complaint, "form": form})
    form = df.CaseForm(request.POST)
    try:
        cases.case_promote(
            actor=user,
            number=number,
            title=str(request.POST.get("title", "")),
            summary=str(request.POST.get("summary", "")),
            handling=str(request.POST.get("handling", "")),
            lesson=str(request.POST.get("lesson", "")),
            reply_script=str(request.POST.get("reply_script", "")),
            now=clock.now(),
        )
    except DomainError as exc:
        _forbid(exc)
        apply_errors(form, exc.errors)
        return _render(
            request, "web/desk/case_new.html", "cases", {"complaint": complaint, "form": form}, status=exc.status
        )
    messages.success(request, _("The complaint is now a training case."))
    return redirect("web:desk_cases")
