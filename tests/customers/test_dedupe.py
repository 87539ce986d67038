"""Complainants are deduplicated by E.164 phone and by case-insensitive e-mail."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from kesu.complaints.services.intake import complaint_register
from kesu.customers.models import Customer
from kesu.customers.services import customer_get_or_create, normalize_email, normalize_phone
from tests.conftest import intake_payload


@pytest.mark.parametrize(
    "raw",
    ["13812345678", "+86 138 1234 5678", "138-1234-5678", "+8613812345678", "0086 13812345678", " 138 1234 5678 "],
)
def test_phone_formats_normalise_to_e164(raw):
    assert normalize_phone(raw) == "+8613812345678"


def test_landline_with_area_code_normalises(db):
    assert normalize_phone("021-6432 1234") == "+862164321234"


@pytest.mark.parametrize("raw", ["12345", "1381234567", "abc", "+1 555"])
def test_invalid_phone_is_refused(raw):
    with pytest.raises(ValueError):
        normalize_phone(raw)


def test_email_is_lower_cased():
    assert normalize_email(" Zhang.San@Example.COM ") == "zhang.san@example.com"


def test_same_phone_in_different_formats_is_one_customer(register):
    for phone in ("13812345678", "+86 138 1234 5678", "138-1234-5678"):
        register(customer={"name": "张三", "phone": phone})

    assert list(Customer.objects.values_list("phone", flat=True)) == ["+8613812345678"]


def test_same_email_in_different_case_is_one_customer(register):
    register(customer={"name": "李四", "email": "Li.Si@Example.com"})
    register(customer={"name": "李四", "email": "li.si@EXAMPLE.COM"})

    assert list(Customer.objects.values_list("email", flat=True)) == ["li.si@example.com"]


def test_phone_then_email_of_the_same_person_is_one_customer(register):
    first = register(customer={"name": "王五", "phone": "13912345678"})
    second = register(customer={"name": "王五", "phone": "139 1234 5678", "email": "wang@example.com"})

    assert second.customer_id == first.customer_id


def test_a_new_contact_point_is_added_to_the_customer(register):
    first = register(customer={"name": "王五", "phone": "13912345678"})
    register(customer={"name": "王五", "phone": "13912345678", "email": "Wang@Example.com"})

    first.customer.refresh_from_db()
    assert (first.customer.phone, first.customer.email) == ("+8613912345678", "wang@example.com")


def test_email_found_when_phone_is_new(register):
    first = register(customer={"name": "赵六", "email": "zhao@example.com"})

    second = register(customer={"name": "赵六", "phone": "13712345678", "email": "ZHAO@example.com"})

    assert second.customer_id == first.customer_id


def test_different_phones_are_different_customers(register):
    register(customer={"name": "张三", "phone": "13812345678"})
    register(customer={"name": "张三", "phone": "13812345679"})

    assert Customer.objects.count() == 2


def test_email_already_held_by_another_customer_is_not_moved(register):
    holder = register(customer={"name": "甲", "email": "shared@example.com"})
    other = register(customer={"name": "乙", "phone": "13600000001"})

    register(customer={"name": "乙", "phone": "13600000001", "email": "shared@example.com"})

    other.customer.refresh_from_db()
    assert (other.customer.email, Customer.objects.get(email="shared@example.com").pk) == (None, holder.customer_id)


def test_complaint_keeps_the_contact_given_on_that_occasion(register):
    complaint = register(customer={"name": "张先生", "phone": "+86 138 1234 5678"})

    assert (complaint.contact_name, complaint.contact_phone) == ("张先生", "+8613812345678")


def test_customer_history_lists_every_complaint(register):
    numbers = {
        register(customer={"name": "张三", "phone": phone}).number
        for phone in ("13812345678", "+86 138 1234 5678", "138-1234-5678")
    }
    customer = Customer.objects.get(phone="+8613812345678")

    assert set(customer.complaints.values_list("number", flat=True)) == numbers


def test_customer_get_or_create_returns_the_existing_customer(db, now):
    existing = Customer.objects.create(name="张三", phone="+8613812345678", created_at=now)

    found = customer_get_or_create(name="张三丰", phone="+8613812345678", email=None, now=now)

    assert (found.pk, found.name) == (existing.pk, "张三")


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_first_complaints_of_one_customer_make_one_customer(users, now):
    failures: list[BaseException] = []
    start = threading.Barrier(6)

    def work(index: int) -> None:
        try:
            start.wait()
            complaint_register(
                actor=users["agent"],
                now=now,
                payload=intake_payload(
                    customer={"name": "并发", "phone": ["13512345678", "+86 135 1234 5678", "135-1234-5678"][index % 3]}
                ),
            )
        except BaseException as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert list(Customer.objects.values_list("phone", flat=True)) == ["+8613512345678"]
    assert Customer.objects.get().complaints.count() == 6
