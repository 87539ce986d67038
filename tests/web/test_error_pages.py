"""403, 404 and 500 pages: in the workspace's (or portal's) layout and the reader's language, with a way back."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path

from config.urls import urlpatterns as main_urlpatterns
from kesu.web import errors

pytestmark = pytest.mark.django_db


def _boom(request):  # type: ignore[no-untyped-def]
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), *main_urlpatterns]
handler500 = "kesu.web.errors.server_error"


def test_unknown_page_is_404_in_the_layout_and_chinese_by_default() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert "web/kesu.css" in html  # the workspace's stylesheet: the page has its layout
    assert 'href="/login/"' in html  # a way back for someone not signed in


def test_unknown_page_in_english_for_an_english_reader() -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/no-such-page/")
    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


def test_unknown_complaint_for_a_signed_in_user_links_back_to_the_queues(as_user) -> None:  # type: ignore[no-untyped-def]
    response = as_user("agent").get("/c/209901-99999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html
    assert 'href="/"' in html and "返回我的队列" in html


def test_forbidden_page_says_why_in_traditional_chinese(as_user) -> None:  # type: ignore[no-untyped-def]
    client = as_user("auditor")
    client.cookies["django_language"] = "zh-hant"
    response = client.get("/new/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您無權開啟此頁面" in html
    assert "您的角色不能登記投訴。" in html  # the view's own reason
    assert "web/kesu.css" in html


def test_portal_404_uses_the_portal_layout() -> None:
    response = Client().get("/portal/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "返回客户门户" in html


def test_api_404_keeps_the_api_error_shape() -> None:
    response = Client().get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] is None


@override_settings(ROOT_URLCONF=__name__)
def test_server_error_page_is_translated_and_styled() -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html
    assert "web/kesu.css" in html


def test_csrf_failure_page_explains_the_expired_form() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "agent", "password": "x"})
    assert response.status_code == 403
    assert "表单已过期" in response.content.decode()
    assert errors.csrf_failure is not None
