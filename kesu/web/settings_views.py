"""配置: the configuration managers own, each section a list and an edit form — SLA policies and
regulatory presets, approval authority, the reason taxonomy, severity rules, letter templates.

Each save goes through its domain service, which checks, saves and writes the audit record in
one transaction; a refused form is shown again with what was typed and the message by the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import DEFAULT_APPROVAL_AUTHORITY, can_configure
from kesu.complaints.models import Channel
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.deadlines.configuration import preset_set_enabled, sla_policy_save
from kesu.deadlines.models import CalendarYear, RegulatoryPreset, SlaPolicy, Unit
from kesu.deadlines.policies import PRESETS
from kesu.notifications.letters import letter_template_save
from kesu.notifications.models import CannedResponse, LetterTemplate
from kesu.resolution.authority import authority_save
from kesu.resolution.models import ApprovalAuthority
from kesu.triage.configuration import category_save, severity_rule_save
from kesu.triage.models import Category, ClassifierVersion, Severity, SeverityRule, Urgency
from kesu.web import supervision_forms as sf
from kesu.web.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require(request: HttpRequest) -> User:
    user = _user(request)
    if not can_configure(user):
        raise DjangoPermissionDenied(_("Only managers change the configuration."))
    return user


SECTIONS = [
    (
        "sla",
        "web:settings_sla",
        gettext_lazy("Deadlines (SLA policies and regulatory presets)"),
        gettext_lazy(
            "How long acknowledging, replying and closing may take, by severity, urgency, channel and "
            "category; the regulators' rules that can be switched on."
        ),
    ),
    (
        "authority",
        "web:settings_authority",
        gettext_lazy("Approval authority"),
        gettext_lazy("How much each role may approve, by default or in one department."),
    ),
    (
        "categories",
        "web:settings_categories",
        gettext_lazy("Complaint categories"),
        gettext_lazy("The reason taxonomy (four levels) and the department each category is routed to."),
    ),
    (
        "severity",
        "web:settings_severity",
        gettext_lazy("Severity rules"),
        gettext_lazy("Keywords and channels that suggest a serious or major complaint at intake."),
    ),
    (
        "letters",
        "web:settings_letters",
        gettext_lazy("Letter templates"),
        gettext_lazy(
            "Acknowledgement, apology and result letters, the unreachable SMS and the internal record form, "
            "in each language."
        ),
    ),
    (
        "canned",
        "web:canned_list",
        gettext_lazy("Canned responses"),
        gettext_lazy("The phrases agents insert into notes, solutions and callback comments."),
    ),
    # --- major complaints and money at the desk (issue 13) ---
    (
        "checklists",
        "web:settings_checklists",
        gettext_lazy("Major-complaint checklists"),
        gettext_lazy("The checklist of each kind of major complaint, and whom it is reported to."),
    ),
    (
        "compensation",
        "web:settings_compensation",
        gettext_lazy("Compensation, loss and penalty standards"),
        gettext_lazy("The usual remedy and amount per kind of complaint; how losses and penalties are computed."),
    ),
    (
        "calendar",
        "web:calendar",
        gettext_lazy("Working-day calendar"),
        gettext_lazy("The official holidays and make-up working days each year; import next year's schedule."),
    ),
    # service desk (kesu/web/desk_views.py): how often panels and surveys are due (FU-5)
    (
        "voice",
        "web:settings_voice",
        gettext_lazy("Panel and survey frequency"),
        gettext_lazy(
            "How many customer panels a quarter and questionnaire surveys a half-year are due at least; "
            "the desk manager is reminded when they fall short."
        ),
    ),
    # triage intelligence (kesu/web/triage_views.py): classifier, same matter, escalation risk
    (
        "triage",
        "web:settings_triage",
        gettext_lazy("Triage intelligence"),
        gettext_lazy(
            "When the classifier's suggestions are shown, which complaints count as the same matter, and how "
            "an escalation-risk flag raises the escalation level; the classifier's versions."
        ),
    ),
]

SECTION_TITLES = {key: title for key, _url, title, _text in SECTIONS}


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    counts = {
        "sla": SlaPolicy.objects.count(),
        "authority": ApprovalAuthority.objects.count(),
        "categories": Category.objects.count(),
        "severity": SeverityRule.objects.count(),
        "letters": LetterTemplate.objects.count(),
        "canned": CannedResponse.objects.count(),
        **_issue13_counts(),
        "calendar": CalendarYear.objects.count(),
        "voice": _voice_count(),
        "triage": ClassifierVersion.objects.count(),
    }
    sections = [
        {"key": key, "url": reverse(url), "title": title, "text": text, "count": counts[key]}
        for key, url, title, text in SECTIONS
    ]
    return render(request, "web/settings/index.html", {"sections": sections, "nav": "settings"})


def _voice_count() -> int:
    """One policy: the defaults (2 panels a quarter, 1 survey a half-year) until a manager saves it."""
    return 1


def _issue13_counts() -> dict[str, int]:
    from kesu.compensation.models import CompensationStandard
    from kesu.incidents.models import ChecklistTemplate

    return {"checklists": ChecklistTemplate.objects.count(), "compensation": CompensationStandard.objects.count()}


def _edit(
    request: HttpRequest,
    *,
    section: str,
    form: Any,
    save: Callable[[Any], Any],
    title: str,
    done: str,
    back: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET shows `form`; POST validates it, calls `save(cleaned_data)` and redirects to `back`."""
    context = {
        "form": form,
        "title": title,
        "section": section,
        "section_title": SECTION_TITLES[section],
        "back": back,
        "nav": "settings",
        **(extra or {}),
    }
    if request.method != "POST":
        return render(request, "web/settings/edit.html", context)
    status = 422
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except DomainError as exc:
            if exc.status == 403:
                raise DjangoPermissionDenied(str(exc)) from exc
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, done)
            return redirect(back)
    return render(request, "web/settings/edit.html", context, status=status)


