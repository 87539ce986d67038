"""DingTalk and WeCom group robots, one or more per department: configuration, the markdown
announcements written to the outbox with the change, their signed delivery, the daily digest."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.audit.services import audit_record
from kesu.channels import registry
from kesu.channels.http import DeliveryFailed, post
from kesu.channels.models import Robot, RobotKind, RobotPlatform
from kesu.channels.signing import dingtalk_signed_url
from kesu.core.errors import FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.notifications.models import OutboxMessage, OutboxStatus

CHANNEL = "robot"


def may_manage_robots(user: Any) -> bool:
    from kesu.channels.webhooks import may_manage_webhooks

    return may_manage_webhooks(user)


def robot_save(
    *,
    actor: User,
    now: dt.datetime,
    robot_id: int | None = None,
    name: str,
    platform: str,
    department: Department | None,
    url: str,
    secret: str | None,
    kinds: Sequence[str],
    active: bool = True,
) -> Robot:
    """Create or change a robot. On a change an empty `secret` or `url` keeps the saved one (the
    pages never show either back: the address carries the robot's token or key)."""
    from kesu.channels.webhooks import url_errors

    if not may_manage_robots(actor):
        raise PermissionDenied(_("Only administrators and the customer service manager manage robots."))
    robot = None
    if robot_id is not None:
        robot = Robot.objects.filter(pk=robot_id).first()
        if robot is None:
            raise NotFound(_("There is no robot with this id."))
    errors: list[FieldError] = []
    name = (name or "").strip()
    url = (url or "").strip()
    if not name:
        errors.append(FieldError("name", _("Enter a name."), "required"))
    elif len(name) > 80:
        errors.append(FieldError("name", _("Enter at most %(max)d characters.") % {"max": 80}, "max_length"))
    if platform not in RobotPlatform.values:
        errors.append(FieldError("platform", _("Choose DingTalk or WeCom."), "invalid"))
    if robot is not None and not url:
        url = robot.url
    errors += url_errors(url)
    if secret and len(secret) > 200:
        errors.append(FieldError("secret", _("Enter at most %(max)d characters.") % {"max": 200}, "max_length"))
    unknown = [k for k in kinds if k not in RobotKind.values]
    if unknown or not kinds:
        errors.append(FieldError("kinds", _("Choose at least one kind of announcement."), "required"))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        robot = robot or Robot()
        robot.name, robot.platform, robot.department, robot.url = name, platform, department, url
        if secret:
            robot.secret = secret
        robot.kinds = [k for k in RobotKind.values if k in kinds]
        robot.active = active
        robot.updated_at = now
        robot.save()
        audit_record(
            actor=actor,
            action="robot.saved",
            object_type="robot",
            object_id=str(robot.pk),
            data={"name": name, "platform": platform, "department": department.code if department else None},
            at=now,
        )
        registry.forget(registry.ROBOTS_KEY)
    return robot


def robot_targets(kind: str, department_id: int | None) -> list[int]:
    """The active robots announcing `kind` for a complaint of `department_id`: the department's
    own robots and the organisation-wide ones."""
    return [
        t.id
        for t in registry.active_robots()
        if kind in t.events and (t.department_id is None or t.department_id == department_id)
    ]


def robot_post(
    *, robot_ids: Iterable[int], kind: str, title: str, markdown: str, now: dt.datetime, complaint_id: int | None = None
) -> list[OutboxMessage]:
    """Write one outbox row per robot, in the caller's transaction; delivered after commit."""
    from kesu.core import tasks

    rows = [
        OutboxMessage(
            kind=kind,
            channel=CHANNEL,
            recipient=str(robot_id),
            complaint_id=complaint_id,
            subject=title[:200],
            body=markdown,
            next_attempt_at=now,
            created_at=now,
        )
        for robot_id in dict.fromkeys(robot_ids)
    ]
    if rows:
        OutboxMessage.objects.bulk_create(rows)
        tasks.dispatch_after_commit("deliver_outbox")
    return rows


def _line(label: str, value: str) -> str:
    return f"- **{label}**: {value}"


def announcement(kind: str, complaint: Any, *, department: str, reason: str = "") -> tuple[str, str]:
    """The title and markdown of a robot announcement, in the organisation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        if kind == RobotKind.MAJOR_COMPLAINT:
            title = _("Major complaint %(number)s") % {"number": complaint.number}
        elif kind == RobotKind.OVERDUE_ESCALATION:
            title = _("Complaint %(number)s is overdue and was escalated") % {"number": complaint.number}
        else:
            title = _("Complaint %(number)s: a solution is waiting for approval") % {"number": complaint.number}
        lines = [f"### {title}", "", _line(_("Number"), complaint.number)]
        if department:
            lines.append(_line(_("Department"), department))
        if kind == RobotKind.OVERDUE_ESCALATION:
            lines.append(_line(_("Escalation level"), str(complaint.escalation_level)))
        if reason:
            lines.append(_line(_("Reason"), reason))
        return title, "\n".join(lines)


def daily_digest(*, now: dt.datetime) -> int:
    """One digest per robot that announces it: registered in the last day, open, overdue, waiting
    for approval, for the robot's department (or the whole organisation). Once a day."""
    from kesu.complaints.models import OPEN_STATUSES, Complaint, Status

    robots = list(Robot.objects.filter(active=True).select_related("department"))
    robots = [r for r in robots if RobotKind.DAILY_DIGEST in r.kinds]
    if not robots:
        return 0
    day = timezone.localdate(now)
    since = now - dt.timedelta(days=1)
    if OutboxMessage.objects.filter(channel=CHANNEL, kind=RobotKind.DAILY_DIGEST, created_at__date=day).exists():
        return 0
    posted = 0
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for robot in robots:
            scope = Complaint.objects.all()
            if robot.department_id:
                scope = scope.filter(department_id=robot.department_id)
            counts = scope.aggregate(
                new=Count("id", filter=Q(received_at__gte=since)),
                open=Count("id", filter=Q(status__in=list(OPEN_STATUSES))),
                overdue=Count("id", filter=Q(status__in=list(OPEN_STATUSES), overdue=True)),
                waiting=Count("id", filter=Q(status=Status.SOLUTION_PROPOSED)),
            )
            where = robot.department.name if robot.department else _("the whole organisation")
            title = _("Complaints digest %(day)s") % {"day": day.isoformat()}
            text = "\n".join(
                [
                    f"### {title}",
                    "",
                    _line(_("For"), where),
                    _line(_("Registered in the last 24 hours"), str(counts["new"])),
                    _line(_("Open"), str(counts["open"])),
                    _line(_("Overdue"), str(counts["overdue"])),
                    _line(_("Solution awaiting confirmation"), str(counts["waiting"])),
                ]
            )
            robot_post(robot_ids=[robot.pk], kind=RobotKind.DAILY_DIGEST, title=title, markdown=text, now=now)
            posted += 1
    return posted


def robot_body(platform: str, title: str, markdown: str) -> dict[str, Any]:
    if platform == RobotPlatform.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown}}
    return {"msgtype": "markdown", "markdown": {"content": markdown}}


