"""渠道: the channel pages — webhooks and their delivery log, group robots, the complaint
mailbox (administrators and the customer service manager), and each person's own notification
channels. Writes go through the kesu.channels services; secrets are never shown back."""

from __future__ import annotations

import urllib.parse
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kesu.accounts.models import Department, Role, User
from kesu.channels.mail import mailbox_status
from kesu.channels.models import ChannelPreference, InboundMail, Robot, Webhook
from kesu.channels.preferences import CHANNELS, KINDS, channels_of, preference_save
from kesu.channels.robots import robot_save, robot_send_test
from kesu.channels.signing import mask_secret
from kesu.channels.webhooks import (
    deliveries_list,
    delivery_replay,
    may_manage_webhooks,
    webhook_create,
    webhook_set_active,
)
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.core.privacy import mask_email
from kesu.web.channels_forms import PreferenceForm, RobotForm, WebhookForm
from kesu.web.forms import apply_errors


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _require(request: HttpRequest) -> User:
    user = _user(request)
    if not may_manage_webhooks(user):
        raise DjangoPermissionDenied(_("Only administrators and the customer service manager configure channels."))
    return user


def masked_url(url: str) -> str:
    """An address as a page shows it: scheme, host and path; the query (tokens, keys) masked."""
    parts = urllib.parse.urlsplit(url)
    shown = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return shown + ("?••••" if parts.query else "")


@login_required
def channels_index(request: HttpRequest) -> HttpResponse:
    _require(request)
    sections = [
        (
            "web:channels_webhooks",
            _("Webhooks"),
            _("Signed notices of complaint events to other systems, with the delivery log."),
            Webhook.objects.count(),
        ),
        (
            "web:channels_robots",
            _("Group robots"),
            _("DingTalk and WeCom group robots of each department."),
            Robot.objects.count(),
        ),
        (
            "web:channels_mailbox",
            _("Complaint mailbox"),
            _("E-mail read over IMAP: new mail becomes a complaint, replies join theirs."),
            InboundMail.objects.count(),
        ),
    ]
    return render(request, "web/channels/index.html", {"sections": sections, "nav": "channels"})


