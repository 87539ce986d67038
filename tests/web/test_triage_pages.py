"""Issue 10 in the workspace: intake suggestions, the complaint page's triage panel, linking and
merging with one click, the risk queue and the triage policy in the configuration."""

from __future__ import annotations

from kesu.audit.models import AuditRecord
from kesu.triage.models import ComplaintLink, EscalationRisk, TriagePolicy
from kesu.triage.risk import assess_and_apply


def test_the_intake_check_shows_the_rule_the_fallback_and_the_same_matter(as_user, register):
    earlier = register(description="寄存在存包处的背包里的相机不见了")

    response = as_user("agent").post(
        "/new/check/", {"description": "寄存在存包處的背包裡的相機不見了", "channel": "phone"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "寄存贵重物品遗失" in html  # the rule and its words
    assert 'data-testid="no-model"' in html  # no classifier yet: the rules alone
    assert f'value="{earlier.number}"' in html  # traditional text finds the simplified complaint


def test_the_complaint_panel_names_the_rule_and_offers_link_and_merge(as_user, register):
    earlier = register(description="热水壶底座漏电，手被电麻了")
    complaint = register(description="熱水壺底座漏電，手被電麻了")

    html = as_user("supervisor").get(f"/c/{complaint.number}/triage/").content.decode()

    assert 'data-testid="rule-reason"' in html and "人身伤害" in html
    assert f'name="other" value="{earlier.number}"' in html
    assert f'name="into" value="{earlier.number}"' in html


def test_an_agent_links_with_one_click_but_is_not_offered_merge(as_user, register):
    earlier = register(description="热水壶底座漏电，手被电麻了")
    complaint = register(description="熱水壺底座漏電，手被電麻了")
    agent = as_user("agent")

    assert 'name="into"' not in agent.get(f"/c/{complaint.number}/triage/").content.decode()
    response = agent.post(f"/c/{complaint.number}/triage/link/", {"other": earlier.number, "reason": "text"})

    assert response.status_code == 302
    assert ComplaintLink.objects.filter(complaint=complaint, other=earlier).exists()


def test_a_supervisor_merges_with_one_click(as_user, register):
    earlier = register(description="热水壶底座漏电，手被电麻了")
    complaint = register(description="熱水壺底座漏電，手被電麻了")

    as_user("supervisor").post(f"/c/{complaint.number}/triage/merge/", {"into": earlier.number, "reason": "text"})

    complaint.refresh_from_db()
    assert (complaint.status, complaint.merged_into) == ("merged", earlier)


def test_the_risk_queue_lists_flagged_complaints_with_reasons_for_supervisors_only(as_user, register, now):
    flagged = register(description="不处理我就去法院起诉你们")
    assess_and_apply(complaint=flagged, now=now)

    response = as_user("supervisor").get("/risk/")

    html = response.content.decode()
    assert flagged.number in html and "法院" in html
    assert as_user("agent").get("/risk/").status_code == 403
    assert "/risk/" in as_user("supervisor").get("/").content.decode()  # in the header menu
    assert "/risk/" not in as_user("agent").get("/").content.decode()


def test_assess_now_flags_what_the_sweep_would(as_user, register):
    complaint = register(description="我已经打了12315")

    as_user("supervisor").post("/risk/assess/")

    assert EscalationRisk.objects.get(complaint=complaint).flagged


def test_the_risk_queue_query_count_does_not_grow_with_rows(as_user, register, now, django_assert_max_num_queries):
    for _ in range(3):
        assess_and_apply(complaint=register(description="我要找记者曝光"), now=now)
    client = as_user("supervisor")
    with django_assert_max_num_queries(12):
        client.get("/risk/")
    for _ in range(5):
        assess_and_apply(complaint=register(description="我要找记者曝光"), now=now)
    with django_assert_max_num_queries(12):
        client.get("/risk/")


def test_the_policy_form_refuses_bad_input_keeps_it_and_saves_good_input_audited(as_user):
    manager = as_user("manager")
    assert manager.get("/settings/triage/").status_code == 200
    base = {
        "min_confidence": "0.6",
        "duplicate_window_days": "60",
        "duplicate_similarity": "0.5",
        "risk_threshold": "3",
        "risk_escalation_level": "2",
        "retrain_hours": "12",
        "serious_loss_amount": "8000",
        "serious_defect_quantity": "50",
        "serious_nature_categories": "safety, product_quality.counterfeit",
    }

    refused = manager.post("/settings/triage/policy/", {**base, "min_confidence": "7"})
    assert refused.status_code == 422
    assert 'value="7"' in refused.content.decode()
    assert TriagePolicy.objects.count() == 0

    saved = manager.post("/settings/triage/policy/", base)
    assert saved.status_code == 302
    policy = TriagePolicy.objects.get()
    assert (policy.min_confidence, policy.duplicate_window_days, policy.risk_escalation_level) == (0.6, 60, 2)
    assert (policy.serious_defect_quantity, policy.serious_nature_categories) == (
        50,
        "safety,product_quality.counterfeit",
    )
    assert AuditRecord.objects.filter(action="triage_policy.create").exists()
    assert as_user("agent").get("/settings/triage/").status_code == 403


def test_the_complaint_page_names_the_kind_and_why_a_quality_complaint_is_serious(as_user, register):
    complaint = register(category="product_quality.defect.manufacturing", product={"name": "水壶", "quantity": 120})
    html = as_user("agent").get(f"/c/{complaint.number}/").content.decode()
    assert "质量类投诉" in html and "按损失、不良数量或性质定级" in html
    delivery = register(category="logistics.late")
    assert "交期类投诉" in as_user("agent").get(f"/c/{delivery.number}/").content.decode()
