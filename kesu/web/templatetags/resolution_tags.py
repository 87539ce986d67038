"""The resolution panels of the complaint page, as inclusion tags: complaint.html includes
_resolution_main.html and _resolution_side.html, which call these with the page's context.

Each form is offered only when the rule and the role allow it (see resolution_selectors); a form
that failed comes back bound to what was typed, with its errors (the views put it in the
context as `resolution_failed`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from kesu.core import clock
from kesu.web import resolution_forms as rforms
from kesu.web.resolution_selectors import ResolutionPanels, resolution_panels

register = template.Library()


def _panels(context: Any) -> ResolutionPanels:
    request = context.get("request")
    complaint = context["c"]
    cache: ResolutionPanels | None = getattr(request, "_resolution_panels", None) if request is not None else None
    if cache is not None and cache.complaint.pk == complaint.pk:
        return cache
    page = context.get("p")  # the complaint page's data, when on the complaint page
    timeline = getattr(page, "timeline", None)
    panels = resolution_panels(
        user=context["user"],
        complaint=complaint,
        now=context.get("now") or clock.now(),
        event_kinds=_kinds(timeline),
        users=getattr(page, "assignable", None) or None,
        solution=getattr(page, "solution", None),
        remedies=getattr(page, "remedies", None) if getattr(page, "solution", None) else None,
    )
    if request is not None:
        request._resolution_panels = panels
    return panels


def _kinds(timeline: Any) -> set[str] | None:
    """The event kinds on the page's timeline; None (query everything) when they cannot be read."""
    if timeline is None:
        return None
    kinds = {getattr(e, "kind", None) for e in timeline}
    return None if None in kinds else kinds  # type: ignore[return-value]


def _form(failed: dict[str, Any], key: str, make: Any, **initial: Any) -> Any:
    """A fresh form, or the failed one rebuilt with its choices, as typed, with its errors."""
    previous = failed.get(key)
    if previous is None:
        return make(initial=initial or None)
    form = make(data=previous.data)
    form._errors = previous.errors
    return form


def _local_input(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def _forms(panels: ResolutionPanels, failed: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    users, departments = panels.users, panels.departments
    complaint = panels.complaint
    forms: dict[str, Any] = {}
    if panels.coordinator_allowed:
        forms["coordinator"] = _form(
            failed,
            "coordinator",
            lambda **kw: rforms.CoordinatorForm(users=users, **kw),
            coordinator=panels.coordinator.username if panels.coordinator else "",
        )
    if panels.task_allowed:
        forms["task"] = _form(
            failed,
            "task",
            lambda **kw: rforms.TaskForm(departments=departments, users=users, **kw),
            due_at=_local_input(now + dt.timedelta(days=2)),
        )
    for row in panels.tasks:
        pk = row.task.pk
        if row.can_finish:
            forms[f"task{pk}-done"] = _form(
                failed, f"task{pk}-done", lambda pk=pk, **kw: rforms.TaskDoneForm(prefix=f"task{pk}-done", **kw)
            )
        if row.can_cancel:
            forms[f"task{pk}-cancel"] = _form(
                failed, f"task{pk}-cancel", lambda pk=pk, **kw: rforms.TaskCancelForm(prefix=f"task{pk}-cancel", **kw)
            )
    if panels.return_allowed:

        def make_return(**kw: Any) -> rforms.ReturnForm:
            form = rforms.ReturnForm(**kw)
            form.fields["kind"].widget.choices = panels.return_kinds
            return form

        forms["return"] = _form(
            failed,
            "return",
            make_return,
            kind=panels.return_kinds[0][0],
            item=complaint.product_name,
            lot=complaint.product_lot,
        )
    for ret in panels.returns:
        pk = ret.document.pk
        if ret.can_receive:
            forms[f"receipt{pk}"] = _form(
                failed, f"receipt{pk}", lambda pk=pk, **kw: rforms.ReceiptForm(prefix=f"receipt{pk}", **kw)
            )
    if panels.follow_up_allowed:
        window = panels.follow_up_window
        forms["followup"] = _form(
            failed,
            "followup",
            lambda **kw: rforms.FollowUpForm(users=users, window=window, **kw),
            scheduled_for=window[0].isoformat() if window else "",
            method="visit",
        )
        for visit in panels.visits:
            if visit.status == "scheduled":
                forms[f"visit{visit.pk}"] = _form(
                    failed,
                    f"visit{visit.pk}",
                    lambda pk=visit.pk, **kw: rforms.FollowUpDoneForm(prefix=f"visit{pk}", **kw),
                )
    if panels.ruling_allowed:
        forms["ruling"] = _form(
            failed,
            "ruling",
            lambda **kw: rforms.RulingForm(users=users, **kw),
            staff=complaint.assignee.username if complaint.assignee else "",
        )
    for ruling in panels.rulings:
        pk = ruling.ruling.pk
        if ruling.can_appeal:
            forms[f"appeal{pk}"] = _form(
                failed, f"appeal{pk}", lambda pk=pk, **kw: rforms.AppealForm(prefix=f"appeal{pk}", **kw)
            )
        if ruling.can_answer:
            forms[f"answer{pk}"] = _form(
                failed, f"answer{pk}", lambda pk=pk, **kw: rforms.AppealAnswerForm(prefix=f"answer{pk}", **kw)
            )
    return forms


def _context(context: Any) -> dict[str, Any]:
    panels = _panels(context)
    failed = context.get("resolution_failed") or {}
    now = context.get("now") or clock.now()
    return {
        "r": panels,
        "c": panels.complaint,
        "user": context["user"],
        "now": now,
        "csrf_token": context.get("csrf_token"),
        "request": context.get("request"),
        "forms": _forms(panels, failed, now),
        "failed": set(failed),
    }


@register.inclusion_tag("web/resolution/_main.html", takes_context=True)
def resolution_main(context: Any) -> dict[str, Any]:
    return _context(context)


@register.inclusion_tag("web/resolution/_side.html", takes_context=True)
def resolution_side(context: Any) -> dict[str, Any]:
    return _context(context)


@register.filter
def form_for(forms: dict[str, Any], key: str) -> Any:
    return forms.get(key)


@register.simple_tag
def key(*parts: Any) -> str:
    return "".join(str(p) for p in parts)


@register.filter
def ruling_kind(ruling: Any) -> str:
    """The ruling's kind (valid) or reason (invalid) by its label."""
    from kesu.resolution.models import InvalidReason, Validity, ValidKind

    choices = ValidKind if ruling.validity == Validity.VALID else InvalidReason
    try:
        return str(choices(ruling.kind).label)
    except ValueError:
        return ""
