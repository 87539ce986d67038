"""SLA policies: the SPEC §7 defaults, the regulatory presets, and how a policy is chosen.

A policy matches a complaint when each of its match fields (severity, urgency, channel,
category with its sub-categories, overseas) is blank or equal. Among the matches for a
deadline kind, a switched-on regulatory preset wins over the organisation's own policies
(the regulation is what is audited); otherwise the most specific policy wins (more match
fields set, then a deeper category), and on a tie the older one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from kesu.accounts.models import Role
from kesu.deadlines.engine import CALENDAR_DAYS, HOURS, WORKING_DAYS, Rule
from kesu.deadlines.foreign import UK, US

ACKNOWLEDGE, REPLY, CLOSE = "acknowledge", "reply", "close"
CALLBACK_CONTACT = "callback_contact"
# Further built-in kinds (SPEC §7): the 48-hour hard limit of the acknowledgement, registration
# (regulator referrals, the scenic area's first hour), and the scenic area's investigation,
# carrying out and reporting of the result.
ACKNOWLEDGE_LIMIT = "acknowledge_limit"
REGISTER = "register"
INVESTIGATE = "investigation_start"
CARRY_OUT = "carry_out"
REPORT_RESULT = "report_result"
# Deadlines a step of the handling sets rather than a policy (basis `tracked`): RS-2, the date
# a solution is to be carried out, named with it; IV-3, the investigation report, due within
# 3 days of the investigation starting and met when the record is complete.
SOLUTION_DUE = "solution_due"
INVESTIGATION_REPORT = "investigation_report"
INVESTIGATION_REPORT_RULE = Rule(CALENDAR_DAYS, 3)
# §7 (000 insurer): a violation the handling found is reported to internal audit within 3
# working days of being found (kesu/resolution/internal_audit.py).
INTERNAL_AUDIT_REPORT = "internal_audit_report"
INTERNAL_AUDIT_REPORT_RULE = Rule(WORKING_DAYS, 3)

# When a deadline's clock starts: at receipt (the default), or at a later step of the complaint
# (12315 mediation counts from acceptance; the scenic area's result report from resolution).
RECEIVED, ACKNOWLEDGED, RESOLVED = "received", "acknowledged", "resolved"
STARTS = (RECEIVED, ACKNOWLEDGED, RESOLVED)
# Built-in kinds → the Complaint field that mirrors the deadline (API `deadlines`).
COMPLAINT_FIELDS: dict[str, str] = {ACKNOWLEDGE: "acknowledge_due", REPLY: "reply_due", CLOSE: "close_due"}
# What each built-in deadline is called (marked for translation; translate where shown). A kind
# an administrator adds goes by its own name.
KIND_LABELS: dict[str, str] = {
    ACKNOWLEDGE: gettext_noop("acknowledgement"),
    REPLY: gettext_noop("reply"),
    CLOSE: gettext_noop("closing"),
    CALLBACK_CONTACT: gettext_noop("waiting for the customer to call back"),
    ACKNOWLEDGE_LIMIT: gettext_noop("acknowledgement (hard limit)"),
    REGISTER: gettext_noop("registration"),
    INVESTIGATE: gettext_noop("investigation start"),
    CARRY_OUT: gettext_noop("carrying out the plan"),
    REPORT_RESULT: gettext_noop("reporting the result"),
    SOLUTION_DUE: gettext_noop("carrying out the solution"),
    INVESTIGATION_REPORT: gettext_noop("investigation report"),
    INTERNAL_AUDIT_REPORT: gettext_noop("report to internal audit"),
}


@dataclass(frozen=True)
class Inputs:
    """What a complaint's deadlines depend on."""

    severity: str
    urgency: str
    channel: str
    category_code: str | None
    overseas: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "urgency": self.urgency,
            "channel": self.channel,
            "category": self.category_code,
            "overseas": self.overseas,
        }


@dataclass(frozen=True)
class PolicySpec:
    kind: str
    rule: Rule
    severity: str = ""
    urgency: str = ""
    channel: str = ""
    category_code: str = ""
    overseas: bool | None = None
    policy_id: int | None = None
    preset: str = ""
    name: str = ""
    starts: str = RECEIVED
    calendar: str = ""  # "" the organisation's (Chinese) calendar; "uk", "us": kesu.deadlines.foreign

    def matches(self, inputs: Inputs) -> bool:
        if self.severity and self.severity != inputs.severity:
            return False
        if self.urgency and self.urgency != inputs.urgency:
            return False
        if self.channel and self.channel != inputs.channel:
            return False
        if self.overseas is not None and self.overseas != inputs.overseas:
            return False
        if self.category_code:
            code = inputs.category_code or ""
            if code != self.category_code and not code.startswith(self.category_code + "."):
                return False
        return True

    def specificity(self) -> tuple[int, int, int, int]:
        fields_set = sum(bool(v) for v in (self.severity, self.urgency, self.channel, self.category_code))
        fields_set += self.overseas is not None
        depth = self.category_code.count(".") + 1 if self.category_code else 0
        return (1 if self.preset else 0, fields_set, depth, -(self.policy_id or 0))


