"""GET /api/v1/complaints?q= uses the same matching as the workspace (kesu.complaints.search)."""

from __future__ import annotations


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["number"] for row in response.json()["results"]]


def test_q_finds_by_phone_tail_order_and_lot_within_what_the_caller_sees(api, register):
    target = register(
        customer={"name": "周杰", "phone": "13500002468"},
        product={"name": "台灯", "lot": "L-555", "order_no": "ORD-42"},
    )
    elsewhere = register(category="service_attitude.rude", customer={"name": "周杰", "phone": "13500012468"})
    agent = api("agent")
    assert numbers(agent.get("/api/v1/complaints", q="2468")) == [elsewhere.number, target.number]
    assert numbers(agent.get("/api/v1/complaints", q="ORD-42")) == [target.number]
    assert numbers(agent.get("/api/v1/complaints", q="L-555")) == [target.number]
    assert numbers(agent.get("/api/v1/complaints", q=target.number)) == [target.number]
    # The handler (品质部) never finds the customer-service complaint, and sees phones masked.
    handler = api("handler").get("/api/v1/complaints", q="2468")
    assert numbers(handler) == [target.number]
    assert "13500002468" not in handler.content.decode()


def test_q_costs_a_fixed_number_of_queries_whatever_it_finds(api, register, django_assert_num_queries):
    for index in range(5):
        register(title=f"退款{index}", description="快递丢件，要求退款。")
    client = api("agent")
    # token; the page's ids by relevance with the count (one statement, search_page); its rows
    with django_assert_num_queries(3):
        response = client.get("/api/v1/complaints", q="退款")
    assert len(numbers(response)) == 5
    with django_assert_num_queries(3):  # newest first: the same statement without the ranking
        assert len(numbers(client.get("/api/v1/complaints", q="退款", sort="-received_at"))) == 5
    with django_assert_num_queries(3):  # a full page: its count is in the same statement
        assert len(numbers(client.get("/api/v1/complaints", q="退款", page_size=2))) == 2
    with django_assert_num_queries(2):  # nothing found: no rows to read
        assert numbers(client.get("/api/v1/complaints", q="浴室")) == []


def test_with_q_the_count_is_exact_up_to_its_cap_then_a_lower_bound(api, register, monkeypatch):
    from kesu.complaints import search

    for index in range(5):
        register(title=f"退款{index}", description="快递丢件，要求退款。")
    client = api("agent")
    body = client.get("/api/v1/complaints", q="退款", page_size=2).json()
    assert (body["count"], body["count_exact"]) == (5, True)
    monkeypatch.setattr(search, "COUNT_CAP", 3)
    body = client.get("/api/v1/complaints", q="退款", page_size=2).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, False, 2)
    body = client.get("/api/v1/complaints", q="退款", page_size=2, page=2).json()
    assert (body["count"], body["count_exact"]) == (4, False)  # at least the rows up to this page's end
    body = client.get("/api/v1/complaints", q="退款", page_size=2, page=3).json()  # the last page: all known
    assert (body["count"], body["count_exact"], len(body["results"])) == (5, True, 1)
    body = client.get("/api/v1/complaints", q="退款", sort="-received_at", page_size=2).json()
    assert (body["count"], body["count_exact"]) == (3, False)


def test_the_pages_of_q_follow_each_other_in_the_lists_order(api, register, users, now):
    """Matches over four months (past each recent span), by relevance: the pages of the API are the
    rows of complaint_list in its order, for an organisation-wide role and for a handler."""
    import datetime as dt

    from kesu.complaints.selectors import ComplaintFilters, complaint_list

    for index in range(8):
        received = now - dt.timedelta(days=index * 17)
        title = "A100 赠品没到" if index % 3 == 0 else f"物流慢{index}"
        category = "service_attitude.rude" if index % 2 else None  # another department than the handler's
        register(
            now_=received,
            received_at=received.isoformat(),
            title=title,
            description="订单 a100 的赠品没有收到。",
            **({"category": category} if category else {}),
        )
    register(product={"name": "水杯", "order_no": "A100"}, description="杯子漏水。")  # the exact key
    for username in ("agent", "handler"):
        client = api(username)
        pages = [numbers(client.get("/api/v1/complaints", q="A100", page_size=3, page=page)) for page in (1, 2, 3, 4)]
        expected = complaint_list(user=users[username], filters=ComplaintFilters(q="A100"), now=now)
        assert [n for page in pages for n in page] == list(expected.values_list("number", flat=True)), username
    assert sum(len(page) for page in pages) < 9  # the handler sees part of them