def _get(model: type[Model], pk: int | None) -> Any:
    if pk is None:
        return None
    row = model._default_manager.filter(pk=pk).first()
    if row is None:
        raise Http404(_("There is no such entry."))
    return row


# --- SLA policies and presets ----------------------------------------------------------------


def policy_summary(policy: SlaPolicy) -> dict[str, Any]:
    unit = Unit(policy.unit).label if policy.unit in Unit.values else policy.unit
    rule = f"{policy.amount} {unit}"
    if policy.by_time:
        rule += " " + _("by %(time)s") % {"time": policy.by_time.strftime("%H:%M")}
    when = []
    if policy.severity:
        when.append(Severity(policy.severity).label if policy.severity in Severity.values else policy.severity)
    if policy.urgency:
        when.append(Urgency(policy.urgency).label if policy.urgency in Urgency.values else policy.urgency)
    if policy.channel:
        when.append(Channel(policy.channel).label if policy.channel in Channel.values else policy.channel)
    if policy.category is not None:
        when.append(policy.category.localized_name)
    if policy.overseas is not None:
        when.append(str(sf.OVERSEAS_CHOICES[1 if policy.overseas else 2][1]))
    return {
        "policy": policy,
        "kind": sf.kind_label(policy.kind),
        "rule": rule,
        "when": _list_separator().join(str(w) for w in when) if when else _("every complaint"),
    }


def _list_separator() -> str:
    return "，" if (get_language() or "zh-hans").startswith("zh") else ", "


@login_required
def sla(request: HttpRequest) -> HttpResponse:
    _require(request)
    policies = [
        policy_summary(p) for p in SlaPolicy.objects.select_related("kind", "category").order_by("kind_id", "id")
    ]
    enabled = dict(RegulatoryPreset.objects.values_list("code", "enabled"))
    presets = []
    for code, preset in PRESETS.items():
        rules = [
            {
                "kind": sf.KIND_LABELS.get(spec.kind, spec.kind),
                "rule": f"{spec.rule.amount} {Unit(spec.rule.unit).label}",
            }
            for spec in preset.policies
        ]
        presets.append({"code": code, "name": preset.name, "enabled": enabled.get(code, False), "rules": rules})
    return render(request, "web/settings/sla.html", {"policies": policies, "presets": presets, "nav": "settings"})


@login_required
def sla_edit(request: HttpRequest, policy_id: int | None = None) -> HttpResponse:
    user = _require(request)
    policy = _get(SlaPolicy, policy_id)
    form = sf.SlaPolicyForm(request.POST or None, instance=policy)
    return _edit(
        request,
        section="sla",
        form=form,
        save=lambda values: sla_policy_save(actor=user, policy=policy, values=values, now=clock.now()),
        title=_("Edit the SLA policy") if policy else _("New SLA policy"),
        done=_("The SLA policy was saved."),
        back=reverse("web:settings_sla"),
    )


@login_required
@require_POST
def preset_toggle(request: HttpRequest, code: str) -> HttpResponse:
    user = _require(request)
    enabled = request.POST.get("enabled") == "1"
    try:
        preset_set_enabled(actor=user, code=code, enabled=enabled, now=clock.now())
    except DomainError as exc:
        raise Http404(str(exc)) from exc
    name = PRESETS[code].name
    messages.success(
        request, (_("“%(name)s” is switched on.") if enabled else _("“%(name)s” is switched off.")) % {"name": name}
    )
    return redirect("web:settings_sla")


# --- approval authority ------------------------------------------------------------------------


@login_required
def authority(request: HttpRequest) -> HttpResponse:
    _require(request)
    rows = list(ApprovalAuthority.objects.select_related("department").order_by("role", "department__code"))
    configured = {row.role for row in rows if row.department_id is None}
    defaults = [
        {"role": Role(role).label, "limit": limit}
        for role, limit in DEFAULT_APPROVAL_AUTHORITY.items()
        if role not in configured
    ]
    return render(request, "web/settings/authority.html", {"rows": rows, "defaults": defaults, "nav": "settings"})


