"""A change that writes several outbox rows asks for one delivery run after commit."""

from kesu.notifications.models import OutboxMessage


def test_major_complaint_notifies_two_people_with_one_delivery_run(register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        complaint = register(description="顾客在店内摔倒受伤，已送医")
    assert complaint.severity == "major"
    assert OutboxMessage.objects.filter(complaint=complaint, kind="major_complaint").count() == 2
    assert [getattr(c, "kesu_task", None) for c in callbacks].count("deliver_outbox") == 1
