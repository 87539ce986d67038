"""Registering a complaint from any channel (SPEC IN-1…IN-10, CL-2, DP-1, DP-5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.complaints.events import event_build, events_recorded
from kesu.complaints.models import Complaint, Status
from kesu.complaints.numbering import format_number, next_serial, period_of
from kesu.complaints.search import index_for_search, sync_inserted
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.validation import IntakeData, parse_intake
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed
from kesu.core.inserts import insert_together
from kesu.core.reference import reference_scope, remembered
from kesu.customers.models import Customer
from kesu.customers.services import customer_get_or_create
from kesu.deadlines.services import InitialDeadlines, initial_deadlines, opening_rows
from kesu.notifications.services import notify_users
from kesu.triage.intelligence import Advice
from kesu.triage.intelligence import advise as triage_advise
from kesu.triage.intelligence import intake_rows as triage_intake_rows
from kesu.triage.manufacturing import Grading
from kesu.triage.manufacturing import grade as manufacturing_grade
from kesu.triage.models import SEVERITY_RANK, Severity, TriagePolicy

COMPLAINT_DESK = "customer_service"


def complaint_register(
    *, actor: User | None, payload: Mapping[str, Any], now: dt.datetime, historical: bool = False
) -> Complaint:
    """Validate `payload` and register the complaint. `actor` is None for the public portal.
    `historical` (a spreadsheet of past complaints, kesu/imports): no SLA clocks are started and
    nobody is notified; the importer then records the row's status and outcome."""
    if actor is not None and actor.role == Role.AUDITOR:
        raise PermissionDenied(_("Auditors have read-only access."))
    # One intake sees one version of the reference data, from this process's memory when it is
    # current (kesu/core/reference.py).
    with reference_scope():
        data = parse_intake(payload, now=now)
        return _register(actor=actor, data=data, now=now, historical=historical)


def _manufacturing_grading(data: IntakeData) -> Grading | None:
    """CL-5: a quality complaint's loss, defective quantity or nature may make it serious."""
    if data.category is None and data.amount_claimed is None and data.product_quantity is None:
        return None
    return manufacturing_grade(
        policy=remembered("triage.policy", TriagePolicy.current),
        category_code=data.category.code if data.category else None,
        amount_claimed=data.amount_claimed,
        quantity=data.product_quantity,
    )


def route(data: IntakeData) -> Department | None:
    """The department a registration gives `data` (DP-1, IN-6)."""
    if data.category is not None:
        department = data.category.responsible_department()
        if department is not None:
            return department
    # First-contact responsibility (IN-6): anything unrouted lands at the complaint desk.
    return remembered("complaints.complaint_desk", lambda: Department.objects.filter(code=COMPLAINT_DESK).first())


@dataclass(frozen=True)
class Triage:
    """How a registration grades a complaint: the rules' and the classifier's advice, and the
    severity it takes with where that came from."""

    advice: Advice
    severity: str
    severity_source: str
    grading: Grading | None


def registration_triage(data: IntakeData) -> Triage:
    """The severity a registration gives `data` (a read: rules, classifier, CL-5 grading); the
    bulk import (kesu/imports/bulk.py) grades its rows with it too."""
    text = " ".join([data.title, data.description, data.demand, data.location, data.product_name])
    # The rules, and the organisation's classifier beside them (kesu/triage/intelligence.py):
    # a rule hit on a major criterion always wins; the classifier may raise the grading.
    advice = triage_advise(text=text, channel=data.channel)
    severity = data.severity or advice.severity
    severity_source = "intake" if data.severity else advice.source
    grading = None if data.severity else _manufacturing_grading(data)
    if grading is not None and SEVERITY_RANK[Severity(grading.severity)] > SEVERITY_RANK[Severity(severity)]:
        severity, severity_source = grading.severity, "grading"  # CL-5: loss, defect quantity, nature
    return Triage(advice=advice, severity=severity, severity_source=severity_source, grading=grading)