def send_robot(message: OutboxMessage) -> str:
    """The outbox's sender for robot rows."""
    robot = Robot.objects.filter(pk=int(message.recipient)).first()
    if robot is None or not robot.active:
        return OutboxStatus.LOGGED  # the robot was removed or switched off: nothing to deliver to
    _post_to(robot, message.subject, message.body)
    return OutboxStatus.SENT


def _post_to(robot: Robot, title: str, markdown: str) -> None:
    """One message to the robot, or DeliveryFailed. DingTalk: the signed address (timestamp and
    sign parameters); WeCom: the address with its key. Both answer `{"errcode": 0}` when they took it."""
    url = robot.url
    if robot.platform == RobotPlatform.DINGTALK:
        url = dingtalk_signed_url(url, robot.secret, int(time.time() * 1000))
    body = json.dumps(robot_body(robot.platform, title, markdown), ensure_ascii=False).encode()
    answer = post(url, body, {"Content-Type": "application/json; charset=utf-8"})
    try:
        errcode = json.loads(answer.body or b"{}").get("errcode", 0)
    except (ValueError, AttributeError):
        raise DeliveryFailed("the robot answered something that is not JSON") from None
    if errcode != 0:
        raise DeliveryFailed(f"the robot refused the message (errcode {errcode})")


TEST_KIND = "robot_test"


@dataclass(frozen=True)
class RobotTestResult:
    delivered: bool
    error: str  # why not, in the far end's words (never the address or the secret)


def robot_send_test(*, actor: User, robot_id: int, now: dt.datetime) -> RobotTestResult:
    """Send a test message to the robot at once (also a deactivated one, to try it before using it)
    and say whether it arrived. Sent with no transaction open and never retried: the person who
    pressed the button reads the answer; the attempt is kept in the outbox as a log row."""
    if not may_manage_robots(actor):
        raise PermissionDenied(_("Only administrators and the customer service manager manage robots."))
    robot = Robot.objects.select_related("department").filter(pk=robot_id).first()
    if robot is None:
        raise NotFound(_("There is no robot with this id."))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Kesu test message")
        where = robot.department.name if robot.department else _("the whole organisation")
        markdown = "\n".join(
            [
                f"### {title}",
                "",
                _("This group will hear of complaints here."),
                "",
                _line(_("Robot"), robot.name),
                _line(_("For"), where),
                _line(_("Sent by"), actor.get_full_name() or actor.username),
                _line(_("Time"), timezone.localtime(now).strftime("%Y-%m-%d %H:%M")),
            ]
        )
    error = ""
    try:
        _post_to(robot, title, markdown)
    except DeliveryFailed as exc:
        error = str(exc)
    with transaction.atomic():
        OutboxMessage.objects.create(
            kind=TEST_KIND,
            channel=CHANNEL,
            recipient=str(robot.pk),
            subject=title,
            body=markdown,
            status=OutboxStatus.FAILED if error else OutboxStatus.SENT,
            attempts=1,
            next_attempt_at=now,
            created_at=now,
            sent_at=None if error else now,
            last_error=error[:2000],
        )
        audit_record(
            actor=actor,
            action="robot.tested",
            object_type="robot",
            object_id=str(robot.pk),
            data={"delivered": not error, "error": error[:200]},
            at=now,
        )
    return RobotTestResult(delivered=not error, error=error)


def robot_targets_of_department(department_id: int | None) -> list[int]:
    """The active robots of a department, whatever they announce (a person chose to hear of their
    own notifications in their department's group)."""
    return [t.id for t in registry.active_robots() if department_id is not None and t.department_id == department_id]
