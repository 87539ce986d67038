"""The investigation record (SPEC IV-1, IV-2, CL-1 level 4, CL-4): findings, evidence, the 5W1H
facts of a product complaint, root cause, cause class and responsibility with loss and penalty.

Not a status move; like every write it runs in one transaction with its timeline event and
audit record. A solution can be proposed only once the root cause and responsibility are
recorded (the guard `investigation_missing` in the transition table)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.events import record_event
from kesu.complaints.models import Attachment, Complaint, Status
from kesu.complaints.search import complaint_reindex
from kesu.complaints.services.access import complaint_for_action, refuse_read_only
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, FieldError, ValidationFailed
from kesu.deadlines import engine
from kesu.deadlines.models import ComplaintDeadline
from kesu.deadlines.policies import INVESTIGATION_REPORT, INVESTIGATION_REPORT_RULE
from kesu.deadlines.selectors import deadline_config
from kesu.deadlines.services import deadline_meet, deadline_track
from kesu.resolution.common import department_ref, user_ref
from kesu.resolution.models import CauseClass, Investigation, Responsibility
from kesu.triage.models import Category

# While the facts may be recorded or corrected.
INVESTIGATION_STATUSES = frozenset(
    {Status.ASSIGNED, Status.INVESTIGATING, Status.SOLUTION_PROPOSED, Status.IMPLEMENTING, Status.RESOLVED}
)
TEXT_FIELDS: dict[str, tuple[str, int]] = {
    # payload key → (model field, max length)
    "findings": ("findings", 10000),
    "root_cause": ("root_cause", 4000),
    "lot_number": ("lot_number", 80),
    "bill_of_materials": ("bill_of_materials", 4000),
    "process_records": ("process_records", 4000),
    "lab_analysis": ("lab_analysis", 4000),
}
FACTS = ("what", "who", "when", "where", "why", "how")


def parse_investigation(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The fields present in `payload`, parsed; absent fields are left as they are."""
    c = Collector()
    values: dict[str, Any] = {}
    for key, (field, max_length) in TEXT_FIELDS.items():
        if key in payload:
            values[field] = c.text(payload, key, key, max_length=max_length)
    facts = payload.get("five_w1h")
    if facts is not None:
        if not isinstance(facts, Mapping):
            c.add("five_w1h", _("Send the 5W1H facts as an object with what, who, when, where, why, how."), "type")
        else:
            for key in facts:
                if key not in FACTS:
                    c.add(
                        f"five_w1h.{key}",
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(FACTS)},
                        "invalid_choice",
                    )
            for key in FACTS:
                if key in facts:
                    values[f"fact_{key}"] = c.text(facts, key, f"five_w1h.{key}", max_length=4000)
    if "cause_class" in payload:
        values["cause_class"] = c.choice(payload, "cause_class", "cause_class", CauseClass) or ""
    if "responsibility" in payload:
        values["responsibility"] = c.choice(payload, "responsibility", "responsibility", Responsibility) or ""
    if "responsible_department" in payload:
        values["responsible_department"] = department_ref(
            c, payload, "responsible_department", "responsible_department"
        )
    if "responsible_person" in payload:
        values["responsible_person"] = user_ref(c, payload, "responsible_person", "responsible_person")
    for key, field in (("loss_amount", "loss_amount"), ("penalty_amount", "penalty_amount")):
        if key in payload:
            values[field] = c.amount(payload, key, key)
    if "reason_category" in payload:
        code = payload.get("reason_category")
        category = None
        if code not in (None, ""):
            category = Category.objects.filter(code=str(code)[:120], active=True).first()
            if category is None:
                c.add("reason_category", _("Unknown category: %(code)s.") % {"code": str(code)[:120]}, "invalid_choice")
            elif category.level != 4:
                c.add("reason_category", _("Choose a level-4 reason (set once the facts are verified)."), "not_level_4")
                category = None
        values["reason_category"] = category
    if "evidence" in payload:
        ids = payload.get("evidence")
        if not isinstance(ids, list) or any(isinstance(i, bool) or not isinstance(i, int) for i in ids):
            c.add("evidence", _("Send the evidence as a list of attachment ids."), "type")
        elif len(ids) > 100:
            c.add("evidence", _("Link at most 100 attachments."), "too_many")
        else:
            values["evidence"] = sorted(set(ids))
    if not values and not c.errors:
        c.add(None, _("Give at least one investigation field."), "required")
    c.raise_if_any()
    return values