def registered_event_data(
    *,
    data: IntakeData,
    triage: Triage,
    department: Department | None,
    on_duty: User | None,
    related: Complaint | None,
    historical: bool,
) -> dict[str, Any]:
    """The `registered` event's data (and its audit record's)."""
    suggestion = triage.advice.rule
    grading = triage.grading
    return {
        "channel": data.channel,
        "severity": triage.severity,
        "severity_source": triage.severity_source,
        "severity_rule": suggestion.rule.code if suggestion.rule else None,
        "matched": suggestion.matched if suggestion.rule else "",
        "classifier": triage.advice.version.version if triage.advice.version else None,
        **({"grading": list(grading.reasons)} if triage.severity_source == "grading" and grading else {}),
        "department": department.code if department else None,
        **({"on_duty": on_duty.username} if on_duty else {}),
        "related_to": related.number if related else None,
        **({"historical": True} if historical else {}),
    }


def complaint_build(
    *,
    data: IntakeData,
    triage: Triage,
    number: str,
    period: str,
    serial: int,
    customer: Customer | None,
    department: Department | None,
    on_duty: User | None,
    actor: User | None,
    related: Complaint | None,
    deadlines: InitialDeadlines | None,
    now: dt.datetime,
) -> Complaint:
    """The new complaint's row, unsaved (no deadlines: a historical one; the bulk import builds
    its rows with it too, the customer and number set after)."""
    return Complaint(
        number=number,
        period=period,
        serial=serial,
        status=Status.REGISTERED,
        channel=data.channel,
        severity=triage.severity,
        severity_rule=triage.advice.rule.rule if triage.severity_source == "rule" else None,
        severity_source=triage.severity_source,
        urgency=data.urgency,
        category=data.category,
        customer=customer,
        contact_name=data.customer_name,
        contact_phone=data.customer_phone or "",
        contact_email=data.customer_email or "",
        title=data.title,
        description=data.description,
        received_at=data.received_at,
        location=data.location,
        product_name=data.product_name,
        product_sku=data.product_sku,
        product_lot=data.product_lot,
        order_no=data.order_no,
        product_quantity=data.product_quantity,
        delivery_date=data.delivery_date,
        sample_kept=data.sample_kept,
        demand=data.demand,
        amount_claimed=data.amount_claimed,
        overseas=data.overseas,
        external_ref=data.external_ref,
        department=department,
        assignee=on_duty,
        recorded_by=actor,
        related_to=related,
        acknowledge_due=deadlines.acknowledge_due if deadlines else None,
        reply_due=deadlines.reply_due if deadlines else None,
        close_due=deadlines.close_due if deadlines else None,
        created_at=now,
        updated_at=now,
        language=data.language or settings.LANGUAGE_CODE,
    )


def _register(*, actor: User | None, data: IntakeData, now: dt.datetime, historical: bool = False) -> Complaint:
    related = None
    if data.related_to:
        # Staff may refer only to a complaint they may read (else its existence would leak).
        candidates = visible_complaints(actor) if actor is not None else Complaint.objects.none()
        related = candidates.filter(number=data.related_to).first()
        if related is None:
            raise ValidationFailed([FieldError("related_to", _("No complaint has this number."), "not_found")])
    triage = registration_triage(data)
    advice, severity = triage.advice, triage.severity
    department = route(data)
    on_duty = _agent_on_duty(data=data, department=department, actor=actor, now=now)
    deadlines = initial_deadlines(
        received_at=data.received_at,
        severity=severity,
        urgency=data.urgency,
        channel=data.channel,
        category_code=data.category.code if data.category else None,
        overseas=data.overseas,
    )
    period = period_of(data.received_at)
    with transaction.atomic():
        customer = customer_get_or_create(
            name=data.customer_name, phone=data.customer_phone, email=data.customer_email, now=now
        )
        # The month's counter is locked from here to the commit, so it is taken after every read
        # and the customer's write, just before the rows that carry the number (numbering.py).
        serial = next_serial(period)
        complaint = complaint_build(
            data=data,
            triage=triage,
            number=format_number(period, serial),
            period=period,
            serial=serial,
            customer=customer,
            department=department,
            on_duty=on_duty,
            actor=actor,
            related=related,
            deadlines=None if historical else deadlines,
            now=now,
        )
        index_for_search(complaint)
        complaint.save(force_insert=True)
        sync_inserted(complaint)
        # The event, its audit record and the triage suggestion go in with the deadline rows: on
        # PostgreSQL one statement (kesu/core/inserts.py).
        event, audit = event_build(
            complaint=complaint,
            kind="registered",
            actor=actor,
            at=now,
            to_status=Status.REGISTERED,
            data=registered_event_data(
                data=data,
                triage=triage,
                department=department,
                on_duty=on_duty,
                related=related,
                historical=historical,
            ),
            internal=False,
        )
        rows: list[Model] = [
            event,
            audit,
            *triage_intake_rows(
                complaint=complaint, advice=advice, actor=actor, chose_severity=data.severity or "", now=now
            ),
        ]
        if historical or severity == "major" or data.settlement:
            # What follows writes rows of its own after these (the checklist, the settling transition).
            insert_together(rows)
            events_recorded(event=event, complaint=complaint, at=now)
            if historical:
                return complaint
            if severity == "major":
                notify_major(complaint=complaint, now=now)
                from kesu.incidents.services import incident_open_for_major  # DP-6: the checklist of its kind

                incident_open_for_major(complaint=complaint, now=now, actor=actor)
            if data.settlement:
                _settle_at_intake(complaint=complaint, actor=actor, settlement=data.settlement, now=now)
            insert_together(opening_rows(complaint=complaint, initial=deadlines, now=now))
        else:
            insert_together([*rows, *opening_rows(complaint=complaint, initial=deadlines, now=now)])
            events_recorded(event=event, complaint=complaint, at=now)
    return complaint


