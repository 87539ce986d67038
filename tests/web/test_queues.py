from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kesu.complaints.models import Complaint


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def test_queue_lists_visible_complaints_newest_first(as_user, register, now):
    older = register(now_=now - dt.timedelta(hours=2), received_at=(now - dt.timedelta(hours=2)).isoformat())
    newer = register()
    response = as_user("agent").get("/")
    assert response.status_code == 200
    assert numbers(response)[:2] == [newer.number, older.number]


def test_handler_sees_only_the_department_and_own_work(as_user, register, complaint_in):
    mine = complaint_in("assigned")  # assigned to the handler in 品质部
    elsewhere = register(category="service_attitude.rude")  # routed to customer service
    response = as_user("handler").get("/?queue=all")
    assert mine.number in numbers(response)
    assert elsewhere.number not in numbers(response)
    assert response.context["result"].queue == "all"
    default = as_user("handler").get("/")
    assert default.context["result"].queue == "department"  # a handler lands on their department
    assert numbers(default) == [mine.number]


def test_unassigned_major_and_callback_queues(as_user, register, complaint_in):
    unassigned = register()
    major = register(severity="major")
    resolved = complaint_in("resolved")
    client = as_user("agent")
    assert unassigned.number in numbers(client.get("/?queue=unassigned"))
    assert resolved.number not in numbers(client.get("/?queue=unassigned"))
    assert numbers(client.get("/?queue=major")) == [major.number]
    assert numbers(client.get("/?queue=callback")) == [resolved.number]


def test_overdue_queue_holds_complaints_past_a_deadline(as_user, register, now):
    late = register(received_at=(now - dt.timedelta(days=3)).isoformat())
    Complaint.objects.filter(pk=late.pk).update(acknowledge_due=now - dt.timedelta(hours=1))
    on_time = register()
    found = numbers(as_user("supervisor").get("/?queue=overdue"))
    assert late.number in found
    assert on_time.number not in found


def test_approval_queue_shows_what_the_approver_may_approve(as_user, complaint_in):
    pending = complaint_in("solution_proposed")  # refund 50 proposed by the handler: needs approval
    assert numbers(as_user("supervisor").get("/?queue=approval")) == [pending.number]  # limit 100
    agent = as_user("agent").get("/?queue=approval")  # limit 20
    assert numbers(agent) == []
    handler = as_user("handler").get("/?queue=approval")
    assert handler.context["result"].queue == "department"  # handlers have no approval queue


def test_filters_search_sort_and_page_keep_their_state_in_the_url(as_user, register, now):
    for i in range(27):
        register(
            description=f"快递延误 第{i}次",
            channel="phone",
            category="logistics.late",
            received_at=(now - dt.timedelta(minutes=i)).isoformat(),
        )
    register(description="另一件事", channel="email")
    client = as_user("agent")
    first = client.get("/", {"channel": "phone", "q": "快递", "sort": "received_at"})
    assert first.context["page"].paginator.count == 27
    assert len(numbers(first)) == 25
    second = client.get("/", {"channel": "phone", "q": "快递", "sort": "received_at", "page": 2})
    assert len(numbers(second)) == 2
    html = first.content.decode()
    # The pager link carries the filters along.
    assert "page=2" in html and "channel=phone" in html and "sort=received_at" in html
    oldest = Complaint.objects.filter(channel="phone").order_by("received_at").first()
    assert numbers(first)[0] == oldest.number
    category = client.get("/", {"category": "logistics"})
    assert category.context["page"].paginator.count == 27


def test_day_filter_uses_the_local_date(as_user, register, now):
    today = timezone.localtime(now).date()
    register(received_at=(now - dt.timedelta(days=2)).isoformat())
    fresh = register()
    assert numbers(as_user("agent").get("/", {"day": today.isoformat()})) == [fresh.number]


def test_htmx_request_gets_the_same_queue(as_user, register):
    register()
    response = as_user("agent").get("/?queue=unassigned", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b'id="queue"' in response.content


def test_phone_numbers_are_masked_for_roles_without_personal_data(as_user, register):
    register(customer={"name": "王五", "phone": "13912345678"})
    assert "13912345678" in as_user("agent").get("/").content.decode()
    gm = as_user("gm").get("/?queue=all").content.decode()
    assert "13912345678" not in gm
    assert "139****5678" in gm


def test_user_text_is_escaped(as_user, register):
    register(title="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    html = as_user("agent").get("/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_queue_page_query_count_does_not_grow_with_rows(as_user, register, django_assert_max_num_queries):
    for _ in range(30):
        register()
    client = as_user("supervisor")
    with django_assert_max_num_queries(8):
        response = client.get("/?queue=approval")
    assert response.status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/").status_code == 200
