"""Chinese full-text search (issue 10, part 1): the semantics `q` promises (API.md "Finding
complaints"), on SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike, and the index kept in step
with every write of a searchable field, in its transaction."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from kesu.complaints.models import Complaint
from kesu.complaints.search import build_search_text, highlight, normalise, parse_terms, tokens
from kesu.complaints.selectors import ComplaintFilters, complaint_list
from kesu.complaints.services.notes import complaint_note_add
from kesu.customers.privacy import customer_erase
from tests.complaints.lifecycle import investigate


def found(user, q: str, now, sort: str | None = None) -> list[str]:
    filters = ComplaintFilters(q=q, sort=sort)
    return list(complaint_list(user=user, filters=filters, now=now).values_list("number", flat=True))


def indexed_rows(complaint: Complaint) -> int:
    """How many index rows the database holds for the complaint's id (FTS5 row, or a non-empty tsvector)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM complaint_fts WHERE rowid = %s", [complaint.pk])
        else:
            cursor.execute(
                "SELECT count(*) FROM complaints_complaintsearch WHERE complaint_id = %s AND vector != ''::tsvector",
                [complaint.pk],
            )
        return int(cursor.fetchone()[0])


# --- normalising and cutting ----------------------------------------------------------------


def test_text_is_folded_to_half_width_lower_case_simplified():
    assert normalise("投訴ＡＢＣ１２３　乾燥") == "投诉abc123 干燥"


def test_every_bigram_and_jieba_words_are_tokens():
    cut = tokens(normalise("产品质量太差"))
    assert cut[:5] == ["产品", "品质", "质量", "量太", "太差"]  # reading order: phrases of bigrams match
    assert "质量" in cut[5:]  # jieba's word, once more


def test_a_longer_term_is_a_phrase_of_bigrams_or_the_whole_word():
    (term,) = parse_terms("不製冷")
    assert term.phrases == (("不制", "制冷"), ("不制冷",))


# --- what finds what ----------------------------------------------------------------------


@pytest.fixture
def fridge(register):
    return register(
        title="冰箱不制冷",
        description="新买的冰箱三天后不制冷，产品质量太差，投诉了两次，要求退款。",
        demand="全额退款并赔偿运费",
        location="上海市徐汇区",
        product={"name": "双门冰箱 BCD-470", "sku": "BCD470", "lot": "LOT-9", "order_no": "JD-20261130-77"},
    )


@pytest.fixture
def hotel(register):
    return register(
        customer={"name": "陳大文", "phone": "+852 9123 4567"},
        title="房間衛生很差",
        description="酒店房間的浴室有頭髮，投訴後服務員態度也不好。",
        category="service_attitude.rude",
    )


def test_traditional_finds_simplified_and_simplified_finds_traditional(users, fridge, hotel, now):
    agent = users["agent"]
    assert found(agent, "投訴", now) == [hotel.number, fridge.number]  # both, whatever script they are in
    assert found(agent, "不製冷", now) == [fridge.number]
    assert found(agent, "头发", now) == [hotel.number]
    assert found(agent, "卫生", now) == [hotel.number]
    assert found(agent, "陈大文", now) == [hotel.number]


def test_two_character_terms_are_found_wherever_jieba_cuts(users, fridge, hotel, now):
    agent = users["agent"]
    assert found(agent, "退款", now) == [fridge.number]
    assert found(agent, "质量", now) == [fridge.number]
    assert found(agent, "品质", now) == [fridge.number]  # across jieba's 产品 / 质量
    assert found(agent, "浴室", now) == [hotel.number]
    assert found(agent, "退货", now) == []


def test_every_term_must_be_there(users, fridge, hotel, now):
    agent = users["agent"]
    assert found(agent, "冰箱 退款", now) == [fridge.number]
    assert found(agent, "冰箱 浴室", now) == []
    assert found(agent, "制冷冰", now) == []  # the characters, but not in this order


def test_demand_location_product_and_full_width_are_searched(users, fridge, now):
    agent = users["agent"]
    assert found(agent, "运费", now) == [fridge.number]
    assert found(agent, "徐汇", now) == [fridge.number]
    assert found(agent, "ＢＣＤ470", now) == [fridge.number]
    assert found(agent, "bcd", now) == [fridge.number]  # a latin word's start


def test_keys_are_found_exactly(users, fridge, hotel, now):
    agent = users["agent"]
    assert found(agent, fridge.number, now) == [fridge.number]
    assert found(agent, "JD-20261130-77", now) == [fridge.number]
    assert found(agent, "lot-9", now) == [fridge.number]
    assert found(agent, "4567", now) == [hotel.number]
    assert found(agent, "+852 9123 4567", now) == [hotel.number]


def test_an_email_is_a_key(users, register, now):
    mailed = register(customer={"name": "Li Na", "email": "Li.Na@Example.cn"})
    assert found(users["agent"], "li.na@example.cn", now) == [mailed.number]


def test_a_handler_never_finds_another_departments_complaint_by_text(users, hotel, now):
    assert found(users["handler"], "浴室", now) == []
    assert found(users["agent"], "浴室", now) == [hotel.number]


def test_nothing_searchable_finds_nothing(users, fridge, now):
    assert found(users["agent"], "，。！", now) == []


# --- ranking --------------------------------------------------------------------------------


