"""The supervision pages: CAPA from one or many complaints, complete, verify; quality-review
samples and reviews; the roll-up. Permissions, refusals that write nothing, kept values."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kesu.audit.models import AuditRecord
from kesu.supervision.models import CapaStatus, CorrectiveAction, QualityReview, SampleRun
from tests.supervision.conftest import everything

pytestmark = pytest.mark.django_db


def _due(days: int = 7) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _capa_post(numbers: list[str], **overrides: str) -> dict[str, str]:
    data = {
        "complaints": "\n".join(numbers),
        "title": "包装密封改进",
        "actions": "提高封口温度，增加抽检。",
        "owner": "handler",
        "due_at": _due(),
        "nonconformity": "",
        "root_cause": "",
    }
    data.update(overrides)
    return data


def test_the_new_capa_page_takes_the_selection_from_repeated_parameters(as_user, register):
    first, second = register(title="酸奶过期"), register(title="牛奶异味")
    response = as_user("manager").get(f"/capas/new/?complaints={first.number}&complaints={second.number}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{first.number}\n{second.number}" in html and "酸奶过期" in html and "牛奶异味" in html
    assert "客服经理" in html  # owner choices are labelled by name and role, grouped by department


def test_manager_opens_a_capa_for_two_complaints_then_it_is_completed_and_verified(as_user, register):
    first, second = register(), register()
    manager = as_user("manager")
    response = manager.post("/capas/new/", _capa_post([first.number, second.number]))
    capa = CorrectiveAction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/capas/{capa.pk}/"
    assert sorted(c.number for c in capa.complaints.all()) == sorted([first.number, second.number])
    page = manager.get(f"/capas/{capa.pk}/").content.decode()
    assert "包装密封改进" in page and "报告措施已完成" in page  # a manager may report it done
    complaint_page = manager.get(f"/c/{first.number}/").content.decode()
    assert f"CAPA-{capa.pk}" in complaint_page and "创建纠正预防措施" in complaint_page
    assert as_user("handler").post(f"/capas/{capa.pk}/complete/", {"note": "已调整封口温度。"}).status_code == 302
    assert not as_user("handler").get(f"/capas/{capa.pk}/").context["can_verify"]  # never the owner
    assert manager.post(f"/capas/{capa.pk}/verify/", {"effective": "yes", "note": "连续三批合格。"}).status_code == 302
    capa.refresh_from_db()
    assert capa.status == CapaStatus.VERIFIED
    assert list(AuditRecord.objects.filter(object_type="capa").order_by("id").values_list("action", flat=True)) == [
        "capa.created",
        "capa.completed",
        "capa.verified",
    ]


def test_a_refused_capa_keeps_what_was_typed_names_the_fields_and_writes_nothing(as_user, register):
    complaint = register()
    before = everything()
    response = as_user("manager").post(
        "/capas/new/", _capa_post([complaint.number, "209901-99999"], actions="", title="我的标题", due_at="")
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert "209901-99999" in form.errors["complaints"][0]
    assert set(form.errors) >= {"complaints", "actions", "due_at"}
    html = response.content.decode()
    assert "我的标题" in html and complaint.number in html
    assert everything() == before


@pytest.mark.parametrize("role", ["agent", "auditor"])
def test_roles_that_may_not_open_a_capa_get_403_and_nothing_is_written(as_user, register, role):
    complaint = register()
    before = everything()
    client = as_user(role)
    assert client.get(f"/capas/new/?complaints={complaint.number}").status_code == 403
    assert client.post("/capas/new/", _capa_post([complaint.number])).status_code == 403
    assert everything() == before
    assert "创建纠正预防措施" not in client.get(f"/c/{complaint.number}/").content.decode()


def test_verifying_as_not_effective_needs_a_new_due_date_and_keeps_the_note(as_user, register):
    complaint = register()
    manager = as_user("manager")
    manager.post("/capas/new/", _capa_post([complaint.number]))
    capa = CorrectiveAction.objects.get()
    as_user("handler").post(f"/capas/{capa.pk}/complete/", {"note": "已整改。"})
    before = everything()
    response = manager.post(f"/capas/{capa.pk}/verify/", {"effective": "no", "note": "仍有不良", "due_at": ""})
    assert response.status_code == 422
    assert "due_at" in response.context["verify_form"].errors and "仍有不良" in response.content.decode()
    assert everything() == before


def test_the_capa_list_filters_by_status(as_user, register):
    manager = as_user("manager")
    manager.post("/capas/new/", _capa_post([register().number], title="待处理的措施"))
    assert "待处理的措施" in manager.get("/capas/").content.decode()
    assert "待处理的措施" not in manager.get("/capas/?status=verified").content.decode()


# --- quality review -------------------------------------------------------------------------


@pytest.fixture
def closed_today(register, users):
    """Three complaints settled on the spot (so closed) two days ago."""
    when = timezone.now() - dt.timedelta(days=2)
    return [
        register(
            actor=users["agent"],
            now_=when,
            received_at=when.isoformat(),
            settlement={"kind": "on_the_spot", "result": "当场退款。"},
        )
        for _ in range(3)
    ]


def test_manager_draws_a_sample_and_reviews_one(as_user, closed_today):
    manager = as_user("manager")
    today = timezone.localdate()
    response = manager.post(
        "/review/",
        {"period_start": (today - dt.timedelta(days=7)).isoformat(), "period_end": today.isoformat(), "size": "2"},
    )
    run = SampleRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/review/{run.pk}/"
    review = run.reviews.first()
    page = manager.get(f"/review/{run.pk}/").content.decode()
    assert review.complaint.number in page
    assert (
        manager.post(
            f"/review/item/{review.pk}/", {f"r{review.pk}-score": "85", f"r{review.pk}-findings": "答复及时。"}
        ).status_code
        == 302
    )
    review.refresh_from_db()
    assert (review.score, review.findings) == (85, "答复及时。")


def test_a_bad_review_keeps_the_findings_and_writes_nothing(as_user, closed_today):
    manager = as_user("manager")
    today = timezone.localdate()
    manager.post(
        "/review/",
        {"period_start": (today - dt.timedelta(days=7)).isoformat(), "period_end": today.isoformat(), "size": "2"},
    )
    review = QualityReview.objects.first()
    before = everything()
    response = manager.post(
        f"/review/item/{review.pk}/", {f"r{review.pk}-score": "120", f"r{review.pk}-findings": "流程规范"}
    )
    assert response.status_code == 422
    assert "流程规范" in response.content.decode() and "0" in str(response.context["rows"][0]["form"].errors)
    assert everything() == before


def test_a_bad_sample_request_names_the_field_and_draws_nothing(as_user, closed_today):
    before = everything()
    response = as_user("manager").post(
        "/review/", {"period_start": "2026-11-30", "period_end": "2026-11-01", "size": "5"}
    )
    assert response.status_code == 422 and "period_end" in response.context["form"].errors
    assert everything() == before


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_review_pages_are_for_the_supervision_team(as_user, role):
    client = as_user(role)
    assert client.get("/review/").status_code == 403
    assert client.get("/rollup/").status_code == 403
    assert (
        client.post("/review/", {"period_start": "2026-11-01", "period_end": "2026-11-30", "size": "5"}).status_code
        == 403
    )
    assert SampleRun.objects.count() == 0


def test_the_auditor_reads_samples_and_the_rollup_but_draws_nothing(as_user, closed_today):
    auditor = as_user("auditor")
    page = auditor.get("/review/").content.decode()
    assert page and 'action="/review/"' not in page
    assert auditor.get("/rollup/").status_code == 200
    assert (
        auditor.post("/review/", {"period_start": "2026-11-01", "period_end": "2026-11-30", "size": "5"}).status_code
        == 403
    )


def test_the_rollup_shows_departments_and_people_for_the_period(as_user, closed_today):
    today = timezone.localdate()
    response = as_user("manager").get(
        "/rollup/", {"date_from": (today - dt.timedelta(days=7)).isoformat(), "date_to": today.isoformat()}
    )
    assert response.status_code == 200
    assert response.context["result"] is not None
    bad = as_user("manager").get("/rollup/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert bad.status_code == 422 and "date_to" in bad.context["form"].errors


def test_navigation_offers_the_pages_by_role(as_user):
    manager = as_user("manager").get("/").content.decode()
    for label in ("纠正预防措施", "质量抽检", "责任汇总", "配置"):
        assert label in manager
    agent = as_user("agent").get("/").content.decode()
    assert "质量抽检" not in agent and "配置" not in agent
