"""Every 4xx has one shape, {"errors": [{"field", "message", "code"}]}, in the caller's language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint
from tests.conftest import intake_payload

URL = "/api/v1/complaints"


def test_401_without_a_token(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"field": None, "message": "Sign in first: send a valid bearer token.", "code": "unauthenticated"}]
    }


def test_401_with_a_bad_token(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION="Bearer nonsense").get(URL)

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"field": None, "message": "Sign in first: send a valid bearer token.", "code": "unauthenticated"}]
    }


def test_401_in_chinese_by_default(db):
    response = Client().get(URL)

    assert response.json() == {
        "errors": [{"field": None, "message": "请先登录：发送有效的 Bearer 令牌。", "code": "unauthenticated"}]
    }


def test_401_for_a_wrong_password(users):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token", {"username": "agent", "password": "x"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert response.json() == {
        "errors": [{"field": None, "message": "Wrong username or password.", "code": "wrong_credentials"}]
    }


def test_422_for_a_token_request_without_password(users):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token", {"username": "agent"}, content_type="application/json"
    )

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": "password", "message": "This field is required.", "code": "required"}]
    }


def test_404_for_an_unknown_number(api):
    response = api("agent", language="en").get(f"{URL}/202611-99999")

    assert response.status_code == 404
    assert response.json() == {
        "errors": [{"field": None, "message": "No complaint has this number.", "code": "not_found"}]
    }


def test_409_for_an_action_not_allowed_in_the_state(api, register):
    complaint = register()

    response = api("manager", language="en").post(f"{URL}/{complaint.number}/transitions", {"action": "close"})

    assert response.status_code == 409
    assert [e["field"] for e in response.json()["errors"]] == [None]


def test_403_for_a_role_that_may_not_act(api, complaint_in):
    complaint = complaint_in("acknowledged")

    response = api("agent", language="en").post(
        f"{URL}/{complaint.number}/transitions", {"action": "assign", "department": "quality"}
    )

    assert response.status_code == 403
    assert response.json() == {
        "errors": [{"field": None, "message": "Your role may not take this action.", "code": "forbidden"}]
    }


def test_403_for_an_auditor(api, register):
    complaint = register()

    response = api("auditor", language="en").post(f"{URL}/{complaint.number}/transitions", {"action": "acknowledge"})

    assert response.status_code == 403
    assert response.json() == {
        "errors": [{"field": None, "message": "Auditors have read-only access.", "code": "forbidden"}]
    }


def test_refused_transition_stores_nothing(api, register):
    complaint = register()
    before = AuditRecord.objects.count()

    api("auditor").post(f"{URL}/{complaint.number}/transitions", {"action": "acknowledge"})

    complaint.refresh_from_db()
    assert (complaint.status, complaint.events.count(), AuditRecord.objects.count()) == ("registered", 1, before)


def test_422_for_an_unknown_action_names_the_field(api, register):
    complaint = register()

    response = api("agent", language="en").post(f"{URL}/{complaint.number}/transitions", {"action": "explode"})

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": "action", "message": "Unknown action: explode.", "code": "invalid_choice"}]
    }


def test_422_for_a_bad_query_parameter_names_it(api):
    response = api("agent", language="en").get(URL, page="first")

    assert response.status_code == 422
    assert response.json() == {"errors": [{"field": "page", "message": "Enter a number.", "code": "number"}]}


def test_422_for_a_page_size_out_of_range(api):
    response = api("agent", language="en").get(URL, page_size=500)

    assert response.json() == {
        "errors": [{"field": "page_size", "message": "Give a page size from 1 to 100.", "code": "invalid"}]
    }


def test_422_for_a_bad_date_filter_names_it(api):
    response = api("agent", language="en").get(URL, received_from="last week")

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["received_from"]


def test_422_body_lists_every_error_with_field_and_message(api, users):
    response = api("agent", language="en").post(URL, {"channel": "fax", "customer": {}, "description": ""})

    errors = response.json()["errors"]
    assert all(set(error) == {"field", "message", "code"} for error in errors)
    assert [e["field"] for e in errors] == ["channel", "customer.name", "customer.phone", "description"]


def test_413_carries_the_error_shape(api, settings):
    settings.KESU_MAX_JSON_BODY = 100

    response = api("agent", language="en").post(URL, intake_payload(description="x" * 200))

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"field": None, "message": "The request body is too large.", "code": "body_too_large"}]
    }
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请求内容过大。"), ("zh-hant", "請求內容過大。"), ("en", "The request body is too large.")],
)
def test_413_is_in_the_callers_language(db, settings, language, message):
    settings.KESU_MAX_JSON_BODY = 10

    response = Client(HTTP_ACCEPT_LANGUAGE=language).post(
        URL, data="{" + '"a": 1,' * 10 + "}", content_type="application/json"
    )

    assert response.json()["errors"][0]["message"] == message


def test_413_does_not_change_the_language_of_later_work(db, settings):
    settings.KESU_MAX_JSON_BODY = 10
    Client(HTTP_ACCEPT_LANGUAGE="en").post(URL, data='{"description": "long enough"}', content_type="application/json")

    assert translation.get_language() == "zh-hans"


def test_errors_are_json(api):
    response = api("agent").get(f"{URL}/202611-99999")

    assert response["Content-Type"].startswith("application/json")


def test_405_for_a_wrong_method_carries_the_error_shape(api, register):
    complaint = register()

    response = api("agent", language="en").get(f"{URL}/{complaint.number}/transitions")

    assert response.status_code == 405
    assert response.json() == {
        "errors": [{"field": None, "message": "Method not allowed.", "code": "method_not_allowed"}]
    }


def test_405_names_the_allowed_methods(api, register):
    complaint = register()

    response = api("agent").get(f"{URL}/{complaint.number}/transitions")

    assert response["Allow"] == "POST"


def test_405_in_chinese_by_default(db):
    response = Client().put("/api/v1/public/complaints", data="{}", content_type="application/json")

    assert response.json() == {
        "errors": [{"field": None, "message": "不允许使用此方法。", "code": "method_not_allowed"}]
    }


def test_404_for_an_unknown_api_path_carries_the_error_shape(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": None, "message": "Not found.", "code": "not_found"}]}


def test_404_outside_the_api_is_left_alone(db):
    response = Client().get("/no-such-page/")

    assert (response.status_code, response["Content-Type"].startswith("application/json")) == (404, False)