@dataclass(frozen=True)
class ExtensionStep:
    """An extension a regulation allows: the deadline's new total and who may approve it."""

    total: int
    roles: frozenset[str]
    label: str


@dataclass(frozen=True)
class Preset:
    code: str
    name: object  # a lazy translatable string
    policies: tuple[PolicySpec, ...]
    extensions: Mapping[str, tuple[ExtensionStep, ...]] = field(default_factory=dict)
    note: str = ""


# SPEC §7 defaults. Seeded as editable SlaPolicy rows; also the fallback when no row matches.
DEFAULT_POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(ACKNOWLEDGE, Rule(HOURS, 24), name="acknowledge within 24 hours"),
    PolicySpec(ACKNOWLEDGE_LIMIT, Rule(HOURS, 48), name="acknowledge at the latest within 48 hours"),
    PolicySpec(REPLY, Rule(WORKING_DAYS, 3), name="reply within 3 working days"),
    PolicySpec(CLOSE, Rule(CALENDAR_DAYS, 15), name="close within 15 calendar days"),
    PolicySpec(CLOSE, Rule(CALENDAR_DAYS, 20), overseas=True, name="overseas: close within 20 calendar days"),
    PolicySpec(ACKNOWLEDGE, Rule(HOURS, 2), severity="major", name="major: first response within 2 hours"),
    PolicySpec(REPLY, Rule(WORKING_DAYS, 1), severity="major", name="major: plan within 1 working day"),
    PolicySpec(CLOSE, Rule(WORKING_DAYS, 7), severity="major", name="major: close within 7 working days"),
)
# Added after the first release: seeded on new installations with the rest, and added to
# existing ones by migration deadlines 0004 (kept apart so that migration knows what to add).
LATER_DEFAULT_POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(
        REGISTER, Rule(WORKING_DAYS, 1), channel="regulator", name="regulator referral: register within 1 working day"
    ),
    # Urgency (CL-3): 加急 and 特急 shorten the deadlines of a 一般 complaint.
    PolicySpec(ACKNOWLEDGE, Rule(HOURS, 12), urgency="urgent", name="urgent: acknowledge within 12 hours"),
    PolicySpec(REPLY, Rule(WORKING_DAYS, 2), urgency="urgent", name="urgent: reply within 2 working days"),
    PolicySpec(CLOSE, Rule(CALENDAR_DAYS, 10), urgency="urgent", name="urgent: close within 10 calendar days"),
    PolicySpec(ACKNOWLEDGE, Rule(HOURS, 4), urgency="critical", name="critical: acknowledge within 4 hours"),
    PolicySpec(REPLY, Rule(WORKING_DAYS, 1), urgency="critical", name="critical: reply within 1 working day"),
    PolicySpec(CLOSE, Rule(CALENDAR_DAYS, 7), urgency="critical", name="critical: close within 7 calendar days"),
)
DEFAULT_POLICIES = DEFAULT_POLICIES + LATER_DEFAULT_POLICIES
# Kinds the SPEC §7 defaults fall back to when no configured policy of that kind matches.
DEFAULT_KINDS = frozenset(spec.kind for spec in DEFAULT_POLICIES)

_MANAGERS = frozenset({Role.ADMIN, Role.MANAGER, Role.GM})
_SENIOR = frozenset({Role.GM})

BANKING_INSURANCE = "cn_banking_insurance"
MARKET_12315 = "cn_market_12315"
US_CFPB = "us_cfpb"
UK_FCA = "uk_fca_disp"
SCENIC_AREA = "cn_scenic_area"
TELECOM = "cn_telecom"
WECHAT_PAY = "wechat_pay_merchant"
ODR_12315 = "cn_12315_odr"
# The channel values the platform connectors register complaints with (kesu.complaints.models.Channel).
WECHAT_PAY_CHANNEL = "wechat_pay"
ODR_12315_CHANNEL = "odr_12315"

