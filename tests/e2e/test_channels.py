"""The channel pages as the customer service manager uses them, on the product as `make run`
serves it: a webhook made by typing and clicking, a complaint registered, its signed delivery
arriving at a receiver on loopback, the delivery log, a replay; a person's own channels."""

from __future__ import annotations

import re

import pytest

from tests.channels.fakes import FakeServer, dingtalk_robot, webhook_receiver
from tests.e2e.menu import go
from tests.e2e.test_helpdesk import register_by_clicking, unique_phone

pytestmark = pytest.mark.django_db(transaction=False)
SECRET = "browser-test-secret-0123"


@pytest.fixture
def receiver():
    server = FakeServer(webhook_receiver(SECRET)).start()
    yield server
    server.stop()


def open_channels(page, section: str) -> None:  # type: ignore[no-untyped-def]
    go(page, "渠道", exact=True)
    page.get_by_role("link", name=re.compile(section)).click()


def wait_for_status(page, label: str, rounds: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Reload the delivery log until its newest row shows `label` (delivery runs after commit)."""
    for _ in range(rounds):
        if page.locator("main table tbody tr").first.locator(".badge").filter(has_text=label).count():
            return
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError(f"the delivery never showed {label}")


def test_a_webhook_made_in_the_browser_receives_a_signed_delivery_and_a_replay(people, shot, receiver) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("manager")
    open_channels(page, "Webhook 回调")
    page.get_by_label("地址").fill(receiver.url + "/hook")
    page.get_by_label("密钥").fill("too-short")
    page.get_by_label("投诉已登记").check()
    page.locator("main form button[type=submit]").click()
    assert page.get_by_text("密钥须为 16 到 200 个字符。").is_visible()  # refused, what was typed is kept
    assert page.get_by_label("地址").input_value() == receiver.url + "/hook"
    page.get_by_label("密钥").fill(SECRET)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/channels/webhooks/")
    assert page.locator("ul.messages").inner_text() == "Webhook 已保存。"
    row = page.locator("main table tbody tr").first
    assert receiver.url + "/hook" in row.inner_text()
    assert "••••" + SECRET[-4:] in row.inner_text()
    assert SECRET not in page.content()
    shot(page, "channels-webhooks-zh-CN")

    number = register_by_clicking(page, name="赵六", phone=unique_phone(), title="网购的耳机不响")
    open_channels(page, "Webhook 回调")
    page.get_by_role("link", name="投递记录").first.click()
    wait_for_status(page, "已发送")
    newest = page.locator("main table tbody tr").first
    assert number in newest.inner_text() and "HTTP 200" in newest.inner_text()
    assert [r.json()["complaint"]["number"] for r in receiver.received] == [number]
    shot(page, "channels-delivery-log-zh-CN")

    newest.get_by_role("button", name="重新投递").click()
    assert page.locator("ul.messages").inner_text() == "已重新投递。"
    wait_for_status(page, "已发送")
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body
    assert "重新投递" in page.locator("main table tbody tr").first.inner_text()


def test_the_channel_pages_in_traditional_chinese(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("admin", locale="zh-TW")
    go(page, "渠道", exact=True)
    assert page.locator("h1").inner_text() == "渠道"
    page.get_by_role("link", name=re.compile("群機器人")).click()
    assert page.locator("h1").inner_text() == "群機器人"
    shot(page, "channels-robots-zh-TW")
    go(page, "渠道", exact=True)
    page.get_by_role("link", name=re.compile("投訴郵箱")).click()
    assert page.locator("h1").inner_text() == "投訴郵箱"
    shot(page, "channels-mailbox-zh-TW")


def test_a_person_chooses_their_channels_in_english(people, shot) -> None:  # type: ignore[no-untyped-def]
    page = people.sign_in("handler", locale="en")
    go(page, "My channels")
    assert page.locator("h1").inner_text() == "My notification channels"
    page.get_by_label("Assigned to you: SMS", exact=True).check()
    page.locator("main form button[type=submit]").click()
    assert page.get_by_text("Enter your mobile number to receive SMS.").is_visible()
    assert page.get_by_label("Assigned to you: SMS", exact=True).is_checked()  # the refused form keeps the choice
    page.get_by_label("Mobile for SMS").fill("13800138000")
    page.get_by_label("Assigned to you: E-mail", exact=True).uncheck()
    page.locator("main form button[type=submit]").click()
    assert page.locator("ul.messages").inner_text() == "Your notification channels were saved."
    assert page.get_by_label("Assigned to you: SMS", exact=True).is_checked()
    assert not page.get_by_label("Assigned to you: E-mail", exact=True).is_checked()
    shot(page, "channels-my-channels-en")


ROBOT_SECRET = "SECbrowser0123456789abcdef"
ROBOT_TOKEN = "browser-robot-token"


@pytest.fixture
def dingtalk():
    server = FakeServer(dingtalk_robot(ROBOT_SECRET, ROBOT_TOKEN)).start()
    yield server
    server.stop()


def test_a_department_robot_is_added_tried_corrected_and_disabled_in_the_browser(people, shot, dingtalk) -> None:  # type: ignore[no-untyped-def]
    name = f"品质部群 {unique_phone()[-4:]}"
    address = f"{dingtalk.url}/robot/send?access_token={ROBOT_TOKEN}"
    page = people.sign_in("manager")
    open_channels(page, "群机器人")
    page.get_by_label("名称").fill(name)
    page.get_by_label("平台").select_option(label="钉钉群机器人")
    page.get_by_label("部门").select_option(label="品质部")
    page.get_by_label("机器人地址").fill(address)
    page.get_by_label("加签密钥（钉钉）").fill("SECmistyped-secret-000")
    page.get_by_label("新的重大投诉").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/channels/robots/")
    assert page.locator("ul.messages").inner_text() == "群机器人已保存。"
    row = page.locator("main table tbody tr", has_text=name)
    assert ROBOT_TOKEN not in row.inner_text() and "••••" in row.inner_text()

    # The secret was mistyped: the test message says so, and nothing is sent again later.
    row.get_by_role("button", name="发送测试消息").click()
    assert "测试消息未能送达" in page.locator("ul.messages").inner_text()
    assert "errcode 310000" in page.locator("ul.messages").inner_text()
    assert len(dingtalk.refused) == 1 and dingtalk.received == []

    # Correct it on the robot's page; a refused change names the field and keeps what was typed.
    page.locator("main table tbody tr", has_text=name).get_by_role("link", name="编辑").click()
    assert page.locator("h1").inner_text() == f"机器人“{name}”"
    assert ROBOT_TOKEN not in page.content() and "SECmistyped" not in page.content()
    page.get_by_label("名称").fill(name + " 值班")
    page.get_by_label("新的重大投诉").uncheck()
    page.get_by_role("button", name="保存").click()
    assert page.get_by_text("请至少选择一种推送内容。").is_visible()
    assert page.get_by_label("名称").input_value() == name + " 值班"
    assert page.get_by_label("部门").locator("option:checked").inner_text() == "品质部"
    page.get_by_label("新的重大投诉").check()
    page.get_by_label("每日摘要").check()
    page.get_by_label("加签密钥（钉钉）").fill(ROBOT_SECRET)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/channels/robots/")
    name += " 值班"

    row = page.locator("main table tbody tr", has_text=name)
    assert "每日摘要" in row.inner_text() and "••••" + ROBOT_SECRET[-4:] in row.inner_text()
    row.get_by_role("button", name="发送测试消息").click()
    assert page.locator("ul.messages").inner_text() == f"测试消息已送达“{name}”。"
    assert len(dingtalk.received) == 1
    assert name in dingtalk.received[0].json()["markdown"]["text"]

    # Disabled on its page: it stays listed, deactivated, and can be tried from there.
    page.locator("main table tbody tr", has_text=name).get_by_role("link", name="编辑").click()
    page.get_by_label("使用中").uncheck()
    shot(page, "channels-robot-edit-zh-CN")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/channels/robots/")
    assert "已停用" in page.locator("main table tbody tr", has_text=name).inner_text()
    shot(page, "channels-robots-zh-CN")