@login_required
def webhooks_page(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    form = WebhookForm(initial={"events": []})
    status = 200
    if request.method == "POST":
        form = WebhookForm(request.POST)
        try:
            webhook_create(
                actor=user,
                url=request.POST.get("url", ""),
                secret=request.POST.get("secret", ""),
                events=request.POST.getlist("events"),
                now=clock.now(),
            )
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The webhook was saved."))
            return redirect("web:channels_webhooks")
    rows = [
        {"webhook": w, "url": w.url, "secret": mask_secret(w.secret), "events": _event_labels(list(w.events))}
        for w in Webhook.objects.order_by("id")
    ]
    return render(request, "web/channels/webhooks.html", {"rows": rows, "form": form, "nav": "channels"}, status=status)


def _event_labels(events: list[str]) -> list[str]:
    from kesu.channels.models import WebhookEvent

    return [str(WebhookEvent(e).label) for e in events if e in WebhookEvent.values]


@login_required
@require_POST
def webhook_active(request: HttpRequest, webhook_id: int) -> HttpResponse:
    user = _require(request)
    try:
        webhook_set_active(actor=user, webhook_id=webhook_id, active=request.POST.get("active") == "1", now=clock.now())
    except DomainError as exc:
        raise Http404(str(exc.message)) from None
    messages.success(request, _("The webhook was saved."))
    return redirect("web:channels_webhooks")


@login_required
def webhook_deliveries(request: HttpRequest, webhook_id: int) -> HttpResponse:
    user = _require(request)
    webhook = Webhook.objects.filter(pk=webhook_id).first()
    if webhook is None:
        raise Http404(_("There is no webhook with this id."))
    rows = deliveries_list(actor=user, webhook_id=webhook_id)
    return render(
        request,
        "web/channels/deliveries.html",
        {"webhook": webhook, "url": webhook.url, "rows": rows, "nav": "channels"},
    )


@login_required
@require_POST
def delivery_replay_view(request: HttpRequest, delivery_id: str) -> HttpResponse:
    user = _require(request)
    try:
        replay = delivery_replay(actor=user, delivery_id=delivery_id, now=clock.now())
    except DomainError as exc:
        raise Http404(str(exc.message)) from None
    messages.success(request, _("The delivery is sent again."))
    return redirect("web:channels_webhook_deliveries", webhook_id=replay.webhook_id)


@login_required
def robots_page(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    departments = list(Department.objects.filter(active=True).order_by("code"))
    form = RobotForm(departments=departments)
    status = 200
    if request.method == "POST":
        form = RobotForm(request.POST, departments=departments)
        code = request.POST.get("department", "")
        department = next((d for d in departments if d.code == code), None)
        try:
            robot_save(
                actor=user,
                now=clock.now(),
                name=request.POST.get("name", ""),
                platform=request.POST.get("platform", ""),
                department=department,
                url=request.POST.get("url", ""),
                secret=request.POST.get("secret", ""),
                kinds=request.POST.getlist("kinds"),
            )
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The robot was saved."))
            return redirect("web:channels_robots")
    from kesu.channels.models import RobotKind

    rows = [
        {
            "robot": r,
            "url": masked_url(r.url),
            "secret": mask_secret(r.secret),
            "kinds": [str(RobotKind(k).label) for k in r.kinds if k in RobotKind.values],
        }
        for r in Robot.objects.select_related("department").order_by("id")
    ]
    return render(request, "web/channels/robots.html", {"rows": rows, "form": form, "nav": "channels"}, status=status)


@login_required
@require_POST
def robot_active(request: HttpRequest, robot_id: int) -> HttpResponse:
    user = _require(request)
    robot = Robot.objects.filter(pk=robot_id).first()
    if robot is None:
        raise Http404(_("There is no robot with this id."))
    robot_save(
        actor=user,
        now=clock.now(),
        robot_id=robot.pk,
        name=robot.name,
        platform=robot.platform,
        department=robot.department,
        url=robot.url,
        secret=None,
        kinds=list(robot.kinds),
        active=request.POST.get("active") == "1",
    )
    messages.success(request, _("The robot was saved."))
    return redirect("web:channels_robots")


def _robot_or_404(robot_id: int) -> Robot:
    robot = Robot.objects.select_related("department").filter(pk=robot_id).first()
    if robot is None:
        raise Http404(_("There is no robot with this id."))
    return robot


@login_required
def robot_edit(request: HttpRequest, robot_id: int) -> HttpResponse:
    """Change a robot: its name, platform, department, address, secret, what it announces, and
    whether it is in use. The saved address and secret are shown masked; empty keeps them."""
    user = _require(request)
    robot = _robot_or_404(robot_id)
    departments = list(Department.objects.filter(active=True).order_by("code"))
    if robot.department is not None and robot.department not in departments:
        departments.append(robot.department)  # a deactivated department's robot stays editable
    masks = {"saved_url": masked_url(robot.url), "saved_secret": mask_secret(robot.secret)}
    status = 200
    if request.method == "POST":
        form = RobotForm(request.POST, departments=departments, **masks)
        code = request.POST.get("department", "")
        try:
            robot_save(
                actor=user,
                now=clock.now(),
                robot_id=robot.pk,
                name=request.POST.get("name", ""),
                platform=request.POST.get("platform", ""),
                department=next((d for d in departments if d.code == code), None),
                url=request.POST.get("url", ""),
                secret=request.POST.get("secret", ""),
                kinds=request.POST.getlist("kinds"),
                active=request.POST.get("active") == "on",
            )
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("The robot was saved."))
            return redirect("web:channels_robots")
    else:
        form = RobotForm(
            departments=departments,
            initial={
                "name": robot.name,
                "platform": robot.platform,
                "department": robot.department.code if robot.department else "",
                "kinds": list(robot.kinds),
                "active": robot.active,
            },
            **masks,
        )
    return render(
        request, "web/channels/robot_edit.html", {"robot": robot, "form": form, "nav": "channels"}, status=status
    )


@login_required
@require_POST
def robot_test(request: HttpRequest, robot_id: int) -> HttpResponse:
    user = _require(request)
    robot = _robot_or_404(robot_id)
    result = robot_send_test(actor=user, robot_id=robot.pk, now=clock.now())
    if result.delivered:
        messages.success(request, _("The test message reached “%(name)s”.") % {"name": robot.name})
    else:
        messages.error(
            request,
            _("The test message did not reach “%(name)s”: %(error)s. Check the address and the secret.")
            % {"name": robot.name, "error": result.error},
        )
    if request.POST.get("back") == "edit":
        return redirect("web:channels_robot_edit", robot_id=robot.pk)
    return redirect("web:channels_robots")


@login_required
def mailbox_page(request: HttpRequest) -> HttpResponse:
    user = _require(request)
    status = mailbox_status()
    sees_contacts = user.role == Role.ADMIN or user.role == Role.MANAGER
    recent = [
        {"mail": m, "sender": m.sender if sees_contacts else mask_email(m.sender)}
        for m in InboundMail.objects.select_related("complaint").defer("raw").order_by("-id")[:50]
    ]
    return render(request, "web/channels/mailbox.html", {**status, "recent": recent, "nav": "channels"})


@login_required
def my_channels(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    preference = ChannelPreference.objects.filter(user=user).first()
    initial: dict[str, Any] = {"mobile": preference.mobile if preference else ""}
    for kind in KINDS:
        initial[f"kind_{kind}"] = list(channels_of(preference, kind))
    form = PreferenceForm(initial=initial)
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        try:
            preference_save(actor=user, mobile=request.POST.get("mobile", ""), choices=form.choices(), now=clock.now())
        except DomainError as exc:
            apply_errors(form, exc.errors)
            status = exc.status
        else:
            messages.success(request, _("Your notification channels were saved."))
            return redirect("web:my_channels")
    return render(
        request,
        "web/channels/my_channels.html",
        {"form": form, "channels": CHANNELS, "nav": "my_channels"},
        status=status,
    )
