"""The queue page as a browser gets it: links that work, landing queues, my work (IN-6)."""

from __future__ import annotations

import re

import pytest

from kesu.complaints.services.transitions import complaint_transition


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def test_tab_sort_and_page_links_carry_one_question_mark(as_user, register):
    for _ in range(26):
        register()
    html = as_user("agent").get("/?queue=all&channel=phone").content.decode()
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [h for h in hrefs if "??" in h]
    assert "?queue=unassigned&amp;channel=phone" in html  # a tab keeps the filters
    assert any(h.startswith("?queue=all&amp;channel=phone&amp;sort=received_at") for h in hrefs)  # sort header
    assert any(h.startswith("?queue=all&amp;channel=phone&amp;page=2") for h in hrefs)  # next page


@pytest.mark.parametrize(
    ("role", "landing"),
    [
        ("agent", "mine"),
        ("handler", "department"),
        ("supervisor", "approval"),
        ("manager", "approval"),
        ("gm", "major"),
        ("admin", "all"),
        ("auditor", "all"),
    ],
)
def test_each_role_lands_on_its_queue_shown_first(as_user, role, landing):
    response = as_user(role).get("/")
    assert response.context["result"].queue == landing
    assert response.context["result"].queues[0][0] == landing


def test_my_work_holds_what_the_agent_registered_until_it_is_handed_over(as_user, users, register, now):
    registered = register()  # by the agent
    acknowledged = register()
    complaint_transition(actor=users["agent"], number=acknowledged.number, action="acknowledge", payload={}, now=now)
    handed_over = register()
    complaint_transition(actor=users["agent"], number=handed_over.number, action="acknowledge", payload={}, now=now)
    complaint_transition(
        actor=users["supervisor"],
        number=handed_over.number,
        action="assign",
        payload={"department": "quality", "assignee": "handler"},
        now=now,
    )
    by_someone_else = register(actor=users["supervisor"])
    mine = numbers(as_user("agent").get("/?queue=mine"))
    assert sorted(mine) == sorted([registered.number, acknowledged.number])
    assert by_someone_else.number not in mine and handed_over.number not in mine
    assert handed_over.number in numbers(as_user("handler").get("/?queue=mine"))


def test_the_header_search_box_is_on_every_staff_page_with_the_user_once(as_user, users, register):
    users["agent"].first_name = "王芳"
    users["agent"].save(update_fields=["first_name"])
    complaint = register()
    for path in ("/", "/new/", f"/c/{complaint.number}/", "/notifications/"):
        html = as_user("agent").get(path).content.decode()
        assert 'role="search"' in html and 'action="/search/"' in html, path
    html = as_user("agent").get("/").content.decode()
    assert '<span class="user">王芳 · 客服代表</span>' in html
    assert html.count("王芳") == 1


def test_search_by_number_opens_the_complaint(as_user, register):
    complaint = register()
    response = as_user("agent").get("/search/", {"q": f" {complaint.number} "})
    assert response.status_code == 302
    assert response["Location"] == f"/c/{complaint.number}/"


def test_search_by_phone_lists_the_matches_across_all_queues(as_user, register):
    target = register(customer={"name": "钱七", "phone": "13600004321"})
    response = as_user("supervisor").get("/search/", {"q": "4321"})
    assert response.status_code == 302
    listed = as_user("supervisor").get(response["Location"])
    assert listed.context["result"].queue == "all"
    assert numbers(listed) == [target.number]
    assert "Showing what matches" in listed.content.decode() or "4321" in listed.content.decode()


def test_search_never_opens_a_complaint_the_user_may_not_see(as_user, register):
    elsewhere = register(category="service_attitude.rude")
    response = as_user("handler").get("/search/", {"q": elsewhere.number})
    assert response["Location"].startswith("/?")
    assert numbers(as_user("handler").get(response["Location"])) == []


def test_empty_search_goes_back_to_the_queues(as_user):
    assert as_user("agent").get("/search/", {"q": "  "})["Location"] == "/"


def test_a_search_in_the_queue_keeps_the_query_count_flat(as_user, register, django_assert_max_num_queries):
    for _ in range(30):
        register(description="冰箱 不制冷")
    client = as_user("supervisor")
    # session, user, categories, departments, the text match, the count, the page ids, the rows, the relevance order
    with django_assert_max_num_queries(9):
        response = client.get("/", {"queue": "all", "q": "冰箱"})
    assert response.context["page"].paginator.count == 30
    with django_assert_max_num_queries(8):
        assert client.get("/", {"queue": "all", "q": "13800131234"}).status_code == 200
