"""A queue counts its rows only up to a cap (kesu.web.selectors.COUNT_CAP): "N+" above it."""

from __future__ import annotations

from kesu.web import selectors


def numbers(response) -> list[str]:
    return [c.number for c in response.context["page"].object_list]


def test_a_queue_with_more_rows_than_the_cap_says_n_plus_and_still_pages_on(as_user, register, monkeypatch):
    for _ in range(7):
        register()
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = as_user("supervisor")
    first = client.get("/", {"queue": "all"})
    assert first.context["result"].count_capped
    html = first.content.decode()
    assert "4+ 件投诉" in html and "第 1 页" in html and "共" not in html.split('class="pager"')[1]
    seen = numbers(first)
    page = 1
    while True:  # "Next" reaches every row, past the cap too
        page += 1
        response = client.get("/", {"queue": "all", "page": page})
        if numbers(response) == seen[-2:]:  # past the end Django shows the last page again
            break
        seen += numbers(response)
        if not response.context["page"].has_next():
            break
    assert len(seen) == 7 and len(set(seen)) == 7


def test_below_the_cap_the_count_is_exact(as_user, register, monkeypatch):
    for _ in range(3):
        register()
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    response = as_user("supervisor").get("/", {"queue": "all"})
    assert not response.context["result"].count_capped
    total = response.context["page"].paginator.count
    html = response.content.decode()
    assert f"{total} 件投诉" in html and "+ 件投诉" not in html and f"共 {(total + 1) // 2} 页" in html


def test_a_search_counts_up_to_the_cap_and_next_reaches_every_match(as_user, register, monkeypatch):
    from kesu.complaints import search

    for index in range(7):
        register(title=f"退款{index}", description="快递丢件，要求退款。")
    register(description="杯子漏水。")  # not a match
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client = as_user("supervisor")
    first = client.get("/", {"queue": "all", "q": "退款"})
    assert first.context["result"].count_capped
    assert "4+ 件投诉" in first.content.decode()
    seen = numbers(first)
    for page in range(2, 5):
        seen += numbers(client.get("/", {"queue": "all", "q": "退款", "page": page}))
    assert len(seen) == 7 and len(set(seen)) == 7
    last = client.get("/", {"queue": "all", "q": "退款", "page": 9})  # past the end: the last page
    assert numbers(last) == seen[-1:]
    assert not last.context["result"].count_capped