def investigation_record(*, actor: User, number: str, values: Mapping[str, Any], now: dt.datetime) -> Investigation:
    """Create or update the complaint's investigation with the parsed `values`."""
    refuse_read_only(actor)
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number, own_work=True)
        if complaint.status not in INVESTIGATION_STATUSES:
            raise Conflict(
                _("The investigation can be recorded once the complaint is assigned and until it is closed."),
                code="invalid_state",
            )
        investigation = Investigation.objects.filter(complaint=complaint).first()
        created = investigation is None
        if investigation is None:
            investigation = Investigation(complaint=complaint, recorded_by=actor, recorded_at=now)
        before = _summary(investigation) if not created else {}
        evidence_ids = values.get("evidence")
        for field, value in values.items():
            if field != "evidence":
                setattr(investigation, field, value)
        _check(complaint, investigation, evidence_ids)
        investigation.updated_by, investigation.updated_at = actor, now
        investigation.save()
        if {"findings", "root_cause"} & set(values):
            complaint_reindex(complaint)  # the findings are searchable
        if evidence_ids is not None:
            investigation.evidence.set(evidence_ids)
        if investigation.ready_for_solution:
            deadline_meet(complaint=complaint, kind=INVESTIGATION_REPORT, now=now)  # IV-3: the report is in
        after = _summary(investigation)
        changed = sorted(k for k in after if before.get(k) != after[k]) if not created else sorted(values)
        record_event(
            complaint=complaint,
            kind="investigation_recorded",
            actor=actor,
            at=now,
            note=investigation.root_cause if "root_cause" in values else "",
            data={
                "created": created,
                "changed": changed,
                **{
                    k: after[k]
                    for k in (
                        "responsibility",
                        "cause_class",
                        "responsible_department",
                        "responsible_person",
                        "reason_category",
                        "loss_amount",
                        "penalty_amount",
                    )
                },
            },
        )
    return investigation


def _check(complaint: Complaint, investigation: Investigation, evidence_ids: list[int] | None) -> None:
    errors: list[FieldError] = []
    if investigation.responsibility == Responsibility.OURS and investigation.responsible_department is None:
        errors.append(
            FieldError(
                "responsible_department", _("Name the responsible department when the fault is ours."), "required"
            )
        )
    person = investigation.responsible_person
    department = investigation.responsible_department
    if person is not None and department is not None and person.department_id != department.pk:
        errors.append(
            FieldError(
                "responsible_person",
                _("%(user)s is not in %(department)s.") % {"user": person.username, "department": department.name},
                "wrong_department",
            )
        )
    if evidence_ids:
        known = set(Attachment.objects.filter(complaint=complaint, pk__in=evidence_ids).values_list("pk", flat=True))
        missing = [i for i in evidence_ids if i not in known]
        if missing:
            errors.append(
                FieldError(
                    "evidence",
                    _("No attachment of this complaint has the id %(ids)s.")
                    % {"ids": ", ".join(str(i) for i in missing[:10])},
                    "not_found",
                )
            )
    if errors:
        raise ValidationFailed(errors)


def _summary(investigation: Investigation) -> dict[str, Any]:
    def text(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        return value

    return {
        **{field: getattr(investigation, field) for field, _max in TEXT_FIELDS.values()},
        **{f"fact_{key}": getattr(investigation, f"fact_{key}") for key in FACTS},
        "cause_class": investigation.cause_class,
        "responsibility": investigation.responsibility,
        "responsible_department": (
            investigation.responsible_department.code if investigation.responsible_department else None
        ),
        "responsible_person": (investigation.responsible_person.username if investigation.responsible_person else None),
        "reason_category": investigation.reason_category.code if investigation.reason_category else None,
        "loss_amount": text(investigation.loss_amount),
        "penalty_amount": text(investigation.penalty_amount),
        "evidence": sorted(investigation.evidence.values_list("pk", flat=True)) if investigation.pk else [],
    }


def investigation_report_open(*, complaint: Complaint, now: dt.datetime) -> ComplaintDeadline | None:
    """IV-3: when the investigation starts, the report is due within 3 days (the
    `investigation_report` deadline), met once the record is complete (root cause and
    responsibility). Opened once per complaint: starting again after a reassignment keeps it.
    Call inside the `start_investigation` transaction, the complaint locked."""
    if ComplaintDeadline.objects.filter(complaint_id=complaint.pk, kind=INVESTIGATION_REPORT).exists():
        return None
    due = engine.compute_due(now, INVESTIGATION_REPORT_RULE, deadline_config().calendar)
    row = deadline_track(
        complaint=complaint,
        kind=INVESTIGATION_REPORT,
        started_at=now,
        due_at=due,
        unit=INVESTIGATION_REPORT_RULE.unit,
        amount=INVESTIGATION_REPORT_RULE.amount,
        source={"source": "investigation"},
        now=now,
    )
    investigation = Investigation.objects.filter(complaint=complaint).only("root_cause", "responsibility").first()
    if investigation is not None and investigation.ready_for_solution:
        return deadline_meet(complaint=complaint, kind=INVESTIGATION_REPORT, now=now)
    return row


def investigation_missing(complaint: Complaint) -> str | None:
    """Why a solution cannot be proposed yet, or None when root cause and responsibility are recorded."""
    investigation = Investigation.objects.filter(complaint=complaint).only("root_cause", "responsibility").first()
    if investigation is None or not investigation.root_cause.strip():
        return _("Record the root cause and the responsibility before proposing a solution.")
    if not investigation.responsibility:
        return _("Record who is responsible before proposing a solution.")
    return None
