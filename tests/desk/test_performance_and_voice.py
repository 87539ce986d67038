"""OP-5 agent performance on a hand-computed fixture; FU-5 a survey answered once per link;
SV-3 a closed complaint promoted to an anonymised case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from kesu.complaints.models import Complaint
from kesu.core.errors import Conflict
from kesu.desk import voice
from kesu.desk.cases import case_promote, case_search
from kesu.desk.models import PanelMeeting, SurveyInvitation
from kesu.desk.performance import agent_performance, sanction_record
from kesu.notifications.models import OutboxMessage
from kesu.resolution.models import Callback, Investigation
from kesu.supervision.models import QualityReview, SampleRun
from tests.desk.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(users, register):
    """agent in March 2026: 4 complaints settled on the spot (closed), one of them closed late, one
    open complaint; one February complaint (outside). Callbacks: 2 satisfied, 1 not, 1 unreached.
    One investigation names agent responsible with a 50 CNY penalty; reviews 80 and 90; a manager's
    reward of 100 and penalty of 20."""
    made = []
    for day in (2, 3, 4, 5):
        when = at(2026, 3, day, 10, 0)
        made.append(
            register(
                now_=when, received_at=when.isoformat(), settlement={"kind": "on_the_spot", "result": "当场退款。"}
            )
        )
    late = made[0]
    Complaint.objects.filter(pk=late.pk).update(closed_at=late.close_due + dt.timedelta(hours=1))
    register(now_=at(2026, 3, 9, 10, 0), received_at=at(2026, 3, 9, 10, 0).isoformat())
    feb = at(2026, 2, 10, 10, 0)
    register(now_=feb, received_at=feb.isoformat(), settlement={"kind": "on_the_spot", "result": "当场退款。"})
    for index, satisfied in enumerate([True, True, False, None]):
        Callback.objects.create(
            complaint=made[index],
            at=at(2026, 3, 20, 10, index),
            by=users["agent"],
            reached=satisfied is not None,
            satisfied=satisfied,
        )
    Investigation.objects.create(
        complaint=made[1],
        responsibility="ours",
        responsible_person=users["agent"],
        penalty_amount=Decimal("50.00"),
        recorded_by=users["supervisor"],
        recorded_at=at(2026, 3, 21, 9, 0),
        updated_by=users["supervisor"],
        updated_at=at(2026, 3, 21, 9, 0),
    )
    run = SampleRun.objects.create(
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
        size=2,
        seed=1,
        population=5,
        drawn_by=users["manager"],
        drawn_at=at(2026, 3, 25, 9, 0),
    )
    for complaint, score in ((made[2], 80), (made[3], 90)):
        QualityReview.objects.create(
            run=run,
            complaint=complaint,
            reviewer=users["manager"],
            score=score,
            findings="ok",
            reviewed_at=at(2026, 3, 26, 9, 0),
        )
    sanction_record(
        actor=users["manager"],
        person="agent",
        kind="reward",
        amount="100",
        reason="表扬信",
        date="2026-03-28",
        now=at(2026, 3, 28, 9, 0),
    )
    sanction_record(
        actor=users["manager"],
        person="agent",
        kind="penalty",
        amount="20",
        reason="迟到",
        date="2026-03-29",
        now=at(2026, 3, 29, 9, 0),
    )
    return made


def test_performance_figures_match_the_hand_computed_ones(users, march):
    rows = agent_performance(user=users["agent"], date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert [r.agent.username for r in rows] == ["agent"]  # an agent sees their own line only
    mine = rows[0]
    assert mine.volume == 5
    assert mine.closed == 4
    assert mine.on_time_rate == Decimal("0.7500")
    assert mine.satisfaction_rate == Decimal("0.6667")
    assert mine.valid_against == 1
    assert mine.review_score == Decimal("85.0")
    assert mine.rewards == Decimal("100.00")
    assert mine.penalties == Decimal("70.00")


def test_a_manager_sees_the_team(users, march):
    rows = agent_performance(user=users["manager"], date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31))
    assert [r.agent.username for r in rows] == ["agent", "agent2", "agent3"]
    assert [r.volume for r in rows] == [5, 0, 0]
    assert rows[1].on_time_rate is None


def test_a_survey_is_sent_by_link_and_answered_once(users, register, now):
    for _ in range(3):
        register()
    campaign = voice.survey_create(
        actor=users["manager"],
        title="服务满意度调查",
        questions=["接待是否礼貌", "处理是否及时"],
        sample_size=2,
        now=now,
        seed=7,
    )
    invitations = list(SurveyInvitation.objects.filter(campaign=campaign))
    assert len(invitations) == 2
    sent = list(OutboxMessage.objects.filter(kind="survey").values_list("channel", "body"))
    assert len(sent) == 2 and all(channel == "sms" for channel, _ in sent)
    url = voice.survey_url(invitations[0])
    assert url in sent[0][1] or url in sent[1][1]
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert "接待是否礼貌" in page.content.decode()
    incomplete = client.post(url, {"q0": "5"})
    assert incomplete.status_code == 422
    answered = client.post(url, {"q0": "5", "q1": "3", "comment": "很好"})
    assert answered.status_code == 200
    again = client.post(url, {"q0": "1", "q1": "1"})
    assert again.status_code == 409
    invitations[0].refresh_from_db()
    assert invitations[0].answers == {"q0": 5, "q1": 3}
    with pytest.raises(Conflict):
        voice.survey_answer(token=voice.survey_token(invitations[0]), answers={"q0": 1, "q1": 1}, comment="", now=now)
    assert Client().get(url[:-3] + "xx/").status_code == 404  # a tampered link
    summary = voice.survey_summary(campaign)
    assert (summary.sent, summary.answered) == (2, 1)
    assert summary.questions[0].average == Decimal("5.00")
    assert summary.comments == ["很好"]


def test_panels_are_planned_twice_a_quarter(users, now):
    planned = voice.panels_plan(actor=users["manager"], day=dt.date(2026, 4, 1), now=now)
    assert [p.planned_for for p in planned] == [dt.date(2026, 4, 23), dt.date(2026, 6, 8)]
    assert voice.panels_plan(actor=users["manager"], day=dt.date(2026, 6, 1), now=now) == []


def test_panels_planned_mid_quarter_are_spread_over_the_rest_of_it(users, now):
    # 10 May to 30 June is 52 days: the two panels fall on its first and third quarter.
    planned = voice.panels_plan(actor=users["manager"], day=dt.date(2026, 5, 10), now=now)
    assert [p.planned_for for p in planned] == [dt.date(2026, 5, 23), dt.date(2026, 6, 18)]
    PanelMeeting.objects.filter(pk=planned[1].pk).delete()
    again = voice.panels_plan(actor=users["manager"], day=dt.date(2026, 6, 20), now=now)
    assert [(p.title, p.planned_for) for p in again] == [("2026Q2 第 2 次客户座谈会", dt.date(2026, 6, 25))]


def test_a_panels_findings_open_a_capa(users, now):
    planned = voice.panels_plan(actor=users["manager"], day=dt.date(2026, 4, 1), now=now)
    panel = voice.panel_record(
        actor=users["manager"],
        panel_id=planned[0].pk,
        held_on="2026-04-23",
        participants="8 位老客户",
        notes="讨论退款流程",
        findings="退款到账慢，需要缩短审批",
        now=now,
    )
    panel = voice.panel_open_capa(actor=users["manager"], panel_id=panel.pk, now=now)
    assert PanelMeeting.objects.get(pk=panel.pk).capa is not None
    assert panel.capa.actions == "退款到账慢，需要缩短审批"


def test_a_closed_complaint_becomes_an_anonymised_case(users, complaint_in, now):
    complaint = complaint_in("closed")
    case = case_promote(
        actor=users["manager"],
        number=complaint.number,
        title="牛奶异味",
        summary=f"{complaint.contact_name}（{complaint.contact_phone}）投诉牛奶有异味。",
        handling="退款 50 元",
        lesson="先致歉，再核实批次。",
        now=now,
    )
    assert complaint.contact_name not in case.summary
    assert complaint.contact_phone not in case.summary
    assert list(case_search(user=users["agent"], category="product_quality")) == [case]
    assert list(case_search(user=users["agent"], category="logistics")) == []
    assert list(case_search(user=users["agent"], q="批次")) == [case]
