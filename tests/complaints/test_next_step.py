"""The one-line next step of a complaint, per state (a pure function: no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kesu.complaints.next_step import NextStepFacts, next_step


def step(**facts):
    return next_step(NextStepFacts(**facts))


@pytest.mark.parametrize(
    ("facts", "text", "who"),
    [
        ({"status": "registered"}, "等待客服受理投诉", "客服"),
        ({"status": "acknowledged"}, "等待主管分派投诉", "主管"),
        ({"status": "assigned", "department": "品质部"}, "等待品质部开始调查", "品质部"),
        ({"status": "assigned", "department": "品质部", "assignee": "李四"}, "等待李四开始调查", "李四"),
        ({"status": "investigating", "department": "品质部"}, "等待品质部调查", "品质部"),
        (
            {"status": "investigating", "department": "品质部", "investigation_recorded": True},
            "等待品质部提出解决方案",
            "品质部",
        ),
        (
            {
                "status": "investigating",
                "department": "品质部",
                "investigation_recorded": True,
                "solution_status": "customer_rejected",
            },
            "顾客拒绝了方案，等待品质部提出新方案",
            "品质部",
        ),
        (
            {
                "status": "investigating",
                "department": "品质部",
                "investigation_recorded": True,
                "solution_status": "approval_rejected",
            },
            "核准被驳回，等待品质部提出新方案",
            "品质部",
        ),
        (
            {
                "status": "solution_proposed",
                "solution_status": "pending_approval",
                "solution_total": Decimal("150.00"),
                "approver": "客服经理",
            },
            "等待客服经理核准 150.00 元",
            "客服经理",
        ),
        ({"status": "solution_proposed", "solution_status": "approved"}, "等待顾客确认方案", "客户"),
        ({"status": "implementing", "assignee": "李四"}, "等待李四落实方案并办结", "李四"),
        (
            {"status": "implementing", "open_tasks": ("品质部", "物流部")},
            "等待品质部、物流部完成部门任务",
            "品质部、物流部",
        ),
        ({"status": "resolved"}, "待回访", "客服"),
        ({"status": "resolved", "callback": "not_satisfied"}, "待回访", "客服"),
        ({"status": "resolved", "callback": "satisfied"}, "等待经理结案", "经理"),
    ],
)
def test_each_open_state_says_what_happens_next_and_who_does_it(facts, text, who):
    result = step(**facts)
    assert (result.text, result.who, result.done) == (text, who, False)


@pytest.mark.parametrize(
    ("status", "text"),
    [
        ("closed", "已结案，无需进一步处理"),
        ("withdrawn", "顾客已撤诉，无需进一步处理"),
        ("invalid", "已判定为无效投诉；如无申诉，无需进一步处理"),
    ],
)
def test_ended_complaints_need_nothing_more(status, text):
    result = step(status=status, paused="等待顾客")
    assert (result.text, result.who, result.done, result.paused) == (text, "", True, "")


def test_a_merged_complaint_points_to_where_it_is_handled():
    assert step(status="merged", merged_into="TS202601010001").text == "已合并至 TS202601010001，在该投诉中处理"


def test_paused_clocks_are_said_with_the_step():
    result = step(status="investigating", department="品质部", paused="等待顾客补充材料")
    assert result.text == "等待品质部调查"
    assert result.paused == "时限已暂停：等待顾客补充材料。"


def test_no_handler_yet_reads_the_handler():
    assert step(status="assigned").text == "等待经办人开始调查"


def test_in_english_and_traditional_chinese():
    with translation.override("en"):
        result = step(
            status="solution_proposed",
            solution_status="pending_approval",
            solution_total=Decimal("1500"),
            approver="customer service manager",
        )
        assert result.text == "Waiting for customer service manager to approve CNY 1,500.00"
    with translation.override("zh-hant"):
        assert step(status="solution_proposed", solution_status="approved").text == "等待顧客確認方案"
