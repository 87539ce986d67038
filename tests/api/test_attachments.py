from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Attachment, ComplaintEvent

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _client(api, role="agent"):
    signed = api(role)
    client = Client()
    return client, signed.headers


def test_upload_png_is_stored_and_listed(api, register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = register()
    client, headers = _client(api)
    response = client.post(
        f"/api/v1/complaints/{complaint.number}/attachments",
        {"file": SimpleUploadedFile("破损.png", PNG, content_type="image/png"), "description": "外包装照片"},
        **headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["content_type"] == "image/png"
    assert body["size"] == len(PNG)
    listed = client.get(f"/api/v1/complaints/{complaint.number}/attachments", **headers).json()
    assert [a["name"] for a in listed] == ["破损.png"]
    content = client.get(f"/api/v1/complaints/{complaint.number}/attachments/{body['id']}/content", **headers)
    assert b"".join(content.streaming_content) == PNG
    assert ComplaintEvent.objects.filter(complaint=complaint, kind="evidence_added").count() == 1


def test_executable_renamed_as_png_is_refused_and_nothing_stored(api, register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = register()
    client, headers = _client(api)
    events, audits = ComplaintEvent.objects.count(), AuditRecord.objects.count()
    response = client.post(
        f"/api/v1/complaints/{complaint.number}/attachments",
        {"file": SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 100)},
        **headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert Attachment.objects.count() == 0
    assert (ComplaintEvent.objects.count(), AuditRecord.objects.count()) == (events, audits)
    assert list(tmp_path.rglob("*.*")) == []


def test_too_large_file_is_refused(api, register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.KESU_MAX_UPLOAD_BYTES = 100
    complaint = register()
    client, headers = _client(api)
    response = client.post(
        f"/api/v1/complaints/{complaint.number}/attachments",
        {"file": SimpleUploadedFile("big.png", PNG + b"\x00" * 100)},
        **headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert Attachment.objects.count() == 0


def test_auditor_cannot_upload(api, register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    complaint = register()
    client, headers = _client(api, "auditor")
    response = client.post(
        f"/api/v1/complaints/{complaint.number}/attachments", {"file": SimpleUploadedFile("a.png", PNG)}, **headers
    )
    assert response.status_code == 403
    assert Attachment.objects.count() == 0
