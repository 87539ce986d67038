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
    # token, the best text matches, the page's ids, its rows (a page that is not full needs no count)
    with django_assert_num_queries(4):
        response = client.get("/api/v1/complaints", q="退款")
    assert len(numbers(response)) == 5
    with django_assert_num_queries(3):  # no ranking by relevance: no best matches to look up
        assert len(numbers(client.get("/api/v1/complaints", q="退款", sort="-received_at"))) == 5


def test_sort_orders_the_matches_and_an_unknown_sort_is_refused(api, register, now):
    import datetime as dt

    older = register(now_=now - dt.timedelta(days=1), title="质量太差", description="用了一天就坏了。")
    newer = register(title="物流慢", description="包装破损，质量也一般。")
    client = api("agent")
    assert numbers(client.get("/api/v1/complaints", q="質量")) == [older.number, newer.number]  # title first
    assert numbers(client.get("/api/v1/complaints", q="质量", sort="-received_at")) == [newer.number, older.number]
    assert numbers(client.get("/api/v1/complaints", q="质量", sort="received_at")) == [older.number, newer.number]
    refused = client.get("/api/v1/complaints", q="质量", sort="best")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "sort"
