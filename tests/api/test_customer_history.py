def test_detail_shows_the_same_customers_earlier_complaints(api, register):
    first = register(customer={"name": "张三", "phone": "13812340000"}, description="第一次投诉")
    second = register(
        customer={"name": "张三", "phone": "+86 138 1234 0000"}, description="又坏了", related_to=first.number
    )
    register(customer={"name": "李四", "phone": "13812340001"})
    body = api("agent").get(f"/api/v1/complaints/{second.number}").json()
    assert [h["number"] for h in body["customer_history"]] == [first.number]
    assert body["related_to"] == first.number