@login_required
def authority_edit(request: HttpRequest, authority_id: int | None = None) -> HttpResponse:
    user = _require(request)
    row = _get(ApprovalAuthority, authority_id)
    form = sf.AuthorityForm(request.POST or None, instance=row)
    return _edit(
        request,
        section="authority",
        form=form,
        save=lambda values: authority_save(actor=user, authority=row, values=values, now=clock.now()),
        title=_("Edit the approval authority") if row else _("New approval authority"),
        done=_("The approval authority was saved."),
        back=reverse("web:settings_authority"),
    )


# --- taxonomy ----------------------------------------------------------------------------------


@login_required
def categories(request: HttpRequest) -> HttpResponse:
    _require(request)
    rows = list(Category.objects.select_related("department", "parent").order_by("code"))
    by_id = {row.pk: row for row in rows}
    items = []
    for row in rows:
        node: Category | None = row
        inherited = None
        while node is not None and not node.department_id:
            node = by_id.get(node.parent_id) if node.parent_id else None
        if node is not None and node is not row:
            inherited = node.department
        items.append({"category": row, "label": row.localized_name, "indent": row.level - 1, "inherited": inherited})
    return render(request, "web/settings/categories.html", {"items": items, "nav": "settings"})


@login_required
def category_edit(request: HttpRequest, category_id: int | None = None) -> HttpResponse:
    user = _require(request)
    row = _get(Category, category_id)
    initial = {}
    parent_id = request.GET.get("parent", "")
    if row is None and parent_id.isdigit():
        parent = Category.objects.filter(pk=int(parent_id), level__lt=4).first()
        if parent is not None:
            initial = {"parent": parent.pk, "code": parent.code + "."}
    form = sf.CategoryForm(request.POST or None, instance=row, initial=initial)
    title = _("Edit the category “%(name)s”") % {"name": row.localized_name} if row else _("New category")
    return _edit(
        request,
        section="categories",
        form=form,
        save=lambda values: category_save(actor=user, category=row, values=values, now=clock.now()),
        title=title,
        done=_("The category was saved."),
        back=reverse("web:settings_categories"),
    )


# --- severity rules ----------------------------------------------------------------------------


def _keyword_field() -> str:
    """The reader's language's keywords (all three languages are matched at intake)."""
    language = (get_language() or "zh-hans").lower()
    if language.startswith("en"):
        return "keywords_en"
    return "keywords_zh_hant" if language in {"zh-hant", "zh-tw", "zh-hk"} else "keywords_zh_hans"


@login_required
def severity(request: HttpRequest) -> HttpResponse:
    _require(request)
    rules = []
    for rule in SeverityRule.objects.order_by("code"):
        channels = [Channel(c).label for c in sorted(rule.channel_codes()) if c in Channel.values]
        own = [w.strip() for w in getattr(rule, _keyword_field()).splitlines() if w.strip()]
        rules.append({"rule": rule, "keywords": own, "channels": channels})
    return render(request, "web/settings/severity.html", {"rules": rules, "nav": "settings"})


@login_required
def severity_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    user = _require(request)
    rule = _get(SeverityRule, rule_id)
    form = sf.SeverityRuleForm(request.POST or None, instance=rule)
    return _edit(
        request,
        section="severity",
        form=form,
        save=lambda values: severity_rule_save(actor=user, rule=rule, values=values, now=clock.now()),
        title=_("Edit the severity rule") if rule else _("New severity rule"),
        done=_("The severity rule was saved."),
        back=reverse("web:settings_severity"),
    )


# --- letter templates --------------------------------------------------------------------------


@login_required
def letters(request: HttpRequest) -> HttpResponse:
    _require(request)
    languages = dict(settings.LANGUAGES)
    rows = [
        {"template": t, "language": languages.get(t.language, t.language)}
        for t in LetterTemplate.objects.select_related("updated_by").order_by("kind", "language")
    ]
    return render(request, "web/settings/letters.html", {"rows": rows, "nav": "settings"})


@login_required
def letter_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    user = _require(request)
    template = _get(LetterTemplate, template_id)
    language = dict(settings.LANGUAGES).get(template.language, template.language)
    form = sf.LetterTemplateForm(request.POST or None, instance=template)
    title = _("Edit the template “%(kind)s” (%(language)s)") % {
        "kind": template.get_kind_display(),
        "language": language,
    }
    return _edit(
        request,
        section="letters",
        form=form,
        save=lambda values: letter_template_save(actor=user, template=form.instance, now=clock.now()),
        title=title,
        done=_("The letter template was saved."),
        back=reverse("web:settings_letters"),
        extra={"version": template.version},
    )