PRESETS: dict[str, Preset] = {
    # 《银行业保险业消费投诉处理管理办法》: decision within 15 days of receipt; complex cases up
    # to 30 with the approval of the complaint-handling head; a further 30 with the approval of
    # senior management; time spent on external appraisal or testing is not counted.
    BANKING_INSURANCE: Preset(
        BANKING_INSURANCE,
        _("China banking and insurance consumer complaints"),
        (PolicySpec(CLOSE, Rule(CALENDAR_DAYS, 15), preset=BANKING_INSURANCE, name="decision within 15 days"),),
        {
            CLOSE: (
                ExtensionStep(30, _MANAGERS, "complex case: up to 30 days (complaint-handling head)"),
                ExtensionStep(60, _SENIOR, "a further 30 days (senior management)"),
            )
        },
    ),
    # 《市场监督管理投诉举报处理暂行办法》 (12315): accept or refuse within 7 working days;
    # mediation concluded within 45 working days (appraisal time not counted).
    MARKET_12315: Preset(
        MARKET_12315,
        _("China market regulation 12315 referrals"),
        (
            PolicySpec(
                ACKNOWLEDGE,
                Rule(WORKING_DAYS, 7),
                channel="regulator",
                preset=MARKET_12315,
                name="accept or refuse within 7 working days",
            ),
            PolicySpec(
                CLOSE,
                Rule(WORKING_DAYS, 45),
                channel="regulator",
                preset=MARKET_12315,
                name="mediation within 45 working days of acceptance",
                starts=ACKNOWLEDGED,
            ),
        ),
    ),
    # CFPB: companies respond within 15 days, and give a final response within 60 days.
    US_CFPB: Preset(
        US_CFPB,
        _("US CFPB (international customers)"),
        (
            PolicySpec(
                REPLY,
                Rule(CALENDAR_DAYS, 15),
                overseas=True,
                preset=US_CFPB,
                name="respond within 15 days",
                calendar=US,
            ),
            PolicySpec(
                CLOSE,
                Rule(CALENDAR_DAYS, 60),
                overseas=True,
                preset=US_CFPB,
                name="final response within 60 days",
                calendar=US,
            ),
        ),
    ),
    # FCA DISP 1.5/1.6: summary resolution by close of the third business day after receipt,
    # final response within eight weeks.
    UK_FCA: Preset(
        UK_FCA,
        _("UK FCA DISP (international customers)"),
        (
            PolicySpec(
                REPLY,
                Rule(WORKING_DAYS, 3),
                overseas=True,
                preset=UK_FCA,
                name="summary resolution by the 3rd business day",
                calendar=UK,
            ),
            PolicySpec(
                CLOSE,
                Rule(CALENDAR_DAYS, 56),
                overseas=True,
                preset=UK_FCA,
                name="final response within 8 weeks",
                calendar=UK,
            ),
        ),
    ),
    # A scenic area (000): register within 1 hour, investigate within 2 hours, carry out the
    # plan within 3 working days, report the result within 1 working day of resolving.
    SCENIC_AREA: Preset(
        SCENIC_AREA,
        _("Scenic area: register in 1 hour, investigate in 2 hours"),
        (
            PolicySpec(REGISTER, Rule(HOURS, 1), preset=SCENIC_AREA, name="register within 1 hour"),
            PolicySpec(INVESTIGATE, Rule(HOURS, 2), preset=SCENIC_AREA, name="investigate within 2 hours"),
            PolicySpec(
                CARRY_OUT, Rule(WORKING_DAYS, 3), preset=SCENIC_AREA, name="carry out the plan within 3 working days"
            ),
            PolicySpec(
                REPORT_RESULT,
                Rule(WORKING_DAYS, 1),
                preset=SCENIC_AREA,
                name="report the result within 1 working day",
                starts=RESOLVED,
            ),
        ),
    ),
    # 《电信用户申诉处理办法》 / 电信服务规范: the operator answers a user's complaint within 15 days.
    TELECOM: Preset(
        TELECOM,
        _("China telecommunications: answer within 15 days"),
        (PolicySpec(REPLY, Rule(CALENDAR_DAYS, 15), preset=TELECOM, name="answer within 15 days"),),
    ),
    # WeChat Pay merchant complaints (微信支付商户投诉): the merchant responds within 48 hours.
    WECHAT_PAY: Preset(
        WECHAT_PAY,
        _("WeChat Pay merchant complaints: respond within 48 hours"),
        (
            PolicySpec(
                REPLY,
                Rule(HOURS, 48),
                channel=WECHAT_PAY_CHANNEL,
                preset=WECHAT_PAY,
                name="respond within 48 hours",
            ),
        ),
    ),
    # 12315 online dispute resolution (ODR) enterprises settle directly within 10 working days.
    ODR_12315: Preset(
        ODR_12315,
        _("12315 online dispute resolution (ODR): settle within 10 working days"),
        (
            PolicySpec(
                CLOSE,
                Rule(WORKING_DAYS, 10),
                channel=ODR_12315_CHANNEL,
                preset=ODR_12315,
                name="settle within 10 working days",
            ),
        ),
    ),
}


@dataclass(frozen=True)
class Choice:
    kind: str
    spec: PolicySpec


def choose(policies: Iterable[PolicySpec], inputs: Inputs, kinds: Iterable[str]) -> dict[str, PolicySpec]:
    """The winning policy per kind among `policies` (kinds without a match are left out)."""
    wanted = set(kinds)
    best: dict[str, PolicySpec] = {}
    for spec in policies:
        if spec.kind not in wanted or not spec.matches(inputs):
            continue
        current = best.get(spec.kind)
        if current is None or spec.specificity() > current.specificity():
            best[spec.kind] = spec
    return best


def fallback(kind: str, inputs: Inputs) -> PolicySpec | None:
    """The SPEC §7 default for a kind, used when no configured policy matches."""
    return choose(DEFAULT_POLICIES, inputs, [kind]).get(kind)


def serialise_time(value: dt.time | None) -> str | None:
    return value.isoformat() if value else None
