"""Workspace pages for complaints that arrive in batches or from outside bodies: the spreadsheet
import (upload → preview and mapping → report → import with a progress bar), regulator
referrals (intake, report back, printable reply), the suggestion box (fast entry of a batch of
opinion cards, reconciled against the count) and WeChat Pay complaints (reply, refund, complete)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kesu.accounts.models import User
from kesu.core import clock
from kesu.core.errors import DomainError, NotFound, PermissionDenied
from kesu.imports.columns import PRESETS, column_label, mappable
from kesu.imports.models import BatchState, ImportBatch
from kesu.imports.services import (
    batch_check,
    import_batch_for,
    import_set_mapping,
    import_start,
    import_upload,
    may_import,
    may_import_historical,
    preview_rows,
)
from kesu.platforms import referrals, suggestions, wechat_services
from kesu.platforms.models import SuggestionBatch
from kesu.web.forms import apply_errors
from kesu.web.platforms_forms import (
    BatchForm,
    CardForm,
    PlatformReplyForm,
    ReferralForm,
    ReferralReportForm,
    RefundForm,
    UploadForm,
)

PROBLEMS_SHOWN = 200


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def may_open_intake_hub(user: Any) -> bool:
    return bool(
        may_import(user)
        or referrals.may_handle_referrals(user)
        or suggestions.may_enter_cards(user)
        or wechat_services.may_answer(user)
    )


def _guard(allowed: bool) -> None:
    if not allowed:
        raise DjangoPermissionDenied(_("Your role may not open this page."))


def _domain(call: Callable[[], Any]) -> Any:
    """Run a read that may refuse: 404 and 403 as pages, like every other workspace page."""
    try:
        return call()
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(str(exc.message)) from exc


NAV = "intake_hub"


@login_required
@require_GET
def hub(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(may_open_intake_hub(user))
    context = {
        "nav": NAV,
        "may_import": may_import(user),
        "may_refer": referrals.may_handle_referrals(user),
        "may_box": suggestions.may_enter_cards(user),
        "may_platform": wechat_services.may_answer(user),
    }
    return render(request, "web/platforms/hub.html", context)


# --- spreadsheet import ------------------------------------------------------------------------


@login_required
def import_upload_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(may_import(user))
    form = UploadForm(may_historical=may_import_historical(user))
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, may_historical=may_import_historical(user))
        upload = request.FILES.get("file")
        values = form.values()
        try:
            if upload is None:
                from kesu.core.errors import FieldError, ValidationFailed

                raise ValidationFailed([FieldError("file", _("Choose a file to upload."), "required")])
            batch = import_upload(
                actor=user,
                name=upload.name or "upload",
                content=upload.read(),
                now=clock.now(),
                historical=values["historical"],
                preset=values["preset"],
                default_channel=values["default_channel"],
            )
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            return redirect("web:import_preview", batch_id=batch.pk)
    recent = ImportBatch.objects.filter(created_by=user).only(
        "id",
        "filename",
        "state",
        "total",
        "created_count",
        "skipped_count",
        "rejected_count",
        "created_at",
        "historical",
    )[:20]
    return render(
        request, "web/platforms/import_upload.html", {"form": form, "recent": recent, "nav": NAV}, status=status
    )


def _preview_context(batch: ImportBatch, request: HttpRequest) -> dict[str, Any]:
    check = batch_check(batch, now=clock.now())
    choices = [("", _("not imported"))] + [
        (c.key, column_label(c.key)) for c in mappable(historical=batch.historical, preset=batch.preset)
    ]
    columns = [
        {"index": i, "header": h, "key": batch.mapping.get(str(i), ""), "name": f"col_{i}"}
        for i, h in enumerate(batch.headers)
    ]
    bad_rows = {p.row for p in check.problems}
    return {
        "batch": batch,
        "check": check,
        "columns": columns,
        "choices": choices,
        "rows": [(n, cells, n in bad_rows) for n, cells in preview_rows(batch)],
        "problems": check.problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(check.problems) - PROBLEMS_SHOWN),
        "preset_label": PRESETS[batch.preset].label,
        "nav": NAV,
    }


@login_required
def import_preview(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    _guard(may_import(user))
    batch = _domain(lambda: import_batch_for(actor=user, batch_id=batch_id))
    if batch.state != BatchState.PREVIEW:
        return redirect("web:import_progress", batch_id=batch.pk)
    status = 200
    mapping_errors: dict[str, str] = {}
    if request.method == "POST":
        mapping = {str(i): str(request.POST.get(f"col_{i}", "")) for i in range(len(batch.headers))}
        try:
            import_set_mapping(actor=user, batch=batch, mapping=mapping)
        except DomainError as exc:
            mapping_errors = {e.field or "": str(e.message) for e in exc.errors}
            status = exc.status
        else:
            if request.POST.get("go") == "import":
                check = batch_check(batch, now=clock.now())
                if check.unmapped_required:
                    messages.error(request, _("Map the required columns first."))
                elif not check.to_import:
                    messages.error(request, _("There is no row to import."))
                else:
                    import_start(actor=user, batch=batch, now=clock.now())
                    return redirect("web:import_progress", batch_id=batch.pk)
    context = _preview_context(batch, request)
    context["mapping_errors"] = mapping_errors
    for column in context["columns"]:
        column["error"] = mapping_errors.get(column["name"], "")
        if request.method == "POST":
            column["key"] = str(request.POST.get(column["name"], column["key"]))
    return render(request, "web/platforms/import_preview.html", context, status=status)


@login_required
@require_GET
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    _guard(may_import(user))
    batch = _domain(lambda: import_batch_for(actor=user, batch_id=batch_id))
    template = (
        "web/platforms/_import_progress.html"
        if request.headers.get("HX-Request")
        else "web/platforms/import_progress.html"
    )
    context = {
        "batch": batch,
        "finished": batch.state in (BatchState.DONE, BatchState.FAILED),
        "problems": batch.problems[:PROBLEMS_SHOWN],
        "more_problems": max(0, len(batch.problems) - PROBLEMS_SHOWN),
        "nav": NAV,
    }
    return render(request, template, context)


# --- regulator referrals -----------------------------------------------------------------------


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(referrals.may_handle_referrals(user))
    rows = list(referrals.referrals_visible(user)[:100])
    return render(request, "web/platforms/referral_list.html", {"rows": rows, "nav": NAV, "now": clock.now()})


@login_required
def referral_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(referrals.may_handle_referrals(user))
    now = clock.now()
    form = ReferralForm(initial={"arrived_at": timezone.localtime(now).strftime("%Y-%m-%dT%H:%M")})
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST)
        try:
            referral = referrals.referral_register(actor=user, values=form.values(), now=now)
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(
                request,
                _("Referral %(reference)s registered as complaint %(number)s.")
                % {"reference": referral.reference, "number": referral.complaint.number},
            )
            return redirect("web:referral_detail", referral_id=referral.pk)
    return render(request, "web/platforms/referral_new.html", {"form": form, "nav": NAV}, status=status)


@login_required
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    _guard(referrals.may_handle_referrals(user))
    referral = _domain(lambda: referrals.referral_for(user=user, referral_id=referral_id))
    initial = {
        "result": referral.result or referral.complaint.result,
        "settled": "" if referral.settled is None else ("yes" if referral.settled else "no"),
        "settlement_amount": referral.settlement_amount or "",
        "refusal_reason": referral.refusal_reason,
        "contact_person": referral.contact_person or user.get_full_name() or user.username,
        "contact_phone": referral.contact_phone,
    }
    form = ReferralReportForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = ReferralReportForm(request.POST)
        try:
            referrals.referral_report(actor=user, referral_id=referral.pk, values=form.values(), now=clock.now())
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The report to the referring body was saved."))
            return redirect("web:referral_reply", referral_id=referral.pk)
    context = {"referral": referral, "complaint": referral.complaint, "form": form, "nav": NAV}
    return render(request, "web/platforms/referral_detail.html", context, status=status)


@login_required
@require_GET
def referral_reply(request: HttpRequest, referral_id: int) -> HttpResponse:
    user = _user(request)
    _guard(referrals.may_handle_referrals(user))
    referral = _domain(lambda: referrals.referral_for(user=user, referral_id=referral_id))
    return render(
        request,
        "web/platforms/referral_reply.html",
        {"referral": referral, "complaint": referral.complaint, "nav": NAV, "today": timezone.localdate()},
    )


# --- suggestion box ------------------------------------------------------------------------------


@login_required
def box_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(suggestions.may_enter_cards(user))
    now = clock.now()
    form = BatchForm(initial={"opened_on": timezone.localdate(now).isoformat()})
    status = 200
    if request.method == "POST":
        form = BatchForm(request.POST)
        try:
            batch = suggestions.suggestion_batch_open(actor=user, values=form.values(), now=now)
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            return redirect("web:box_batch", batch_id=batch.pk)
    batches = [(b, suggestions.reconcile(b)) for b in suggestions.batches_recent().prefetch_related("cards")[:30]]
    return render(request, "web/platforms/box_list.html", {"form": form, "batches": batches, "nav": NAV}, status=status)


def _box_context(batch: SuggestionBatch, form: CardForm) -> dict[str, Any]:
    cards = list(batch.cards.select_related("complaint").order_by("number"))
    return {"batch": batch, "form": form, "cards": cards, "rec": suggestions.reconcile(batch), "nav": NAV}


@login_required
def box_batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    _guard(suggestions.may_enter_cards(user))
    batch = SuggestionBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise Http404(_("No batch of opinion cards has this number."))
    status = 200
    form = CardForm(initial={"number": suggestions.next_number(batch) or "", "outcome": "complaint"})
    if request.method == "POST":
        form = CardForm(request.POST)
        try:
            card = suggestions.suggestion_card_add(actor=user, batch_id=batch.pk, values=form.values(), now=clock.now())
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            text = _("Card %(number)d saved.") % {"number": card.number}
            if card.complaint is not None:
                text = _("Card %(number)d saved as complaint %(complaint)s.") % {
                    "number": card.number,
                    "complaint": card.complaint.number,
                }
            messages.success(request, text)
            return redirect("web:box_batch", batch_id=batch.pk)
    return render(request, "web/platforms/box_batch.html", _box_context(batch, form), status=status)


@login_required
@require_POST
def box_close(request: HttpRequest, batch_id: int) -> HttpResponse:
    user = _user(request)
    _guard(suggestions.may_enter_cards(user))
    try:
        suggestions.suggestion_batch_close(actor=user, batch_id=batch_id, now=clock.now())
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The batch is reconciled: every card has been entered."))
    return redirect("web:box_batch", batch_id=batch_id)


# --- WeChat Pay complaints -------------------------------------------------------------------------


@login_required
@require_GET
def platform_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _guard(wechat_services.may_answer(user))
    rows = list(wechat_services.platform_complaints_visible(user)[:100])
    from kesu.platforms.wechatpay import configured

    return render(
        request,
        "web/platforms/platform_list.html",
        {"rows": rows, "nav": NAV, "configured": configured(), "now": clock.now()},
    )


@login_required
def platform_detail(request: HttpRequest, platform_id: int) -> HttpResponse:
    user = _user(request)
    _guard(wechat_services.may_answer(user))
    platform = wechat_services.platform_complaints_visible(user).filter(pk=platform_id).first()
    if platform is None:
        raise Http404(_("No WeChat Pay complaint has this number."))
    reply_form, refund_form = PlatformReplyForm(prefix="reply"), RefundForm(prefix="refund")
    status = 200
    if request.method == "POST":
        what = request.POST.get("what", "")
        now = clock.now()
        try:
            if what == "reply":
                reply_form = PlatformReplyForm(request.POST, prefix="reply")
                wechat_services.wechat_reply(
                    actor=user, number=platform.complaint.number, content=reply_form.values()["content"], now=now
                )
            elif what == "refund":
                refund_form = RefundForm(request.POST, prefix="refund")
                values = refund_form.values()
                days = values["launch_refund_day"].strip()
                wechat_services.wechat_refund_decision(
                    actor=user,
                    number=platform.complaint.number,
                    approve=values["decision"] == "approve",
                    launch_refund_day=int(days) if days.isdigit() else None,
                    reason=values["reason"],
                    now=now,
                )
            elif what == "complete":
                wechat_services.wechat_complete(actor=user, number=platform.complaint.number, now=now)
            else:
                raise Http404(_("Unknown action."))
        except DomainError as exc:
            target = refund_form if what == "refund" else reply_form
            if what == "complete":
                messages.error(request, str(exc.message))
            else:
                apply_errors(target, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("Saved; it is sent to WeChat Pay in the background."))
            return redirect("web:platform_detail", platform_id=platform.pk)
    context = {
        "platform": platform,
        "complaint": platform.complaint,
        "pushes": list(platform.pushes.order_by("-id")[:20]),
        "reply_form": reply_form,
        "refund_form": refund_form,
        "nav": NAV,
        "now": clock.now(),
    }
    return render(request, "web/platforms/platform_detail.html", context, status=status)
