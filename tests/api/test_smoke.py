def test_health(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_register_and_read(api, db):
    agent = api("agent")
    response = agent.post(
        "/api/v1/complaints",
        {
            "channel": "phone",
            "customer": {"name": "李四", "phone": "13812345678"},
            "description": "商品破损",
            "amount_claimed": "12.50",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered"
    assert body["customer"]["phone"] == "13812345678"
    detail = agent.get(f"/api/v1/complaints/{body['number']}")
    assert detail.status_code == 200
    assert [e["kind"] for e in detail.json()["timeline"]] == ["registered"]
