"""Workspace pages of imports, referrals, the suggestion box and WeChat Pay complaints."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.imports.models import BatchState, ImportBatch
from kesu.platforms.models import Referral, SuggestionBatch, SuggestionCard

CSV = (
    "投诉时间,顾客姓名,电话,投诉内容,订单号,渠道,外部编号\n"
    "2026-11-02 20:00,王五,13800138000,试衣间太少,SO-1,意见单,W1\n"
    "2026-11-02 20:30,赵六,12345,收银排队太久,,电话,W2\n"
)


def test_the_hub_is_in_the_menu_for_front_desk_roles_only(as_user):
    page = as_user("agent").get("/")
    assert "/intake/" in page.content.decode()
    assert as_user("agent").get("/intake/").status_code == 200
    assert as_user("handler").get("/intake/").status_code == 403
    assert "/intake/" not in as_user("auditor").get("/").content.decode()


def test_upload_preview_names_the_bad_row_then_imports_the_good_one(as_user, django_capture_on_commit_callbacks):
    client = as_user("agent")
    upload = SimpleUploadedFile("cards.csv", CSV.encode(), content_type="text/csv")
    response = client.post("/intake/import/", {"file": upload, "preset": "generic"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intake/import/{batch.pk}/"
    preview = client.get(f"/intake/import/{batch.pk}/").content.decode()
    assert "<td>3</td><td>电话</td>" in preview
    assert Complaint.objects.count() == 0
    form = {f"col_{i}": key for i, key in batch.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/intake/import/{batch.pk}/", {**form, "go": "import"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == BatchState.DONE
    assert (batch.created_count, batch.rejected_count) == (1, 1)
    assert list(Complaint.objects.values_list("external_ref", flat=True)) == ["W1"]
    done = client.get(f"/intake/import/{batch.pk}/progress/").content.decode()
    assert 'value="2"' in done and "收银排队太久" not in done


def test_a_mapping_that_uses_a_field_twice_is_refused_and_kept(as_user):
    client = as_user("agent")
    client.post("/intake/import/", {"file": SimpleUploadedFile("a.csv", CSV.encode()), "preset": "generic"})
    batch = ImportBatch.objects.get()
    form = {f"col_{i}": key for i, key in batch.mapping.items()}
    form["col_4"] = "customer_name"
    response = client.post(f"/intake/import/{batch.pk}/", {**form, "go": "check"})
    assert response.status_code == 422
    assert "已被" in response.content.decode() or "already taken" in response.content.decode()
    batch.refresh_from_db()
    assert batch.mapping["4"] == "order_no"


def test_an_upload_without_a_file_names_the_field(as_user):
    response = as_user("agent").post("/intake/import/", {"preset": "generic"})
    assert response.status_code == 422
    assert ImportBatch.objects.count() == 0


def test_historical_mode_is_offered_to_supervisors_not_agents(as_user):
    assert 'name="historical"' not in as_user("agent").get("/intake/import/").content.decode()
    assert 'name="historical"' in as_user("supervisor").get("/intake/import/").content.decode()


def _referral(**overrides):
    now = timezone.localtime()
    values = {
        "body": "12315",
        "body_name": "某区市场监督管理局",
        "reference": "12315-2026-000123",
        "arrived_at": (now - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "due_at": (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
        "customer_name": "李四",
        "customer_phone": "13900139000",
        "description": "购买的电热水壶漏电。",
        "demand": "退货退款",
    }
    values.update(overrides)
    return values


def test_referral_registration_sets_the_bodys_deadline_and_the_reply_page(as_user, now):
    client = as_user("agent")
    response = client.post("/intake/referrals/new/", _referral())
    referral = Referral.objects.get()
    assert response.status_code == 302
    complaint = referral.complaint
    assert complaint.channel == "regulator"
    assert complaint.close_due == referral.due_at
    assert referral.registered_on_time is True
    report = {
        "result": "已为消费者办理退货退款。",
        "settled": "yes",
        "settlement_amount": "199.00",
        "contact_person": "客服 小王",
        "contact_phone": "021-12345678",
    }
    assert client.post(f"/intake/referrals/{referral.pk}/", report).status_code == 302
    reply = client.get(f"/intake/referrals/{referral.pk}/reply/").content.decode()
    assert "12315-2026-000123" in reply and "199.00" in reply and "已为消费者办理退货退款。" in reply


def test_a_bad_referral_keeps_what_was_typed_and_stores_nothing(as_user):
    response = as_user("agent").post("/intake/referrals/new/", _referral(customer_phone="123", due_at=""))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="12315-2026-000123"' in html and "购买的电热水壶漏电。" in html
    assert Referral.objects.count() == 0 and Complaint.objects.count() == 0


def test_the_same_referral_twice_is_refused(as_user):
    client = as_user("agent")
    client.post("/intake/referrals/new/", _referral())
    response = client.post("/intake/referrals/new/", _referral())
    assert response.status_code == 422
    assert Referral.objects.count() == 1


def test_a_referral_registered_after_a_working_day_is_marked_late(as_user):
    long_ago = (timezone.localtime() - dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    as_user("agent").post("/intake/referrals/new/", _referral(arrived_at=long_ago))
    assert Referral.objects.get().registered_on_time is False


def test_opinion_cards_are_entered_numbered_and_reconciled(as_user):
    client = as_user("agent")
    today = timezone.localdate().isoformat()
    response = client.post("/intake/box/", {"box": "一楼服务台意见箱", "opened_on": today, "card_count": "3"})
    batch = SuggestionBatch.objects.get()
    assert response["Location"] == f"/intake/box/{batch.pk}/"
    page = client.get(f"/intake/box/{batch.pk}/").content.decode()
    assert 'name="number" value="1"' in page
    client.post(
        f"/intake/box/{batch.pk}/",
        {
            "number": "1",
            "outcome": "complaint",
            "customer_name": "王五",
            "customer_phone": "13800138000",
            "description": "收银员态度差",
        },
    )
    client.post(f"/intake/box/{batch.pk}/", {"number": "2", "outcome": "blank", "description": ""})
    refused = client.post(f"/intake/box/{batch.pk}/reconcile/")
    assert refused.status_code == 302
    batch.refresh_from_db()
    assert batch.closed_at is None
    duplicate = client.post(f"/intake/box/{batch.pk}/", {"number": "2", "outcome": "praise", "description": "好"})
    assert duplicate.status_code == 422
    client.post(f"/intake/box/{batch.pk}/", {"number": "3", "outcome": "praise", "description": "环境很好"})
    client.post(f"/intake/box/{batch.pk}/reconcile/")
    batch.refresh_from_db()
    assert batch.closed_at is not None
    assert SuggestionCard.objects.count() == 3
    complaint = Complaint.objects.get()
    assert complaint.channel == "suggestion_box" and complaint.external_ref == f"card:{batch.pk}:1"


def test_list_pages_read_a_fixed_number_of_queries(as_user, django_assert_num_queries):
    client = as_user("agent")
    for n in range(3):
        client.post("/intake/referrals/new/", _referral(reference=f"R-{n}", customer_phone=f"1390013900{n}"))
    client.get("/intake/referrals/")
    with django_assert_num_queries(3):
        assert client.get("/intake/referrals/").status_code == 200
    today = timezone.localdate()
    for n in range(3):
        client.post("/intake/box/", {"box": f"箱{n}", "opened_on": today.isoformat(), "card_count": "2"})
    with django_assert_num_queries(4):
        assert client.get("/intake/box/").status_code == 200
