"""Workspace pages of issue 13: the major-complaint panels (checklist, crisis team, media
enquiries), the money panels (petty-cash vouchers, held receivables, supplier claims, loss
assessments), the vouchers queue, and their configuration sections.

Each write goes through its service; a refused form is shown again with what was typed and the
message by the field (or above the form when the refusal is not about one field)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.models import User
from kesu.compensation import selectors as money_selectors
from kesu.compensation import services as money
from kesu.compensation.models import CompensationStandard, LossStandard, PenaltyStandard, VoucherStatus
from kesu.complaints.selectors import visible_complaints
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.incidents import services as incidents
from kesu.incidents.models import ChecklistTemplate, ChecklistTemplateItem, IncidentContact
from kesu.web import incidents_forms as f
from kesu.web.forms import apply_errors
from kesu.web.settings_views import _edit, _get, _require


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _back(number: str, anchor: str) -> str:
    return reverse("web:complaint", args=[number]) + anchor


def _write(
    request: HttpRequest,
    *,
    number: str,
    form: Any,
    write: Callable[[], Any],
    done: str,
    title: str,
    anchor: str,
    back: str | None = None,
) -> HttpResponse:
    """Run one write; on success back to the complaint (or `back`), on a refusal the form as typed."""
    try:
        write()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404(str(exc)) from exc
        if number and not visible_complaints(_user(request)).filter(number=number).exists():
            # A role refusal on a complaint the reader may not see answers like an unknown number.
            raise Http404(_("No complaint has this number.")) from exc
        apply_errors(form, exc.errors)
        context = {"form": form, "title": title, "back": back or _back(number, anchor), "number": number}
        return render(request, "web/incidents/form.html", context, status=exc.status)
    messages.success(request, done)
    return redirect(back or _back(number, anchor))


# --- major complaints ----------------------------------------------------------------------------


@login_required
@require_POST
def checklist_open(request: HttpRequest, number: str) -> HttpResponse:
    form = f.OpenChecklistForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.incident_open(
            actor=_user(request), number=number, kind=str(form.data.get("kind", "")), now=clock.now()
        ),
        done=_("The checklist was opened."),
        title=_("Open the checklist"),
        anchor="#checklist",
    )


@login_required
@require_POST
def checklist_done(request: HttpRequest, number: str, item_id: int) -> HttpResponse:
    complaint = visible_complaints(_user(request)).filter(number=number).first()
    if complaint is None:
        raise Http404(_("No complaint has this number."))
    form = f.ItemDoneForm(request.POST, attachments=list(complaint.attachments.order_by("id")))
    evidence = str(form.data.get("evidence", "")).strip()
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.checklist_item_done(
            actor=_user(request),
            number=number,
            item_id=item_id,
            note=str(form.data.get("note", "")),
            evidence_id=int(evidence) if evidence.isdigit() else None,
            now=clock.now(),
        ),
        done=_("The checklist item is done."),
        title=_("Tick the item off"),
        anchor="#checklist",
    )


@login_required
@require_POST
def checklist_reassign(request: HttpRequest, number: str, item_id: int) -> HttpResponse:
    form = f.ReassignForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.checklist_item_reassign(
            actor=_user(request), number=number, item_id=item_id, owner=str(form.data.get("owner", "")), now=clock.now()
        ),
        done=_("The checklist item was handed over."),
        title=_("Hand the item over"),
        anchor="#checklist",
    )


@login_required
@require_POST
def crisis_team(request: HttpRequest, number: str) -> HttpResponse:
    form = f.CrisisTeamForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.crisis_team_convene(
            actor=_user(request),
            number=number,
            lead=str(form.data.get("lead", "")),
            members=[str(m) for m in request.POST.getlist("members")],
            purpose=str(form.data.get("purpose", "")),
            now=clock.now(),
        ),
        done=_("The crisis team is convened."),
        title=_("Convene the crisis team"),
        anchor="#crisis-team",
    )


@login_required
@require_POST
def crisis_decisions(request: HttpRequest, number: str) -> HttpResponse:
    form = f.CrisisDecisionsForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.crisis_team_record(
            actor=_user(request), number=number, decisions=str(form.data.get("decisions", "")), now=clock.now()
        ),
        done=_("The crisis team's decisions were recorded."),
        title=_("Record the decisions"),
        anchor="#crisis-team",
    )


@login_required
@require_POST
def media_enquiry(request: HttpRequest, number: str) -> HttpResponse:
    form = f.MediaEnquiryForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.media_enquiry_record(
            actor=_user(request),
            number=number,
            outlet=str(form.data.get("outlet", "")),
            reporter=str(form.data.get("reporter", "")),
            question=str(form.data.get("question", "")),
            now=clock.now(),
        ),
        done=_("The media enquiry was recorded; the customer-service manager answers it."),
        title=_("Record a media enquiry"),
        anchor="#media",
    )


@login_required
@require_POST
def media_answer(request: HttpRequest, number: str, enquiry_id: int) -> HttpResponse:
    form = f.MediaAnswerForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: incidents.media_enquiry_answer(
            actor=_user(request),
            number=number,
            enquiry_id=enquiry_id,
            answer=str(form.data.get("answer", "")),
            now=clock.now(),
        ),
        done=_("The answer to the media was recorded."),
        title=_("Answer the media"),
        anchor="#media",
    )


# --- money ---------------------------------------------------------------------------------------


@login_required
@require_POST
def voucher_request(request: HttpRequest, number: str) -> HttpResponse:
    form = f.VoucherForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.voucher_request(
            actor=_user(request),
            number=number,
            amount=str(form.data.get("amount", "")).strip(),
            payee=str(form.data.get("payee", "")),
            purpose=str(form.data.get("purpose", "")),
            now=clock.now(),
        ),
        done=_("The petty-cash voucher awaits approval."),
        title=_("Pay out petty cash"),
        anchor="#money",
    )


def _voucher_back(request: HttpRequest) -> str:
    target = str(request.POST.get("next", ""))
    return target if target.startswith("/") and not target.startswith("//") else reverse("web:vouchers")


@login_required
@require_POST
def voucher_decide(request: HttpRequest, voucher_id: int, decision: str) -> HttpResponse:
    form = f.VoucherNoteForm(request.POST)
    note = str(form.data.get("note", ""))
    actor, now = _user(request), clock.now()
    writes: dict[str, tuple[Callable[[], Any], str]] = {
        "approve": (
            lambda: money.voucher_approve(actor=actor, voucher_id=voucher_id, note=note, now=now),
            _("The voucher is approved and paid."),
        ),
        "countersign": (
            lambda: money.voucher_countersign(actor=actor, voucher_id=voucher_id, note=note, now=now),
            _("The voucher is countersigned."),
        ),
        "reject": (
            lambda: money.voucher_reject(actor=actor, voucher_id=voucher_id, note=note, now=now),
            _("The voucher was rejected."),
        ),
    }
    if decision not in writes:
        raise Http404(_("Unknown action."))
    write, done = writes[decision]
    return _write(
        request,
        number="",
        form=form,
        write=write,
        done=done,
        title=_("Petty-cash voucher"),
        anchor="",
        back=_voucher_back(request),
    )


@login_required
def vouchers(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role not in money_selectors.QUEUE_ROLES:
        raise DjangoPermissionDenied(_("Only the shift supervisors and managers see the petty-cash vouchers."))
    show = request.GET.get("show", "open")
    rows = money_selectors.voucher_list(user=user)
    if show == "open":
        rows = rows.filter(status__in=[VoucherStatus.REQUESTED, VoucherStatus.PAID])
    now = clock.now()
    listed = list(rows[:200])
    for voucher in listed:
        voucher.overdue = money_selectors.voucher_overdue(voucher, now)  # type: ignore[attr-defined]
    context = {
        "rows": listed,
        "show": show,
        "limit": money.petty_cash_limit(),
        "can_approve": user.role in money.VOUCHER_APPROVERS,
        "can_countersign": user.role in money.COUNTERSIGNERS,
        "nav": "vouchers",
    }
    return render(request, "web/incidents/vouchers.html", context)


@login_required
@require_POST
def receivable_hold(request: HttpRequest, number: str) -> HttpResponse:
    form = f.ReceivableForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.receivable_hold(
            actor=_user(request),
            number=number,
            reference=str(form.data.get("reference", "")),
            amount=str(form.data.get("amount", "")).strip(),
            note=str(form.data.get("note", "")),
            now=clock.now(),
        ),
        done=_("The receivable is held back."),
        title=_("Hold a receivable back"),
        anchor="#money",
    )


@login_required
@require_POST
def receivable_settle(request: HttpRequest, number: str, receivable_id: int) -> HttpResponse:
    form = f.VoucherNoteForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.receivable_settle(
            actor=_user(request),
            number=number,
            receivable_id=receivable_id,
            outcome=str(request.POST.get("outcome", "")),
            now=clock.now(),
        ),
        done=_("The receivable was settled."),
        title=_("Held receivable"),
        anchor="#money",
    )


@login_required
@require_POST
def recovery_open(request: HttpRequest, number: str) -> HttpResponse:
    form = f.RecoveryForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.recovery_open(
            actor=_user(request),
            number=number,
            supplier=str(form.data.get("supplier", "")),
            amount=str(form.data.get("amount", "")).strip(),
            reason=str(form.data.get("reason", "")),
            now=clock.now(),
        ),
        done=_("The cost is claimed from the supplier."),
        title=_("Claim the cost from the supplier"),
        anchor="#money",
    )


@login_required
@require_POST
def recovery_answer(request: HttpRequest, number: str, recovery_id: int) -> HttpResponse:
    form = f.RecoveryAnswerForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.recovery_answer(
            actor=_user(request),
            number=number,
            recovery_id=recovery_id,
            accepted=form.data.get("accepted") == "yes",
            answer=str(form.data.get("answer", "")),
            now=clock.now(),
        ),
        done=_("The supplier's answer was recorded."),
        title=_("The supplier's answer"),
        anchor="#money",
    )


@login_required
@require_POST
def recovery_decide(request: HttpRequest, number: str, recovery_id: int) -> HttpResponse:
    form = f.RecoveryDecisionForm(request.POST)
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.recovery_gm_decide(
            actor=_user(request),
            number=number,
            recovery_id=recovery_id,
            pay=form.data.get("pay") == "yes",
            note=str(form.data.get("note", "")),
            now=clock.now(),
        ),
        done=_("The GM's decision was recorded."),
        title=_("The GM's decision"),
        anchor="#money",
    )


@login_required
@require_POST
def loss_assess(request: HttpRequest, number: str) -> HttpResponse:
    form = f.LossForm(request.POST, standards=list(LossStandard.objects.filter(active=True).order_by("code")))
    return _write(
        request,
        number=number,
        form=form,
        write=lambda: money.loss_assess(
            actor=_user(request),
            number=number,
            lines=form.lines(),
            responsibility=str(form.data.get("responsibility", "")),
            now=clock.now(),
        ),
        done=_("The loss and the penalty were computed from the standards."),
        title=_("Compute the loss and the penalty"),
        anchor="#money",
    )


# --- configuration -------------------------------------------------------------------------------


@login_required
def settings_checklists(request: HttpRequest) -> HttpResponse:
    _require(request)
    templates = list(ChecklistTemplate.objects.prefetch_related("items").order_by("kind"))
    contacts = list(IncidentContact.objects.select_related("user").order_by("audience", "name"))
    return render(
        request, "web/settings/checklists.html", {"templates": templates, "contacts": contacts, "nav": "settings"}
    )


@login_required
def settings_template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    user = _require(request)
    template = _get(ChecklistTemplate, template_id)
    form = f.TemplateForm(request.POST or None, instance=template)
    return _edit(
        request,
        section="checklists",
        form=form,
        save=lambda values: incidents.template_save(actor=user, template=template, values=values, now=clock.now()),
        title=_("Edit the checklist “%(kind)s”") % {"kind": template.get_kind_display()},
        done=_("The checklist was saved."),
        back=reverse("web:settings_checklists"),
    )


@login_required
def settings_item_edit(request: HttpRequest, template_id: int, item_id: int | None = None) -> HttpResponse:
    user = _require(request)
    template = _get(ChecklistTemplate, template_id)
    item = _get(ChecklistTemplateItem, item_id)
    if item is not None and item.template_id != template.pk:
        raise Http404(_("There is no such entry."))
    form = f.TemplateItemForm(request.POST or None, instance=item)
    delete = request.method == "POST" and request.POST.get("delete") == "1"
    if delete and item is not None:
        incidents.template_item_save(actor=user, template=template, item=item, values={}, now=clock.now(), delete=True)
        messages.success(request, _("The item was removed from the checklist."))
        return redirect("web:settings_checklists")
    return _edit(
        request,
        section="checklists",
        form=form,
        save=lambda values: incidents.template_item_save(
            actor=user, template=template, item=item, values=values, now=clock.now()
        ),
        title=(_("Edit the item") if item else _("New item")) + " · " + str(template.get_kind_display()),
        done=_("The checklist item was saved."),
        back=reverse("web:settings_checklists"),
        extra={"deletable": item is not None},
    )


@login_required
def settings_contact_edit(request: HttpRequest, contact_id: int | None = None) -> HttpResponse:
    user = _require(request)
    contact = _get(IncidentContact, contact_id)
    form = f.ContactForm(request.POST or None, instance=contact)
    return _edit(
        request,
        section="checklists",
        form=form,
        save=lambda values: incidents.contact_save(actor=user, contact=contact, values=values, now=clock.now()),
        title=_("Edit the contact") if contact else _("New contact"),
        done=_("The contact was saved."),
        back=reverse("web:settings_checklists"),
    )


@login_required
def settings_compensation(request: HttpRequest) -> HttpResponse:
    _require(request)
    standards = list(CompensationStandard.objects.select_related("category").order_by("category__code", "id"))
    losses = list(LossStandard.objects.order_by("code"))
    penalties = list(PenaltyStandard.objects.order_by("responsibility", "loss_from", "id"))
    context = {
        "standards": standards,
        "losses": losses,
        "penalties": penalties,
        "limit": money.petty_cash_limit(),
        "nav": "settings",
    }
    return render(request, "web/settings/compensation.html", context)


@login_required
def settings_standard_edit(request: HttpRequest, standard_id: int | None = None) -> HttpResponse:
    user = _require(request)
    row = _get(CompensationStandard, standard_id)
    form = f.StandardForm(request.POST or None, instance=row)
    return _edit(
        request,
        section="compensation",
        form=form,
        save=lambda values: money.standard_save(actor=user, standard=row, values=values, now=clock.now()),
        title=_("Edit the compensation standard") if row else _("New compensation standard"),
        done=_("The compensation standard was saved."),
        back=reverse("web:settings_compensation"),
    )


@login_required
def settings_loss_edit(request: HttpRequest, standard_id: int | None = None) -> HttpResponse:
    user = _require(request)
    row = _get(LossStandard, standard_id)
    form = f.LossStandardForm(request.POST or None, instance=row)
    return _edit(
        request,
        section="compensation",
        form=form,
        save=lambda values: money.loss_standard_save(actor=user, standard=row, values=values, now=clock.now()),
        title=_("Edit the loss standard") if row else _("New loss standard"),
        done=_("The loss standard was saved."),
        back=reverse("web:settings_compensation"),
    )


@login_required
def settings_penalty_edit(request: HttpRequest, standard_id: int | None = None) -> HttpResponse:
    user = _require(request)
    row = _get(PenaltyStandard, standard_id)
    form = f.PenaltyStandardForm(request.POST or None, instance=row)
    return _edit(
        request,
        section="compensation",
        form=form,
        save=lambda values: money.penalty_standard_save(actor=user, standard=row, values=values, now=clock.now()),
        title=_("Edit the penalty standard") if row else _("New penalty standard"),
        done=_("The penalty standard was saved."),
        back=reverse("web:settings_compensation"),
    )
