"""DingTalk and WeCom group robots: signed delivery from the outbox, announcements, the digest,
and the channels each person chooses."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.accounts.models import Department
from kesu.audit.models import AuditRecord
from kesu.channels.models import Robot
from kesu.channels.preferences import preference_save
from kesu.channels.robots import RobotTestResult, daily_digest, robot_save, robot_send_test
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.notifications.models import OutboxMessage, OutboxStatus
from kesu.notifications.services import deliver_pending, notify_users
from tests.channels.fakes import FakeServer, dingtalk_robot, wecom_robot
from tests.complaints.lifecycle import snapshot

pytestmark = pytest.mark.django_db
DING_SECRET = "SEC0123456789abcdef"
TOKEN = "tok-abc"


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    monkeypatch.setenv("KESU_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")


@pytest.fixture
def dingtalk():
    server = FakeServer(dingtalk_robot(DING_SECRET, TOKEN)).start()
    yield server
    server.stop()


@pytest.fixture
def wecom():
    server = FakeServer(wecom_robot("wecom-key-1")).start()
    yield server
    server.stop()


def _ding(users, now, server, *, secret=DING_SECRET, department="quality", kinds=None):
    return robot_save(
        actor=users["manager"],
        now=now,
        name="品质部群",
        platform="dingtalk",
        department=Department.objects.get(code=department) if department else None,
        url=f"{server.url}/robot/send?access_token={TOKEN}",
        secret=secret,
        kinds=kinds or ["major_complaint", "overdue_escalation", "approval_waiting", "daily_digest"],
    )


def test_a_major_complaint_is_announced_to_dingtalk_signed(users, now, dingtalk, register):
    _ding(users, now, dingtalk, department=None)
    complaint = register(severity="major")
    row = OutboxMessage.objects.get(channel="robot")
    assert row.status == OutboxStatus.PENDING
    deliver_pending(now=now)
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT, row.last_error
    message = dingtalk.received[0].json()
    assert message["msgtype"] == "markdown"
    assert complaint.number in message["markdown"]["title"]
    assert complaint.number in message["markdown"]["text"]


def test_dingtalk_refuses_a_wrong_signature_and_nothing_is_lost(users, now, dingtalk, register):
    _ding(users, now, dingtalk, secret="SECnot-the-right-one", department=None)
    register(severity="major")
    deliver_pending(now=now)
    row = OutboxMessage.objects.get(channel="robot")
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert "310000" in row.last_error
    assert dingtalk.received == [] and len(dingtalk.refused) == 1


def test_wecom_delivers_and_refuses_a_wrong_key(users, now, wecom, register):
    for key in ("wecom-key-1", "wrong-key"):
        robot_save(
            actor=users["admin"],
            now=now,
            name=f"客服群 {key}",
            platform="wecom",
            department=None,
            url=f"{wecom.url}/cgi-bin/webhook/send?key={key}",
            secret="",
            kinds=["major_complaint"],
        )
    register(severity="major")
    deliver_pending(now=now)
    statuses = dict(OutboxMessage.objects.filter(channel="robot").values_list("recipient", "status"))
    good, bad = Robot.objects.order_by("id")
    assert statuses == {str(good.pk): OutboxStatus.SENT, str(bad.pk): OutboxStatus.PENDING}
    assert wecom.received[0].json()["markdown"]["content"].startswith("### ")


def test_a_robot_that_is_down_loses_nothing(users, now, register):
    server = FakeServer(dingtalk_robot(DING_SECRET, TOKEN))
    _ding(users, now, server, department=None)
    register(severity="major")
    deliver_pending(now=now)
    row = OutboxMessage.objects.get(channel="robot")
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    server.start()
    try:
        deliver_pending(now=row.next_attempt_at)
    finally:
        server.stop()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert len(server.received) == 1


def test_only_the_complaints_department_robot_hears_of_it(users, now, dingtalk, register):
    _ding(users, now, dingtalk, department="logistics")
    register(severity="major")  # routed to quality by its category, not logistics
    assert not OutboxMessage.objects.filter(channel="robot").exists()


def test_an_approval_waiting_is_announced(users, now, dingtalk, complaint_in):
    _ding(users, now, dingtalk, department="quality", kinds=["approval_waiting"])
    complaint = complaint_in("solution_proposed")
    rows = list(OutboxMessage.objects.filter(channel="robot", kind="approval_waiting"))
    assert complaint.solutions.get().status == "pending_approval"
    assert len(rows) == 1 and complaint.number in rows[0].body


def test_an_overdue_escalation_is_announced_from_the_sweep(users, now, dingtalk, register):
    from kesu.deadlines.sweep import sweep

    _ding(users, now, dingtalk, department=None, kinds=["overdue_escalation"])
    complaint = register()
    sweep(now=now + dt.timedelta(days=60))
    rows = OutboxMessage.objects.filter(channel="robot", kind="overdue_escalation")
    assert rows.exists()
    assert all(complaint.number in r.body for r in rows)


def test_the_daily_digest_is_posted_once_a_day(users, now, dingtalk, register):
    _ding(users, now, dingtalk, department=None, kinds=["daily_digest"])
    register()
    register()
    assert daily_digest(now=now) == 1
    assert daily_digest(now=now) == 0
    row = OutboxMessage.objects.get(channel="robot", kind="daily_digest")
    assert "2" in row.body
    deliver_pending(now=now)
    assert len(dingtalk.received) == 1


def test_robot_configuration_is_refused_to_agents_and_bad_input_names_fields(users, now, dingtalk):
    with pytest.raises(PermissionDenied):
        _ding({"manager": users["agent"]}, now, dingtalk)
    with pytest.raises(ValidationFailed) as refused:
        robot_save(actor=users["admin"], now=now, name="", platform="qq", department=None, url="", secret="", kinds=[])
    assert {e.field for e in refused.value.errors} == {"name", "platform", "url", "kinds"}
    assert Robot.objects.count() == 0


def test_a_person_who_chose_the_robot_and_sms_hears_there_and_not_by_mail(users, now, dingtalk):
    _ding(users, now, dingtalk, department="quality", kinds=["daily_digest"])
    handler = users["handler"]
    preference_save(actor=handler, mobile="13800138000", choices={"assigned": ["robot", "sms"]}, now=now)
    notify_users(users=[handler, users["agent"]], kind="assigned", subject="派给您", body="投诉已派给您。", now=now)
    rows = {(m.channel, m.recipient) for m in OutboxMessage.objects.all()}
    robot = Robot.objects.get()
    assert rows == {
        ("inapp", handler.email),  # kept for the in-app notifications, never sent
        ("sms", "13800138000"),
        ("robot", str(robot.pk)),
        ("email", users["agent"].email),
    }
    assert OutboxMessage.objects.get(channel="inapp").status == OutboxStatus.LOGGED
    from kesu.notifications.inbox import _messages

    assert _messages(handler).count() == 1


def test_sms_needs_a_mobile_number(users, now):
    with pytest.raises(ValidationFailed) as refused:
        preference_save(actor=users["agent"], mobile="", choices={"assigned": ["sms"]}, now=now)
    assert refused.value.errors[0].field == "mobile"
    with pytest.raises(ValidationFailed):
        preference_save(actor=users["agent"], mobile="12345", choices={}, now=now)


def test_a_test_message_is_sent_at_once_signed_and_logged(users, now, dingtalk):
    robot = _ding(users, now, dingtalk)
    result = robot_send_test(actor=users["manager"], robot_id=robot.pk, now=now)
    assert result == RobotTestResult(delivered=True, error="")
    assert len(dingtalk.received) == 1 and dingtalk.refused == []
    assert "品质部群" in dingtalk.received[0].json()["markdown"]["text"]
    row = OutboxMessage.objects.get(channel="robot")
    assert (row.kind, row.status, row.attempts) == ("robot_test", OutboxStatus.SENT, 1)
    assert AuditRecord.objects.filter(action="robot.tested", object_id=str(robot.pk)).count() == 1
    assert deliver_pending(now=now) == 0
    assert len(dingtalk.received) == 1


def test_a_test_message_with_a_wrong_secret_says_why_and_is_not_retried(users, now, dingtalk):
    robot = _ding(users, now, dingtalk, secret="SECwrong-secret-0000")
    result = robot_send_test(actor=users["admin"], robot_id=robot.pk, now=now)
    assert result.delivered is False
    assert result.error == "the robot refused the message (errcode 310000)"
    assert "SECwrong" not in result.error and TOKEN not in result.error
    assert OutboxMessage.objects.get(channel="robot").status == OutboxStatus.FAILED
    deliver_pending(now=now + dt.timedelta(hours=1))
    assert len(dingtalk.refused) == 1 and dingtalk.received == []


def test_a_deactivated_robot_can_be_tried_before_it_is_used_again(users, now, wecom):
    robot = robot_save(
        actor=users["manager"],
        now=now,
        name="客服群",
        platform="wecom",
        department=None,
        url=f"{wecom.url}/cgi-bin/webhook/send?key=wecom-key-1",
        secret=None,
        kinds=["daily_digest"],
        active=False,
    )
    assert robot_send_test(actor=users["manager"], robot_id=robot.pk, now=now).delivered is True
    assert len(wecom.received) == 1


def test_agents_may_not_send_a_test_message_and_nothing_is_written(users, now, dingtalk):
    robot = _ding(users, now, dingtalk)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        robot_send_test(actor=users["agent"], robot_id=robot.pk, now=now)
    assert snapshot() == before
    assert dingtalk.received == [] and dingtalk.refused == []


def test_a_change_without_address_or_secret_keeps_the_saved_ones(users, now, dingtalk):
    robot = _ding(users, now, dingtalk)
    saved_url, saved_secret = robot.url, robot.secret
    changed = robot_save(
        actor=users["manager"],
        now=now,
        robot_id=robot.pk,
        name="品质部值班群",
        platform="dingtalk",
        department=Department.objects.get(code="quality"),
        url="",
        secret="",
        kinds=["major_complaint"],
        active=False,
    )
    changed.refresh_from_db()
    assert (changed.name, changed.url, changed.secret) == ("品质部值班群", saved_url, saved_secret)
    assert (changed.kinds, changed.active) == (["major_complaint"], False)


def test_the_daily_digest_is_scheduled_and_posts_from_the_configured_hour(users, dingtalk, register):
    import time_machine
    from django.utils import timezone

    from kesu.channels import tasks as channel_tasks
    from kesu.core import tasks

    assert tasks.schedule()["robot_daily_digest"] == 900.0
    local = timezone.get_default_timezone()
    early = dt.datetime(2026, 11, 2, channel_tasks.DIGEST_HOUR - 1, 50, tzinfo=local)
    _ding(users, early, dingtalk, department=None, kinds=["daily_digest"])
    with time_machine.travel(early, tick=False):
        assert tasks.run("robot_daily_digest") == 0
    with time_machine.travel(early + dt.timedelta(minutes=15), tick=False):
        assert tasks.run("robot_daily_digest") == 1
    with time_machine.travel(early + dt.timedelta(hours=5), tick=False):
        assert tasks.run("robot_daily_digest") == 0
    with time_machine.travel(early + dt.timedelta(days=1, minutes=15), tick=False):
        assert tasks.run("robot_daily_digest") == 1
    assert OutboxMessage.objects.filter(channel="robot", kind="daily_digest").count() == 2
