"""`kesu backup` and `kesu restore` (issue 9, item 12): a restored database verifies its audit chain."""

from __future__ import annotations

import stat

import pytest
from django.core.management import call_command

from kesu.audit.anchors import read_anchors
from kesu.audit.services import audit_seal, audit_verify
from kesu.complaints.models import Complaint
from kesu.complaints.services.transitions import complaint_transition

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_restored_backup_verifies_its_audit_chain(register, users, now, tmp_path, capsys):
    first = register()
    second = register()
    complaint_transition(
        actor=users["agent"], number=first.number, action="acknowledge", payload={"action": "acknowledge"}, now=now
    )
    audit_seal()
    assert audit_verify().ok
    backup = tmp_path / "kesu.backup"

    call_command("backup", output=str(backup))

    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    later = register()
    audit_seal()
    assert audit_verify().ok  # anchors the longer chain
    assert read_anchors()[-1].seq == 4

    call_command("restore", str(backup), yes=True)

    assert "audit trail OK (3 record(s))" in capsys.readouterr().out
    assert sorted(Complaint.objects.values_list("number", flat=True)) == sorted([first.number, second.number])
    assert not Complaint.objects.filter(number=later.number).exists()
    assert Complaint.objects.get(number=first.number).status == "acknowledged"
    result = audit_verify()
    assert (result.ok, result.checked) == (True, 3)
    assert [a.kind for a in read_anchors()][-1] == "restore"


def test_a_tail_deleted_after_a_restore_is_still_reported(register, tmp_path):
    register()
    audit_seal()
    backup = tmp_path / "kesu.backup"
    call_command("backup", output=str(backup))
    call_command("restore", str(backup), yes=True)
    register()
    audit_seal()
    assert audit_verify().ok  # head at 2, anchored after the restore
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditrecord WHERE chain_seq = 2")
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = 1, last_hash = "
            "(SELECT chain_hash FROM audit_auditrecord WHERE chain_seq = 1) WHERE id = 1"
        )

    result = audit_verify()

    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert result.reason.startswith("records missing at the end of the chain: the head is at sequence 1")


def test_evidence_files_are_backed_up_and_restored_with_media(register, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "evidence" / "202611").mkdir(parents=True)
    photo = tmp_path / "media" / "evidence" / "202611" / "photo.png"
    photo.write_bytes(b"\x89PNG evidence")
    backup = tmp_path / "kesu.backup"

    call_command("backup", output=str(backup), media=True)
    photo.unlink()
    call_command("restore", str(backup), yes=True, media=str(backup) + ".media.tar.gz")

    assert photo.read_bytes() == b"\x89PNG evidence"
    assert stat.S_IMODE((tmp_path / "kesu.backup.media.tar.gz").stat().st_mode) == 0o600