# New phone and walk-in complaints at the complaint desk go to the agent on duty (OP-1, kesu/desk),
# unless an agent took them: whoever receives a complaint owns it until it is handed over (IN-6).
ON_DUTY_CHANNELS = frozenset({"phone", "walk_in"})


def takes_agent_on_duty(*, channel: str, department: Department | None, actor: User | None) -> bool:
    """Whether a complaint so registered goes to the agent on duty (OP-1, IN-6)."""
    if channel not in ON_DUTY_CHANNELS or department is None or department.code != COMPLAINT_DESK:
        return False
    # First-contact responsibility: the agent who took it keeps it (the queue's 我的待办).
    return not (actor is not None and actor.role == Role.AGENT)


def _agent_on_duty(
    *, data: IntakeData, department: Department | None, actor: User | None, now: dt.datetime
) -> User | None:
    if not takes_agent_on_duty(channel=data.channel, department=department, actor=actor):
        return None
    from kesu.desk.roster import agent_on_duty

    return agent_on_duty(now=now, prefer=actor)


def notify_major(*, complaint: Complaint, now: dt.datetime) -> None:
    """DP-5: a major complaint is reported at once to the GM and the customer-service manager."""
    recipients = User.objects.filter(is_active=True).filter(
        Q(role=Role.GM)
        | Q(role=Role.MANAGER, department__code=COMPLAINT_DESK)
        | Q(role=Role.MANAGER, department__isnull=True)
    )
    subject = _("Major complaint %(number)s") % {"number": complaint.number}
    body = _(
        "A major complaint was registered.\nNumber: %(number)s\nReceived: %(received)s\n"
        "Channel: %(channel)s\nSummary: %(summary)s\n"
    ) % {
        "number": complaint.number,
        "received": complaint.received_at.isoformat(),
        "channel": complaint.get_channel_display(),
        "summary": (complaint.title or complaint.description)[:200],
    }
    notify_users(
        users=list(recipients), kind="major_complaint", subject=subject, body=body, now=now, complaint=complaint
    )


def _settle_at_intake(
    *, complaint: Complaint, actor: User | None, settlement: dict[str, str], now: dt.datetime
) -> None:
    """IN-7 resolved contact / IN-8 on-the-spot settlement: registered and closed at once, by the
    system transition of that name (kesu/complaints/workflow.py)."""
    from kesu.complaints import workflow
    from kesu.complaints.services.transitions import apply_transition

    if actor is None:
        raise PermissionDenied(_("Only staff can record a settlement at intake."))
    rule = workflow.find(complaint.status, settlement["kind"])
    assert rule is not None, "the transition table settles a registered complaint"
    apply_transition(
        complaint=complaint,
        rule=rule,
        actor=actor,
        now=now,
        params={
            "kind": settlement["kind"],
            "result": settlement["result"],
            "customer_answer": settlement.get("customer_answer", ""),
        },
    )


def number_prefix() -> str:
    return settings.KESU_NUMBER_PREFIX
