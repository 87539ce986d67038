"""The action spec (kesu/complaints/actions.py) and the transition table agree, everything that
lists actions derives from them, and no module writes a complaint's status but apply_transition."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

from kesu.api.schemas import TransitionIn
from kesu.complaints import actions, workflow

ROOT = Path(__file__).resolve().parents[2] / "kesu"


def test_every_action_in_the_spec_is_in_the_table_and_vice_versa():
    in_table = {workflow.Action(t.action).value for t in workflow.TRANSITIONS}
    assert in_table == set(actions.SPECS) == set(workflow.Action.values)


def test_people_take_the_contract_actions_and_the_system_the_rest():
    assert set(workflow.ALL_ACTIONS) | set(workflow.SYSTEM_ACTIONS) == set(workflow.Action.values)
    assert not set(workflow.ALL_ACTIONS) & set(workflow.SYSTEM_ACTIONS)
    for transition in workflow.TRANSITIONS:
        system = transition.action in workflow.SYSTEM_ACTIONS
        assert (transition.roles == workflow.SYSTEM) == system, transition
        assert (actions.SPECS[transition.action].parse is None) == system, transition


def test_only_the_customer_actions_are_open_to_the_customer():
    assert {"customer_accept", "customer_reject"} == actions.CUSTOMER_ACTIONS


def test_the_api_schema_lists_the_spec_actions_and_their_parameters():
    assert typing.get_args(TransitionIn.model_fields["action"].annotation) == workflow.ALL_ACTIONS
    assert set(TransitionIn.model_fields) - {"action"} == actions.PAYLOAD_FIELDS


def test_every_action_has_a_label():
    for action in workflow.Action:
        assert str(action.label) and action.label != action.value


def _status_writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                base = target.value
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                if "complaint" in name.lower() or name in {"c", "target"}:
                    lines.append(node.lineno)
        # Complaint.objects....update(status=...) and bulk updates naming the status field
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            chain = ast.unparse(node.func.value)
            if "Complaint.objects" in chain and any(k.arg == "status" for k in node.keywords):
                lines.append(node.lineno)
    return lines


def test_no_module_writes_the_complaint_status_outside_apply_transition():
    allowed = {("complaints/services/transitions.py", "apply_transition")}
    found = []
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT).as_posix()
        for func in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
            for line in _status_writes(func):
                if (rel, func.name) not in allowed:
                    found.append(f"{rel}:{line} in {func.name}")
    assert sorted(set(found)) == []


def test_the_sweep_writes_the_status_only_as_apply_transition_left_it():
    # The sweep bulk-writes complaints (status among the fields) after apply_transition ran on them.
    source = (ROOT / "deadlines" / "sweep.py").read_text(encoding="utf-8")
    assert "apply_transition(" in source
    assert "complaint.status =" not in source


def _written_kinds() -> set[str]:
    kinds = set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "record_event":
                for keyword in node.keywords:
                    if keyword.arg == "kind" and isinstance(keyword.value, ast.Constant):
                        kinds.add(keyword.value.value)
            elif name == "event" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                kinds.add(node.args[1].value)
    return kinds


def test_every_event_kind_written_has_a_label():
    from kesu.complaints.events import EventKind
    from kesu.complaints.services.public import CUSTOMER_RATING

    written = _written_kinds() | set(workflow.Action.values) | {CUSTOMER_RATING}
    assert len(written) > 30
    assert written - set(EventKind.values) == set()


def test_event_kind_labels_are_translated():
    from django.utils import translation

    from kesu.complaints.events import event_kind_label

    with translation.override("zh-hans"):
        assert event_kind_label("deadline_missed") != "Deadline missed"
        assert event_kind_label("auto_closed_unreachable") != "Closed automatically: customer unreachable"
        assert event_kind_label("something_new") == "something_new"


def test_the_api_schema_takes_the_domain_choices():
    from kesu.complaints.services.action_params import INVALID_REASONS
    from kesu.resolution.models import ContactMethod, InvalidReason

    method = TransitionIn.model_fields["method"].annotation
    assert typing.get_args(typing.get_args(method)[0]) == tuple(ContactMethod.values)
    assert tuple(InvalidReason.values) == INVALID_REASONS
