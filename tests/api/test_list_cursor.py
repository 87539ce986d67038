"""Keyset paging of the complaint list (issue 15, deep pages; docs/README.md "Listing"): following
`next_cursor` walks the same rows as `page`, in both time orders, ties on the time included,
and a bad cursor is a 422 naming `cursor`."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.complaints.cursor import Cursor, cursor_decode

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven(register, now):
    """Seven complaints: three share one time received (ties broken by id), the rest an hour apart."""
    base = now - dt.timedelta(days=3)
    times = [base, base, base, base + dt.timedelta(hours=1), base + dt.timedelta(hours=2)]
    times += [base - dt.timedelta(hours=1), base - dt.timedelta(hours=2)]
    return [register(now_=now, received_at=t.isoformat()).number for t in times]


def _walk(client, **params):
    numbers, cursors = [], []
    body = client.get("/api/v1/complaints", page_size=3, **params).json()
    while True:
        numbers += [row["number"] for row in body["results"]]
        if body["next_cursor"] is None:
            return numbers, cursors
        cursors.append(body["next_cursor"])
        body = client.get("/api/v1/complaints", page_size=3, cursor=body["next_cursor"], **params).json()


def _by_page(client, **params):
    numbers, page = [], 1
    while rows := client.get("/api/v1/complaints", page_size=3, page=page, **params).json()["results"]:
        numbers += [row["number"] for row in rows]
        page += 1
    return numbers


@pytest.mark.parametrize("sort", [None, "-received_at", "received_at"])
def test_following_the_cursor_walks_the_same_rows_as_the_pages(api, seven, sort):
    client = api("supervisor")
    params = {"sort": sort} if sort else {}
    numbers, cursors = _walk(client, **params)
    assert numbers == _by_page(client, **params)
    assert sorted(numbers) == sorted(seven) and len(cursors) == 2


def test_a_cursor_page_keeps_the_filters_and_the_count_of_the_whole_list(api, seven, register):
    register(channel="letter")
    client = api("supervisor")
    first = client.get("/api/v1/complaints", page_size=3, channel="phone").json()
    second = client.get("/api/v1/complaints", page_size=3, channel="phone", cursor=first["next_cursor"]).json()
    assert (first["count"], second["count"], second["count_exact"]) == (7, 7, True)
    assert {row["channel"] for row in first["results"] + second["results"]} == {"phone"}


def test_the_last_full_page_has_a_cursor_to_an_empty_page(api, register):
    for _ in range(3):
        register()
    client = api("supervisor")
    body = client.get("/api/v1/complaints", page_size=3).json()
    assert body["next_cursor"]
    after = client.get("/api/v1/complaints", page_size=3, cursor=body["next_cursor"]).json()
    assert (after["results"], after["next_cursor"], after["count"]) == ([], None, 3)


def test_by_relevance_there_is_no_cursor(api, register):
    register(description="冰箱不制冷，要求退款")
    client = api("supervisor")
    assert client.get("/api/v1/complaints", q="退款", page_size=1).json()["next_cursor"] is None
    by_time = client.get("/api/v1/complaints", q="退款", sort="-received_at", page_size=1).json()
    assert by_time["next_cursor"]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "eC4xLjI"},  # "x.1.2": an unknown direction
        {
            "cursor": Cursor(sort="-received_at", received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), pk=1).encode(),
            "page": 2,
        },
        {"cursor": Cursor(sort="received_at", received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), pk=1).encode()},
        {
            "cursor": Cursor(sort="-received_at", received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), pk=1).encode(),
            "q": "退款",
        },
    ],
)
def test_a_bad_cursor_is_a_422_naming_it_in_the_readers_language(api, register, params):
    register()
    response = api("supervisor", language="en").get("/api/v1/complaints", **params)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("cursor", "invalid")
    zh = api("supervisor").get("/api/v1/complaints", **params).json()["errors"][0]["message"]
    assert zh != error["message"]


def test_the_cursor_round_trips_and_refuses_what_it_did_not_make():
    at = dt.datetime(2026, 11, 2, 12, 30, 15, 123456, tzinfo=dt.UTC)
    for sort in ("-received_at", "received_at"):
        cursor = Cursor(sort=sort, received_at=at, pk=42)
        assert cursor_decode(cursor.encode()) == cursor
    for text in ("", "!!!", "ZC4xLjA", "ZC5hLjE"):  # garbage; "d.1.0" (no id 0); "d.a.1"
        with pytest.raises(ValueError):
            cursor_decode(text)
