"""The channel pages of the workspace: who may open them, a refused form keeps what was typed,
secrets never shown back, the delivery log's query count pinned."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kesu.channels.models import ChannelPreference, Robot, Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db
SECRET = "page-secret-0123456789"


@pytest.fixture
def as_user(users):
    def _make(role: str, language: str = "zh-hans") -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(users[role])
        return client

    return _make


@pytest.fixture(autouse=True)
def _loopback(monkeypatch):
    monkeypatch.setenv("KESU_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")


@pytest.mark.parametrize("path", ["/channels/", "/channels/webhooks/", "/channels/robots/", "/channels/mailbox/"])
def test_only_administrators_and_the_manager_open_the_configuration(as_user, path):
    assert as_user("admin").get(path).status_code == 200
    assert as_user("manager").get(path).status_code == 200
    assert as_user("agent").get(path).status_code == 403
    assert as_user("gm").get(path).status_code == 403


def test_the_menu_leads_there(as_user):
    assert 'href="/channels/"' in as_user("manager").get("/").content.decode()
    agent_page = as_user("agent").get("/").content.decode()
    assert 'href="/channels/"' not in agent_page and 'href="/me/channels/"' in agent_page


def test_a_webhook_made_on_the_page_shows_a_masked_secret(as_user):
    client = as_user("admin")
    response = client.post(
        "/channels/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "events": ["complaint.registered"]},
    )
    assert response.status_code == 302
    page = client.get("/channels/webhooks/").content.decode()
    assert "http://127.0.0.1:9/hook" in page
    assert SECRET not in page and "••••" + SECRET[-4:] in page


def test_a_refused_webhook_form_keeps_what_was_typed(as_user):
    response = as_user("admin", "en").post(
        "/channels/webhooks/", {"url": "http://10.0.0.7/hook", "secret": "short", "events": []}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="http://10.0.0.7/hook"' in page
    assert "Choose at least one event." in page
    assert "loopback or private network" in page
    assert Webhook.objects.count() == 0


def test_the_delivery_log_and_replay(as_user, register):
    client = as_user("manager")
    client.post(
        "/channels/webhooks/", {"url": "http://127.0.0.1:9/hook", "secret": SECRET, "events": ["complaint.registered"]}
    )
    webhook = Webhook.objects.get()
    for _ in range(3):
        register()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/channels/webhooks/{webhook.pk}/")
    assert page.status_code == 200
    assert len(queries) <= 12, [q["sql"] for q in queries]
    register()
    with CaptureQueriesContext(connection) as more:
        client.get(f"/channels/webhooks/{webhook.pk}/")
    assert len(more) == len(queries)  # one more delivery, no more queries
    first = WebhookDelivery.objects.order_by("id").first()
    assert client.post(f"/channels/deliveries/{first.delivery_id}/replay/").status_code == 302
    assert WebhookDelivery.objects.filter(replay_of=first).count() == 1


def test_a_robot_made_on_the_page_shows_neither_key_nor_secret(as_user):
    client = as_user("admin")
    response = client.post(
        "/channels/robots/",
        {
            "name": "品质部群",
            "platform": "dingtalk",
            "department": "quality",
            "url": "http://127.0.0.1:9/robot/send?access_token=very-secret-token",
            "secret": "SECabcdef0123456789",
            "kinds": ["major_complaint", "daily_digest"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get("/channels/robots/").content.decode()
    assert "very-secret-token" not in page and "SECabcdef0123456789" not in page
    assert Robot.objects.get().department.code == "quality"


def test_a_person_chooses_their_channels(as_user, users):
    client = as_user("handler", "en")
    refused = client.post("/me/channels/", {"mobile": "", "kind_assigned": ["sms"]})
    assert refused.status_code == 422
    assert "Enter your mobile number to receive SMS." in refused.content.decode()
    assert not ChannelPreference.objects.exists()
    saved = client.post(
        "/me/channels/", {"mobile": "13800138000", "kind_assigned": ["robot", "sms"], "kind_escalated": ["email"]}
    )
    assert saved.status_code == 302
    preference = ChannelPreference.objects.get(user=users["handler"])
    assert preference.choices["assigned"] == ["robot", "sms"]
    assert preference.choices["major_complaint"] == []


def test_the_mailbox_page_without_a_mailbox(as_user, monkeypatch):
    monkeypatch.delenv("KESU_MAIL_IMAP_HOST", raising=False)
    page = as_user("admin", "en").get("/channels/mailbox/").content.decode()
    assert "No mailbox is configured" in page


def _robot(as_user, url="http://127.0.0.1:9/robot/send?access_token=very-secret-token") -> Robot:
    response = as_user("manager").post(
        "/channels/robots/",
        {
            "name": "品质部群",
            "platform": "dingtalk",
            "department": "quality",
            "url": url,
            "secret": "SECabcdef0123456789",
            "kinds": ["major_complaint"],
        },
    )
    assert response.status_code == 302
    return Robot.objects.get()


def test_the_edit_page_shows_the_saved_address_and_secret_masked(as_user):
    robot = _robot(as_user)
    page = as_user("manager").get(f"/channels/robots/{robot.pk}/").content.decode()
    assert "very-secret-token" not in page and "SECabcdef0123456789" not in page
    assert "http://127.0.0.1:9/robot/send?••••" in page and "••••6789" in page
    assert 'value="品质部群"' in page
    assert as_user("agent").get(f"/channels/robots/{robot.pk}/").status_code == 403
    assert as_user("manager").get("/channels/robots/999/").status_code == 404


def test_a_robot_is_changed_and_disabled_on_its_page_keeping_address_and_secret(as_user):
    robot = _robot(as_user)
    response = as_user("manager").post(
        f"/channels/robots/{robot.pk}/",
        {
            "name": "品质部值班群",
            "platform": "dingtalk",
            "department": "",
            "url": "",
            "secret": "",
            "kinds": ["overdue_escalation", "daily_digest"],
        },
    )
    assert response.status_code == 302
    changed = Robot.objects.get()
    assert (changed.name, changed.department, changed.active) == ("品质部值班群", None, False)
    assert changed.kinds == ["overdue_escalation", "daily_digest"]
    assert (changed.url, changed.secret) == (robot.url, robot.secret)


def test_a_refused_change_names_the_field_keeps_what_was_typed_and_changes_nothing(as_user):
    robot = _robot(as_user)
    response = as_user("manager", "en").post(
        f"/channels/robots/{robot.pk}/",
        {
            "name": "新名字",
            "platform": "dingtalk",
            "department": "quality",
            "url": "ftp://example.com/x",
            "secret": "",
            "kinds": [],
            "active": "on",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'value="新名字"' in page and 'value="ftp://example.com/x"' in page
    assert 'id="id_kinds_error"' in page and 'id="id_url_error"' in page
    assert "Choose at least one kind of announcement." in page
    assert Robot.objects.get().name == "品质部群"


def test_the_test_button_says_whether_the_robot_took_the_message(as_user):
    from tests.channels.fakes import FakeServer, dingtalk_robot

    server = FakeServer(dingtalk_robot("SECabcdef0123456789", "very-secret-token")).start()
    try:
        robot = _robot(as_user, url=f"{server.url}/robot/send?access_token=very-secret-token")
        client = as_user("manager")
        answer = client.post(f"/channels/robots/{robot.pk}/test/", {"back": "edit"}, follow=True)
        assert answer.redirect_chain[-1][0] == f"/channels/robots/{robot.pk}/"
        assert "测试消息已送达“品质部群”。" in answer.content.decode()
        assert len(server.received) == 1
        Robot.objects.filter(pk=robot.pk).update(secret="SECwrong")
        answer = client.post(f"/channels/robots/{robot.pk}/test/", follow=True)
        assert answer.redirect_chain[-1][0] == "/channels/robots/"
        assert "errcode 310000" in answer.content.decode()
        assert as_user("agent").post(f"/channels/robots/{robot.pk}/test/").status_code == 403
        assert len(server.received) == 1 and len(server.refused) == 1
    finally:
        server.stop()
