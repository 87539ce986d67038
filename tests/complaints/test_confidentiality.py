"""PV-1: the confidentiality level narrows who reads a complaint and its documents, everywhere
(selectors, API, workspace, print); setting it is the manager's, audited; refusals write nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.accounts.models import Role
from kesu.audit.models import AuditRecord
from kesu.complaints.confidentiality import confidentiality_set, document_confidentiality_set
from kesu.complaints.models import Attachment, Complaint, ComplaintEvent, NamedReader
from kesu.complaints.selectors import complaint_list, visible_complaints
from kesu.core.errors import NotFound, PermissionDenied, ValidationFailed

from ..conftest import make_user

pytestmark = pytest.mark.django_db


def everything() -> tuple[object, ...]:
    return (
        list(Complaint.objects.order_by("id").values_list("number", "confidentiality", "updated_at")),
        list(NamedReader.objects.order_by("id").values_list("complaint_id", "user_id")),
        ComplaintEvent.objects.count(),
        AuditRecord.objects.count(),
        list(Attachment.objects.order_by("id").values_list("id", "confidentiality")),
    )


@pytest.fixture
def second_manager(db):
    return make_user("manager2", Role.MANAGER, "customer_service")


def test_top_secret_is_read_by_named_people_only(register, users, second_manager, now):
    complaint = register()
    confidentiality_set(
        actor=users["manager"], number=complaint.number, level="top_secret", readers=["gm"], reason="涉及高管", now=now
    )
    visible = {
        role: visible_complaints(users[role]).filter(pk=complaint.pk).exists()
        for role in ("admin", "agent", "supervisor", "manager", "handler", "gm", "auditor")
    }
    assert visible == {
        "admin": False,
        "agent": False,  # it registered the complaint: not enough for 绝密
        "supervisor": False,
        "manager": True,  # named with the level it set
        "handler": False,
        "gm": True,
        "auditor": False,
    }
    assert not visible_complaints(second_manager).filter(pk=complaint.pk).exists()


def test_a_manager_not_named_gets_404_through_the_api_and_the_workspace_and_nothing_is_written(
    register, users, second_manager, now, api
):
    complaint = register()
    confidentiality_set(
        actor=users["manager"], number=complaint.number, level="top_secret", readers=[], reason="诉讼", now=now
    )
    before = everything()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(second_manager)
    assert client.get(f"/c/{complaint.number}/").status_code == 404
    assert client.get(f"/c/{complaint.number}/record/print/").status_code == 404
    assert client.get(f"/c/{complaint.number}/confidentiality/").status_code == 404
    assert client.post(f"/c/{complaint.number}/act/acknowledge/", {}).status_code == 404
    assert complaint.number not in client.get("/", {"queue": "all"}).content.decode()
    assert complaint.number not in client.get("/search/", {"q": complaint.number}).content.decode()
    with pytest.raises(NotFound):
        confidentiality_set(actor=second_manager, number=complaint.number, level="normal", now=now)
    assert everything() == before
    # The API as well: as if it did not exist.
    from kesu.accounts.services import token_issue

    from ..conftest import PASSWORD

    token = token_issue(username="manager2", password=PASSWORD, now=now)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    response = Client().get(f"/api/v1/complaints/{complaint.number}", **headers)
    assert response.status_code == 404
    listed = Client().get("/api/v1/complaints", {"q": complaint.number}, **headers).json()
    assert complaint.number not in [c["number"] for c in listed["results"]]
    assert everything() == before


def test_secret_is_read_by_managers_the_assignee_and_the_recorder(register, users, now):
    complaint = register()
    confidentiality_set(actor=users["manager"], number=complaint.number, level="secret", now=now)
    readers = {r for r in users if visible_complaints(users[r]).filter(pk=complaint.pk).exists()}
    assert readers == {"admin", "agent", "manager", "gm"}  # agent registered it
    Complaint.objects.filter(pk=complaint.pk).update(assignee=users["handler"])
    assert visible_complaints(users["handler"]).filter(pk=complaint.pk).exists()


def test_setting_the_level_is_audited_and_in_the_timeline(register, users, now):
    complaint = register()
    confidentiality_set(
        actor=users["manager"], number=complaint.number, level="secret", readers=["handler"], reason="x", now=now
    )
    event = complaint.events.get(kind="confidentiality_set")
    assert (event.data["from"], event.data["to"]) == ("normal", "secret")
    assert event.data["readers_to"] == ["handler", "manager"]
    record = AuditRecord.objects.get(action="complaint.confidentiality", object_id=complaint.number)
    assert record.data["to"] == "secret"
    assert visible_complaints(users["handler"]).filter(pk=complaint.pk).exists()  # named


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_other_roles_may_not_set_it_and_nothing_is_written(register, users, now, role):
    complaint = register()
    before = everything()
    with pytest.raises(PermissionDenied):
        confidentiality_set(actor=users[role], number=complaint.number, level="secret", now=now)
    assert everything() == before


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"level": "classified"}, "level"),
        ({"level": "secret", "readers": ["nobody"]}, "readers"),
        ({"level": "top_secret", "reason": ""}, "reason"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(register, users, now, values, field):
    complaint = register()
    before = everything()
    with pytest.raises(ValidationFailed) as refused:
        confidentiality_set(actor=users["manager"], number=complaint.number, now=now, **values)
    assert refused.value.errors[0].field == field
    assert everything() == before


def test_documents_carry_their_own_level(register, users, now):
    from django.core.files.base import ContentFile

    complaint = register()
    attachment = Attachment(
        complaint=complaint,
        original_name="合同.pdf",
        content_type="application/pdf",
        size=4,
        sha256="0" * 64,
        uploaded_at=now,
    )
    attachment.file.save("contract.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    document_confidentiality_set(
        actor=users["manager"], number=complaint.number, attachment_id=attachment.pk, level="top_secret", now=now
    )
    assert AuditRecord.objects.filter(action="attachment.confidentiality").count() == 1
    from kesu.complaints.services.evidence import attachment_get

    with pytest.raises(NotFound):  # the agent reads the complaint, not the top-secret document
        attachment_get(complaint=complaint, attachment_id=attachment.pk, user=users["agent"])
    client = Client()
    client.force_login(users["agent"])
    assert client.get(f"/c/{complaint.number}/evidence/{attachment.pk}/").status_code == 404
    assert "合同.pdf" not in client.get(f"/c/{complaint.number}/").content.decode()
    before = everything()
    with pytest.raises(PermissionDenied):
        document_confidentiality_set(
            actor=users["agent"], number=complaint.number, attachment_id=attachment.pk, level="normal", now=now
        )
    assert everything() == before


def test_the_level_is_shown_on_the_page_the_list_and_the_printed_form(register, users, now):
    complaint = register()
    confidentiality_set(actor=users["manager"], number=complaint.number, level="secret", now=now)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["manager"])
    for url in (f"/c/{complaint.number}/", f"/c/{complaint.number}/record/print/", "/?queue=all"):
        body = client.get(url).content.decode()
        assert 'data-testid="confidentiality"' in body, url
        assert "秘密" in body, url


def test_lists_keep_their_query_count(register, users, now, django_assert_max_num_queries):
    from kesu.complaints.selectors import ComplaintFilters

    for _ in range(3):
        register()
    with django_assert_max_num_queries(1):
        list(complaint_list(user=users["handler"], filters=ComplaintFilters(), now=now)[:20])


def test_the_export_carries_the_level_and_leaves_out_what_the_reader_may_not_see(register, users, now):
    import csv
    import io

    secret, top = register(), register()
    confidentiality_set(actor=users["manager"], number=secret.number, level="secret", now=now)
    confidentiality_set(actor=users["manager"], number=top.number, level="top_secret", reason="诉讼", now=now)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["supervisor"])
    Complaint.objects.filter(pk=secret.pk).update(assignee=users["supervisor"])
    response = client.post("/queue/bulk/", {"bulk_action": "export", "numbers": [secret.number, top.number]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "密级"
    assert [(r[0], r[-1]) for r in rows[1:]] == [(secret.number, "秘密")]
