"""Evidence files are written before the registering transaction opens (issue 9, item 9): file
I/O never holds the database's write lock, and a refused registration leaves no file behind."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection

from kesu.complaints.models import Attachment, Complaint
from kesu.complaints.services.evidence import attachment_add
from kesu.complaints.services.intake_files import Upload, staff_register
from kesu.core.errors import ValidationFailed
from tests.conftest import intake_payload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def writes(monkeypatch, settings, tmp_path):
    """Whether a transaction was open each time a file was written."""
    settings.MEDIA_ROOT = tmp_path
    seen: list[bool] = []
    original = FileSystemStorage._save

    def _save(self, name, content):
        seen.append(connection.in_atomic_block)
        return original(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", _save)
    return seen


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_intake_files_are_written_with_no_transaction_open(users, now, writes, tmp_path):
    complaint = staff_register(
        actor=users["agent"],
        payload=intake_payload(),
        uploads=[Upload(io.BytesIO(PNG), "a.png", len(PNG)), Upload(io.BytesIO(PNG), "b.png", len(PNG))],
        now=now,
    )

    assert writes == [False, False]
    stored = list(Attachment.objects.filter(complaint=complaint).values_list("file", flat=True))
    assert len(stored) == 2 and all((tmp_path / name).exists() for name in stored)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_added_file_is_written_with_no_transaction_open(register, users, now, writes, tmp_path):
    complaint = register()

    attachment = attachment_add(
        actor=users["agent"],
        complaint=complaint,
        upload=io.BytesIO(PNG),
        name="c.png",
        size=len(PNG),
        description="",
        now=now,
    )

    assert writes == [False]
    assert (tmp_path / attachment.file.name).read_bytes() == PNG


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_refused_registration_leaves_no_file(users, now, writes, tmp_path, monkeypatch):
    from kesu.complaints.services import intake_files

    def refuse(**kwargs):
        raise ValidationFailed([])

    monkeypatch.setattr(intake_files, "complaint_register", refuse)
    with pytest.raises(ValidationFailed):
        staff_register(
            actor=users["agent"],
            payload=intake_payload(),
            uploads=[Upload(io.BytesIO(PNG), "a.png", len(PNG))],
            now=now,
        )

    assert writes == [False]
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert (Complaint.objects.count(), Attachment.objects.count()) == (0, 0)
