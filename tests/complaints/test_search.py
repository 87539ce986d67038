"""`q`: one matching for the API's list and the workspace's search box (kesu.complaints.search)."""

from __future__ import annotations

import pytest

from kesu.complaints.search import _after, complaint_search_q, phone_key
from kesu.complaints.selectors import ComplaintFilters, complaint_list


def found(user, q: str, now) -> list[str]:
    return list(complaint_list(user=user, filters=ComplaintFilters(q=q), now=now).values_list("number", flat=True))


@pytest.fixture
def target(register):
    return register(
        customer={"name": "欧阳娜娜", "phone": "138 0013 7788", "email": "Nana.OY@Example.com"},
        title="冰箱不制冷",
        description="新买的冰箱三天后不制冷，要求更换。",
        product={"name": "双门冰箱", "lot": "LOT-2026-118", "order_no": "SO-88001234"},
    )


@pytest.fixture
def other(register):
    return register(
        customer={"name": "李雷", "phone": "13900004455"},
        description="快递丢件了。",
        product={"name": "雨伞", "lot": "LOT-7", "order_no": "SO-1"},
    )


def test_the_complaint_number_finds_exactly_that_complaint(users, target, other, now):
    assert found(users["agent"], target.number, now) == [target.number]


def test_the_full_phone_finds_the_complaint_however_it_is_written(users, target, other, now):
    for typed in ("13800137788", "138-0013-7788", "+86 138 0013 7788", "8613800137788"):
        assert found(users["agent"], typed, now) == [target.number], typed


def test_the_last_four_or_more_digits_of_the_phone_find_the_complaint(users, target, other, now):
    assert found(users["agent"], "7788", now) == [target.number]
    assert found(users["agent"], "137788", now) == [target.number]
    assert found(users["agent"], "4455", now) == [other.number]


def test_a_phone_ending_in_nines_is_found_by_its_last_digits(users, register, now):
    nines = register(customer={"name": "九九", "phone": "13600009999"})
    assert found(users["agent"], "9999", now) == [nines.number]


def test_three_digits_are_not_a_phone_search(users, target, now):
    assert target.number not in found(users["agent"], "788", now)


def test_the_email_finds_the_complaint_in_any_case(users, target, other, now):
    assert found(users["agent"], "nana.oy@example.com", now) == [target.number]
    assert found(users["agent"], "NANA.OY@EXAMPLE.COM", now) == [target.number]


def test_the_order_number_finds_the_complaint(users, target, other, now):
    assert found(users["agent"], "SO-88001234", now) == [target.number]
    assert found(users["agent"], "so-88001234", now) == [target.number]


def test_the_lot_number_finds_the_complaint(users, target, other, now):
    assert found(users["agent"], "LOT-2026-118", now) == [target.number]
    assert found(users["agent"], "LOT-7", now) == [other.number]  # exact key, not a prefix of LOT-7xx


def test_the_customer_name_finds_the_complaint(users, target, other, now):
    assert found(users["agent"], "欧阳娜娜", now) == [target.number]


def test_words_of_the_text_find_the_complaint(users, target, other, now):
    assert found(users["agent"], "不制冷", now) == [target.number]
    assert found(users["agent"], "冰箱 更换", now) == [target.number]
    assert found(users["agent"], "冰箱 丢件", now) == []


def test_another_departments_complaint_is_never_found(users, register, now):
    """The handler (品质部) sees their department's complaints only, whatever the key."""
    elsewhere = register(
        category="service_attitude.rude",
        customer={"name": "韩梅梅", "phone": "13700006161", "email": "mm@example.com"},
        description="服务员态度恶劣。",
        product={"lot": "LOT-X1", "order_no": "SO-X1"},
    )
    assert elsewhere.department.code != "quality"
    for typed in (elsewhere.number, "13700006161", "6161", "mm@example.com", "SO-X1", "LOT-X1", "韩梅梅", "态度恶劣"):
        assert found(users["handler"], typed, now) == [], typed
        assert found(users["agent"], typed, now) == [elsewhere.number], typed


def test_a_role_with_masked_phones_still_finds_by_phone(users, complaint_in, now):
    mine = complaint_in("assigned")  # in the handler's department
    assert found(users["handler"], mine.contact_phone[-4:], now) == [mine.number]


def test_phone_key_and_the_next_prefix():
    assert phone_key("+8613800137788") == "8877310083168"
    assert phone_key("") == ""
    assert _after("1234") == "1235"
    assert _after("1239") == "124"
    assert _after("999") is None


def test_blank_q_matches_everything():
    assert str(complaint_search_q("  ")) == "(AND: )"


def test_exact_keys_come_before_words_of_the_text(users, register, now):
    exact = register(product={"name": "水杯", "order_no": "A100"}, description="杯子漏水。")
    newer_by_words = register(description="订单 a100 的赠品没有收到。")
    assert found(users["agent"], "A100", now) == [exact.number, newer_by_words.number]


def test_the_exact_keys_are_answered_from_indexes(register):
    """Index-friendly: on SQLite (whose planner ignores table size here) every key is an index search."""
    from django.db import connection

    from kesu.complaints.models import Complaint
    from kesu.complaints.search import complaint_key_q

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL scans a table this small whatever the indexes")
    register()
    plan = Complaint.objects.filter(complaint_key_q("5678")).explain()
    for index in (
        "sqlite_autoindex_complaints_complaint_1",
        "complaint_order_no",
        "complaint_product_lot",
        "complaint_phone_key",
    ):
        assert f"USING INDEX {index}" in plan, plan
    assert "SCAN complaints_complaint" not in plan
