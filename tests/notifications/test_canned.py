"""Canned responses (话术模板, SPEC SV-3): managers keep them, every change audited."""

from __future__ import annotations

import pytest

from kesu.audit.models import AuditRecord
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.notifications.canned import canned_response_save, canned_response_set_active, canned_responses
from kesu.notifications.models import CannedResponse

VALUES = {"title": "致歉", "body": "非常抱歉给您带来不便。", "purpose": "note", "language": "zh-hans"}


def test_a_manager_creates_and_edits_a_response_and_both_are_audited(users, now):
    response = canned_response_save(actor=users["manager"], values=VALUES, now=now)
    assert (response.title, response.purpose, response.active) == ("致歉", "note", True)
    canned_response_save(actor=users["manager"], values={**VALUES, "body": "抱歉。"}, now=now, response_id=response.pk)
    response.refresh_from_db()
    assert response.body == "抱歉。"
    actions = list(
        AuditRecord.objects.filter(object_type="canned_response").values_list("action", flat=True).order_by("id")
    )
    assert actions == ["canned_response.created", "canned_response.updated"]


def test_an_agent_may_not_change_responses_and_nothing_is_written(users, now):
    with pytest.raises(PermissionDenied):
        canned_response_save(actor=users["agent"], values=VALUES, now=now)
    assert CannedResponse.objects.count() == 0
    assert AuditRecord.objects.filter(object_type="canned_response").count() == 0


def test_missing_fields_are_named_and_nothing_is_written(users, now):
    with pytest.raises(ValidationFailed) as caught:
        canned_response_save(
            actor=users["manager"], values={"title": " ", "body": "", "purpose": "x", "language": "fr"}, now=now
        )
    assert [e.field for e in caught.value.errors] == ["title", "body", "purpose", "language"]
    assert CannedResponse.objects.count() == 0
    assert AuditRecord.objects.filter(object_type="canned_response").count() == 0


def test_a_deactivated_response_is_no_longer_offered(users, now):
    response = canned_response_save(actor=users["manager"], values=VALUES, now=now)
    canned_response_set_active(actor=users["manager"], response_id=response.pk, active=False, now=now)
    assert list(canned_responses(purpose="note")) == []
    assert list(canned_responses(include_inactive=True)) == [response]
    assert AuditRecord.objects.filter(action="canned_response.deactivated").count() == 1


def test_the_readers_language_comes_first(users, now):
    english = canned_response_save(
        actor=users["manager"], values={**VALUES, "title": "Sorry", "language": "en"}, now=now
    )
    chinese = canned_response_save(actor=users["manager"], values=VALUES, now=now)
    assert list(canned_responses(purpose="note", language="en")) == [english, chinese]
    assert list(canned_responses(purpose="note", language="zh-hans")) == [chinese, english]
    assert list(canned_responses(purpose="solution")) == []
