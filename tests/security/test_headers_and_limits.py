"""Limits and headers (issue 9, finding 6): the body limit also holds for multipart forms other
than the evidence uploads; pages carry a CSP and a Permissions-Policy; pages and API answers are
never stored by caches."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kesu.complaints.models import Complaint
from kesu.core.middleware import CONTENT_SECURITY_POLICY


def multipart(size: int) -> dict[str, str]:
    return {"username": "agent", "password": "x" * size}


def test_a_multipart_body_over_the_json_limit_is_refused(users, settings):
    settings.KESU_MAX_JSON_BODY = 10_000
    for path in ("/api/v1/complaints", "/api/v1/auth/token", "/login/", "/portal/track/"):
        response = Client(HTTP_ACCEPT_LANGUAGE="en").post(path, multipart(20_000))
        assert response.status_code == 413, path
        assert response.json()["errors"][0]["message"] == "The request body is too large."
    assert not Complaint.objects.exists()


def test_evidence_uploads_keep_their_own_limit(api, register, settings):
    settings.KESU_MAX_JSON_BODY = 10_000
    complaint = register()
    client = api("agent", language="en")
    upload = SimpleUploadedFile("note.txt", b"x" * 20_000, content_type="text/plain")
    response = client.client.post(
        f"/api/v1/complaints/{complaint.number}/attachments", {"file": upload}, **client.headers
    )
    assert response.status_code == 201, response.content


def test_pages_carry_csp_and_permissions_policy(as_user, db):
    for client, path in (
        (Client(), "/login/"),
        (Client(), "/portal/"),
        (as_user("manager"), "/"),
        (as_user("manager"), "/dashboard/"),
        (Client(), "/admin/login/"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "camera=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"]


def test_the_csp_needs_no_inline_script_or_style(as_user, register):
    complaint = register()
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    client = as_user("manager")
    for path in (
        "/login/",
        "/",
        "/dashboard/",
        "/new/",
        f"/c/{complaint.number}/",
        "/portal/",
        "/portal/new/",
        "/portal/track/",
    ):
        html = client.get(path).content.decode()
        scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert all('type="application/json"' in attrs for attrs in scripts), (path, scripts)
        assert not re.search(r"\sstyle=", html), path
        assert not re.search(r"<style", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_api_answers_with_personal_data_are_not_stored(api, register):
    complaint = register()
    client = api("agent")
    for path in ("/api/v1/complaints", f"/api/v1/complaints/{complaint.number}"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert "Content-Security-Policy" not in response  # JSON is not a page
    public = Client().get(f"/api/v1/public/complaints/{complaint.number}", {"contact": complaint.contact_phone})
    assert public["Cache-Control"] == "no-store"
