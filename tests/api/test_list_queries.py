"""The list page answers `deadlines.overdue` for every row without a query per row."""

import datetime as dt


def test_list_query_count_does_not_grow_with_overdue_rows(api, register, now, django_assert_max_num_queries):
    long_ago = now - dt.timedelta(days=40)
    for _ in range(6):
        register(now_=long_ago, received_at=long_ago.isoformat())  # every deadline long passed
    client = api("supervisor")
    with django_assert_max_num_queries(4):  # token, the page (ids, then rows), count
        response = client.get("/api/v1/complaints")
    rows = response.json()["results"]
    assert len(rows) == 6
    assert all(row["deadlines"]["overdue"] for row in rows)