def test_a_match_in_the_title_ranks_above_one_in_the_description(users, register, now):
    import datetime as dt

    in_title = register(now_=now - dt.timedelta(days=2), title="退款一直没到账", description="上周申请的。")
    in_text = register(title="物流太慢", description="等了十天，最后只好申请退款。")
    assert found(users["agent"], "退款", now) == [in_title.number, in_text.number]
    # Another order when asked for.
    assert found(users["agent"], "退款", now, sort="-received_at") == [in_text.number, in_title.number]


def test_an_exact_key_ranks_above_the_text(users, register, now):
    keyed = register(product={"name": "水杯", "order_no": "A100"}, description="杯子漏水。")
    by_text = register(title="订单 A100 赠品", description="订单 a100 的赠品没有收到。")
    assert found(users["agent"], "A100", now) == [keyed.number, by_text.number]


# --- the index follows every write ------------------------------------------------------------


def test_a_note_is_searchable_once_added(users, register, now):
    complaint = register()
    assert found(users["agent"], "电话录音", now) == []
    complaint_note_add(
        actor=users["agent"], number=complaint.number, text="已调取電話錄音。", visibility="internal", now=now
    )
    assert found(users["agent"], "电话录音", now) == [complaint.number]
    assert found(users["agent"], "异味", now) == [complaint.number]  # the description is still there


def test_investigation_findings_are_searchable(users, complaint_in, now):
    complaint = complaint_in("investigating")
    investigate(users, "handler", complaint, now, findings="抽检同批次产品，发现包装密封不良。")
    assert found(users["agent"], "密封", now) == [complaint.number]


def test_the_result_is_searchable(users, complaint_in, now):
    complaint = complaint_in("resolved")  # resolved with "已退款 50 元。"
    assert complaint.number in found(users["agent"], "已退款", now)


def test_settling_at_intake_indexes_the_result(users, register, now):
    complaint = register(settlement={"kind": "resolved_contact", "result": "当场解释了保质期的算法"})
    assert found(users["agent"], "保质期", now) == [complaint.number]


def test_erasure_takes_the_name_out_of_the_index(users, complaint_in, now):
    complaint = complaint_in("withdrawn")
    assert complaint.number in found(users["agent"], "张三", now)
    customer_erase(actor=users["admin"], customer_id=complaint.customer_id, now=now)
    assert complaint.number not in found(users["agent"], "张三", now)
    assert complaint.number in found(users["agent"], "异味", now)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_intake_leaves_nothing_in_the_index(users, register, now):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        ghost = register(description="这条投诉的热水器漏电了。")
        assert found(users["agent"], "漏电", now) == [ghost.number]  # in step inside the transaction
        raise Boom
    assert found(users["agent"], "漏电", now) == []
    assert indexed_rows(ghost) == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_rolled_back_note_leaves_the_index_as_it_was(users, register, now):
    class Boom(Exception):
        pass

    complaint = register()
    before = Complaint.objects.get(pk=complaint.pk).search_text
    with pytest.raises(Boom), transaction.atomic():
        complaint_note_add(
            actor=users["agent"], number=complaint.number, text="顾客要去法院起诉", visibility="internal", now=now
        )
        assert found(users["agent"], "法院", now) == [complaint.number]
        raise Boom
    assert found(users["agent"], "法院", now) == []
    assert found(users["agent"], "异味", now) == [complaint.number]
    assert Complaint.objects.get(pk=complaint.pk).search_text == before


def index_row_position(complaint: Complaint) -> str:
    """PostgreSQL: where the complaint's index row lies (its ctid changes whenever it is rewritten)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM complaints_complaintsearch WHERE complaint_id = %s", [complaint.pk])
        return str(cursor.fetchone()[0])


def test_only_a_change_of_the_text_rewrites_the_postgresql_index_row(users, fridge, now):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's index is the FTS5 table, written by the services")
    before = index_row_position(fridge)
    Complaint.objects.filter(pk=fridge.pk).update(status="acknowledged", overdue=True, escalation_level=1)
    Complaint.objects.get(pk=fridge.pk).save()  # every column written, the text unchanged
    assert index_row_position(fridge) == before
    complaint_note_add(
        actor=users["agent"], number=fridge.number, text="已调取電話錄音。", visibility="internal", now=now
    )
    assert index_row_position(fridge) != before
    assert found(users["agent"], "电话录音", now) == [fridge.number]


def test_the_rebuild_command_restores_a_lost_index(users, fridge, hotel, now):
    Complaint.objects.update(search_text="")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM complaint_fts")
    assert found(users["agent"], "浴室", now) == []
    out = io.StringIO()
    call_command("search", "rebuild", stdout=out)
    assert "2/2 100%" in out.getvalue()
    assert found(users["agent"], "浴室", now) == [hotel.number]
    assert Complaint.objects.get(pk=fridge.pk).search_text == build_search_text(fridge)
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert found(users["agent"], "退款", now) == [fridge.number]


# --- highlighted snippets ---------------------------------------------------------------------


def test_the_snippet_marks_the_matched_terms_in_any_script_and_escapes_the_rest():
    text = "<b>客人</b>投訴退款慢 & 退款不到帐"
    assert str(highlight(text, "投诉 退款")) == (
        "&lt;b&gt;客人&lt;/b&gt;<mark>投訴退款</mark>慢 &amp; <mark>退款</mark>不到帐"
    )


def test_the_snippet_is_cut_around_the_first_match():
    text = "很长的前言" * 20 + "最后发现是质量问题" + "后记" * 40
    snippet = str(highlight(text, "质量", width=40))
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "<mark>质量</mark>" in snippet


def test_markup_typed_into_q_is_not_markup():
    assert str(highlight("a<mark>b", "<mark>")) == "a&lt;<mark>mark</mark>&gt;b"
