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
