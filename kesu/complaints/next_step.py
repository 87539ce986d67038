"""What happens next on a complaint, and who does it, in one line (issue 8, item 5).

A pure function of facts the complaint page has already read (status, the solution and its
approval, the investigation, open department tasks, the callback, a pause of the clocks): it
reads nothing and writes nothing, so every state is unit-tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


@dataclass(frozen=True)
class NextStepFacts:
    status: str
    assignee: str = ""  # the assignee's name, if any
    department: str = ""  # the department's name, if any
    investigation_recorded: bool = False
    solution_status: str = ""  # the current solution's status, "" when none
    solution_total: Decimal | None = None
    approver: str = ""  # the role whose authority covers the pending solution
    open_tasks: tuple[str, ...] = ()  # departments with an open task
    callback: str = ""  # since the resolution: "" none reached, "satisfied", "not_satisfied"
    paused: str = ""  # the reason the clocks are paused, "" when running
    merged_into: str = ""


@dataclass(frozen=True)
class NextStep:
    text: str
    who: str  # who acts next ("" when nobody has to)
    done: bool = False  # the complaint needs nothing more
    paused: str = ""  # "the clocks are paused: …", shown with the step


def amount_text(total: Decimal) -> str:
    return _("%(amount)s CNY") % {
        "amount": formats.number_format(total, decimal_pos=2, use_l10n=True, force_grouping=True)
    }


def next_step(f: NextStepFacts) -> NextStep:
    step = _step(f)
    if f.paused and not step.done:
        return NextStep(
            step.text, step.who, step.done, _("The deadlines are paused: %(reason)s.") % {"reason": f.paused}
        )
    return step


def _handler(f: NextStepFacts) -> str:
    return f.assignee or f.department or _("the handler")


def _step(f: NextStepFacts) -> NextStep:
    s = f.status
    if s == "registered":
        who = _("customer service")
        return NextStep(_("Waiting for customer service to acknowledge the complaint"), who)
    if s == "acknowledged":
        who = _("a supervisor")
        return NextStep(_("Waiting for a supervisor to assign the complaint"), who)
    if s == "assigned":
        who = _handler(f)
        return NextStep(_("Waiting for %(who)s to start the investigation") % {"who": who}, who)
    if s == "investigating":
        who = _handler(f)
        if not f.investigation_recorded:
            return NextStep(_("Waiting for %(who)s to investigate") % {"who": who}, who)
        if f.solution_status == "customer_rejected":
            return NextStep(
                _("The customer rejected the solution: waiting for %(who)s to propose another") % {"who": who}, who
            )
        if f.solution_status == "approval_rejected":
            return NextStep(
                _("Approval was refused: waiting for %(who)s to propose another solution") % {"who": who}, who
            )
        return NextStep(_("Waiting for %(who)s to propose a solution") % {"who": who}, who)
    if s == "solution_proposed":
        if f.solution_status == "pending_approval":
            who = f.approver or _("an approver")
            amount = amount_text(f.solution_total or Decimal("0"))
            return NextStep(_("Waiting for %(who)s to approve %(amount)s") % {"who": who, "amount": amount}, who)
        who = _("the customer")
        return NextStep(_("Waiting for the customer to accept the solution"), who)
    if s == "implementing":
        if f.open_tasks:
            who = pgettext("list separator", ", ").join(f.open_tasks)
            return NextStep(_("Waiting for %(who)s to finish their department tasks") % {"who": who}, who)
        who = _handler(f)
        return NextStep(_("Waiting for %(who)s to carry out the solution and mark it resolved") % {"who": who}, who)
    if s == "resolved":
        if f.callback == "satisfied":
            who = _("a manager")
            return NextStep(_("Waiting for a manager to close the complaint"), who)
        who = _("customer service")
        return NextStep(_("Awaiting the callback to the customer"), who)
    if s == "closed":
        return NextStep(_("Closed: nothing more to do"), "", done=True)
    if s == "withdrawn":
        return NextStep(_("Withdrawn by the customer: nothing more to do"), "", done=True)
    if s == "merged":
        return NextStep(
            _("Merged into %(number)s: it is handled there") % {"number": f.merged_into or "—"}, "", done=True
        )
    if s == "invalid":
        return NextStep(_("Ruled invalid: nothing more to do unless the ruling is appealed"), "", done=True)
    return NextStep(_("Nothing is planned"), "", done=True)
