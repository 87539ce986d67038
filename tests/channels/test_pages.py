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
