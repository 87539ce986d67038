"""FU-5: panels at least twice a quarter and a survey at least every half-year, by default; the
frequency is the managers' setting; the desk manager is reminded once per period when short."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from kesu.core import tasks
from kesu.core.errors import PermissionDenied, ValidationFailed
from kesu.desk import voice
from kesu.desk.models import PanelMeeting, SurveyCampaign, VoicePolicy, VoiceReminder
from kesu.desk.roster import desk_setup
from kesu.notifications.models import OutboxMessage
from tests.desk.conftest import at, everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(users):
    desk_setup()


def panel(day: dt.date, *, held: bool = False) -> PanelMeeting:
    return PanelMeeting.objects.create(
        title="座谈", planned_for=day, held_on=day if held else None, created_at=at(2026, 4, 1, 9, 0)
    )


def survey(users, when: dt.datetime) -> SurveyCampaign:
    return SurveyCampaign.objects.create(
        title="满意度", questions=["礼貌吗"], sample_size=1, created_by=users["manager"], created_at=when
    )


def reminders() -> list[tuple[str, str, str]]:
    return list(
        OutboxMessage.objects.filter(kind="voice_due")
        .order_by("id")
        .values_list("recipient_user__username", "subject", "body")
    )


def test_the_defaults_are_two_panels_a_quarter_and_one_survey_a_half_year(db):
    assert (voice.panels_per_quarter(), voice.surveys_per_half_year()) == (2, 1)


def test_what_is_due_counts_the_quarter_and_the_half_year_of_the_day(users):
    panel(dt.date(2026, 3, 31))  # the first quarter: not counted in the second
    panel(dt.date(2026, 4, 20), held=True)
    panel(dt.date(2026, 6, 30))
    survey(users, at(2025, 12, 31, 23, 59))  # the second half of 2025
    survey(users, at(2026, 7, 1, 0, 0))  # the second half of 2026
    due = voice.voice_due(day=dt.date(2026, 5, 15))
    assert (due.quarter, due.panels_wanted, due.panels_planned, due.panels_held, due.panels_short) == (
        "2026Q2",
        2,
        2,
        1,
        0,
    )
    assert (due.half_year, due.half_year_ends, due.surveys_sent, due.surveys_short) == (
        "2026H1",
        dt.date(2026, 6, 30),
        0,
        1,
    )


def test_the_desk_manager_is_reminded_once_per_quarter_and_half_year(users, teams):
    panel(dt.date(2026, 4, 20))
    assert voice.voice_remind(now=at(2026, 4, 2, 9, 0)) == 2
    sent = reminders()
    assert [(who, subject) for who, subject, _body in sent] == [
        ("manager", "2026Q2 的客户座谈会待安排"),
        ("manager", "2026H1 的问卷调查待开展"),
    ]
    assert "本季度（2026Q2）应开座谈会 2 次，已安排 1 次" in sent[0][2]
    assert "/desk/voice/" in sent[0][2]
    assert "本半年（2026H1）应开展问卷调查 1 次，已发送 0 次" in sent[1][2]
    assert list(VoiceReminder.objects.order_by("kind").values_list("kind", "period", "wanted", "found")) == [
        ("panels", "2026Q2", 2, 1),
        ("surveys", "2026H1", 1, 0),
    ]

    before = everything()
    assert voice.voice_remind(now=at(2026, 5, 20, 9, 0)) == 0  # the same periods: nothing again
    assert everything() == before

    # A new quarter in the same half-year: only the panels are asked for again.
    assert voice.voice_remind(now=at(2026, 7, 1, 9, 0)) == 2  # 2026Q3 and 2026H2
    assert voice.voice_remind(now=at(2026, 10, 1, 9, 0)) == 1  # 2026Q4
    assert [s for _w, s, _b in reminders()][2:] == [
        "2026Q3 的客户座谈会待安排",
        "2026H2 的问卷调查待开展",
        "2026Q4 的客户座谈会待安排",
    ]


def test_no_reminder_when_the_period_has_what_the_setting_asks(users, teams):
    panel(dt.date(2026, 4, 20))
    panel(dt.date(2026, 6, 8))
    survey(users, at(2026, 2, 1, 10, 0))
    before = everything()
    assert voice.voice_remind(now=at(2026, 5, 2, 9, 0)) == 0
    assert everything() == before
    assert not VoiceReminder.objects.exists()


def test_the_scheduled_task_reminds(users, teams, time_machine):
    time_machine.move_to(at(2026, 1, 5, 9, 0))
    assert "remind_voice_of_customer" in tasks.schedule()
    assert tasks.run("remind_voice_of_customer") == {"reminded": 2}
    assert tasks.run("remind_voice_of_customer") == {"reminded": 0}


def test_a_manager_changes_the_frequency_and_the_reminder_follows(users, teams):
    panel(dt.date(2026, 4, 20))
    panel(dt.date(2026, 6, 8))
    survey(users, at(2026, 2, 1, 10, 0))
    voice.voice_policy_save(
        actor=users["manager"], values={"panels_per_quarter": 3, "surveys_per_half_year": 2}, now=at(2026, 4, 1, 9, 0)
    )
    assert (voice.panels_per_quarter(), voice.surveys_per_half_year()) == (3, 2)
    assert voice.voice_remind(now=at(2026, 4, 2, 9, 0)) == 2
    assert "应开座谈会 3 次，已安排 2 次" in reminders()[0][2]
    assert "应开展问卷调查 2 次，已发送 1 次" in reminders()[1][2]
    planned = voice.panels_plan(actor=users["manager"], day=dt.date(2026, 5, 1), now=at(2026, 4, 2, 9, 0))
    assert len(planned) == 1


@pytest.mark.parametrize(
    ("who", "values", "refusal"),
    [
        ("agent", {"panels_per_quarter": 3}, PermissionDenied),
        ("supervisor", {"panels_per_quarter": 3}, PermissionDenied),
        ("manager", {"panels_per_quarter": 0}, ValidationFailed),
        ("manager", {"surveys_per_half_year": 7}, ValidationFailed),
    ],
)
def test_the_frequency_is_refused_to_others_and_out_of_range(users, who, values, refusal):
    before = everything()
    with pytest.raises(refusal):
        voice.voice_policy_save(actor=users[who], values=values, now=at(2026, 4, 1, 9, 0))
    assert everything() == before
    assert not VoicePolicy.objects.exists()


def test_the_page_shows_what_is_due_and_the_setting_is_in_the_configuration(users, teams, time_machine):
    time_machine.move_to(at(2026, 5, 10, 9, 0))
    panel(dt.date(2026, 4, 20))
    client = Client()
    client.force_login(users["manager"])
    page = client.get("/desk/voice/").content.decode()
    assert "本季度（2026Q2）应开座谈会 2 次，已安排 1 次，已召开 0 次" in page
    assert "还需安排 1 次" in page
    assert "本半年（2026H1）应开展问卷调查 1 次，已发送 0 次" in page
    assert "/settings/voice/" in page
    assert "/settings/voice/" in client.get("/settings/").content.decode()
    response = client.post("/settings/voice/", {"panels_per_quarter": "4", "surveys_per_half_year": "1"})
    assert response.status_code == 302
    assert "应开座谈会 4 次" in client.get("/desk/voice/").content.decode()
    supervisor = Client()
    supervisor.force_login(users["supervisor"])
    assert supervisor.get("/settings/voice/").status_code == 403
