"""The service-desk pages answer for the roles that own them; forms refuse keeping what was typed."""

from __future__ import annotations

import pytest
from django.test import Client

from kesu.desk.phrases import phrase_add
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = ["/desk/", "/desk/handover/", "/desk/phrases/", "/desk/performance/", "/desk/cases/"]


def signed_in(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "admin", "gm"])
def test_every_desk_page_answers(desk, users, role):
    client = signed_in(role)
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
    if role != "agent":
        assert client.get("/desk/voice/").status_code == 200


def test_the_service_desk_is_in_the_menu(desk, users):
    assert 'href="/desk/"' in signed_in("agent").get("/").content.decode()


def test_the_note_form_refuses_a_forbidden_phrase_keeping_the_text(users, register, now):
    phrase_add(actor=users["manager"], text="没办法", kind="forbidden", now=now)
    complaint = register()
    response = signed_in("agent").post(
        f"/c/{complaint.number}/note/", {"note-text": "这个真的没办法了", "note-visibility": "customer"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "没办法" in html
    assert "这个真的没办法了" in html


def test_performance_exports(desk, users):
    client = signed_in("manager")
    xlsx = client.get("/desk/performance/", {"format": "xlsx", "date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = client.get("/desk/performance/", {"format": "csv", "date_from": "2026-03-01", "date_to": "2026-03-31"})
    text = csv.content.decode("utf-8-sig")
    assert text.count("\n") == 4  # header + agent, agent2, agent3


def test_the_swap_page_offers_the_requester_a_withdraw_button(desk, users, time_machine):
    from kesu.desk.models import ShiftSwap, SwapStatus
    from kesu.desk.swaps import swap_request
    from tests.desk.conftest import at, everything

    time_machine.move_to(at(2026, 3, 1, 9, 0))
    swap = swap_request(actor=users["agent"], partner="agent3", date="2026-03-02", now=at(2026, 3, 1, 9, 0))
    withdraw = f"/desk/swaps/{swap.pk}/withdraw/"
    assert withdraw in signed_in("agent").get("/desk/").content.decode()
    assert withdraw not in signed_in("agent3").get("/desk/").content.decode()
    before = everything()
    assert signed_in("agent3").post(withdraw).status_code == 403
    assert everything() == before
    assert signed_in("agent").post(withdraw).status_code == 302
    assert ShiftSwap.objects.get(pk=swap.pk).status == SwapStatus.WITHDRAWN
