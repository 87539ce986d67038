"""Major incidents (SPEC DP-5, DP-6): writes.

A complaint that becomes major (at intake, kesu/complaints/services/intake.py, or when it is
reclassified, kesu/complaints/services/classification.py) gets the checklist of its kind, called
explicitly from there in the same transaction; the people its kind's template names are told
through the outbox. Each item has an owner and a due time; only the owner ticks it off; the sweep
(kesu/incidents/tasks.py) escalates the ones overdue. Media enquiries are answered only by the
customer-service manager; a crisis team is convened and its decisions recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import FRONT_DESK, STAFF_ROLES
from kesu.audit.services import audit_record
from kesu.complaints.events import record_event
from kesu.complaints.models import Attachment, Complaint
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.validation import Collector
from kesu.core.errors import Conflict, NotFound, PermissionDenied
from kesu.incidents.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    CrisisTeam,
    IncidentContact,
    MajorIncident,
    MajorKind,
    MediaEnquiry,
)
from kesu.notifications.services import notify_users, outbox_add
from kesu.triage.models import Severity

COMPLAINT_DESK = "customer_service"
# Who opens a checklist by hand, reassigns its items and convenes a crisis team.
INCIDENT_LEADS = frozenset({Role.MANAGER, Role.GM, Role.ADMIN})
# DP-5: media enquiries are answered only by the customer-service manager.
SPOKESPERSON_ROLES = frozenset({Role.MANAGER})

# The severity rule that made a complaint major names its kind (kesu/triage/seed.py).
RULE_KINDS: dict[str, str] = {
    "food_poisoning": MajorKind.FOOD_POISONING,
    "lost_valuables": MajorKind.LOST_VALUABLES,
    "media": MajorKind.MEDIA,
    "regulator": MajorKind.REGULATOR,
    "court": MajorKind.COURT,
    "professional_claimant": MajorKind.PROFESSIONAL_CLAIMANT,
}
SERIOUS_INJURY_WORDS = ("骨折", "住院", "送医", "送醫", "急救", "fracture", "hospital")


def major_kind_for(complaint: Complaint) -> str | None:
    """The kind of a major complaint: from the severity rule that matched, else its channel or
    category; None when nothing says (a manager then chooses it on the complaint's page)."""
    rule = complaint.severity_rule.code if complaint.severity_rule_id and complaint.severity_rule else ""
    if not rule:
        # Staff set the severity by hand: the rules still tell the kind from the text.
        from kesu.triage.services import suggest_severity

        suggestion = suggest_severity(
            text=f"{complaint.title}\n{complaint.description}", channel=str(complaint.channel)
        )
        rule = suggestion.rule.code if suggestion.rule else ""
    category = complaint.category.code if complaint.category_id and complaint.category else ""
    text = f"{complaint.title} {complaint.description}".lower()
    if rule in RULE_KINDS:
        return RULE_KINDS[rule]
    if rule == "injury" or category.startswith("safety.injury"):
        if category.startswith("product_quality"):
            return MajorKind.PRODUCT_HARM
        return MajorKind.INJURY_SERIOUS if any(w in text for w in SERIOUS_INJURY_WORDS) else MajorKind.INJURY_LIGHT
    if complaint.channel in (MajorKind.MEDIA, MajorKind.REGULATOR):
        return str(complaint.channel)
    if category.startswith("safety.food_poisoning"):
        return MajorKind.FOOD_POISONING
    if category.startswith("lost_property"):
        return MajorKind.LOST_VALUABLES
    return None


def _owner_for(role: str, complaint: Complaint) -> User | None:
    if role == Role.AGENT and complaint.assignee_id and complaint.assignee and complaint.assignee.role == role:
        return complaint.assignee
    people = User.objects.filter(is_active=True, role=role)
    if role == Role.HANDLER and complaint.department_id:
        preferred = people.filter(department_id=complaint.department_id).order_by("id").first()
        if preferred is not None:
            return preferred
    desk = people.filter(Q(department__code=COMPLAINT_DESK) | Q(department__isnull=True)).order_by("id").first()
    return desk or people.order_by("id").first()


def _fallback_owner() -> User | None:
    return User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.GM]).order_by("role", "id").first()


def _instantiate(*, complaint: Complaint, kind: str, actor: User | None, now: dt.datetime) -> MajorIncident | None:
    template = ChecklistTemplate.objects.filter(kind=kind).first()
    if template is None:
        return None
    incident = MajorIncident.objects.create(complaint=complaint, kind=kind, opened_by=actor, opened_at=now)
    rows = []
    fallback = _fallback_owner()
    for item in ChecklistTemplateItem.objects.filter(template=template).order_by("position", "id"):
        owner = _owner_for(item.owner_role, complaint) or fallback
        if owner is None:
            continue
        rows.append(
            ChecklistItem(
                incident=incident,
                position=item.position,
                text_zh_hans=item.text_zh_hans,
                text_zh_hant=item.text_zh_hant,
                text_en=item.text_en,
                owner=owner,
                due_at=now + dt.timedelta(hours=item.due_hours),
            )
        )
    ChecklistItem.objects.bulk_create(rows)
    record_event(
        complaint=complaint,
        kind="checklist_opened",
        actor=actor,
        at=now,
        data={"kind": kind, "items": len(rows)},
    )
    _report(complaint=complaint, template=template, now=now)
    return incident


def _report(*, complaint: Complaint, template: ChecklistTemplate, now: dt.datetime) -> None:
    """DP-5: the audiences the kind's template names, through the outbox (after commit)."""
    audiences = template.audiences()
    if not audiences:
        return
    subject = _("Major complaint %(number)s: %(kind)s") % {
        "number": complaint.number,
        "kind": template.get_kind_display(),
    }
    body = _(
        "A major complaint needs you.\nNumber: %(number)s\nKind: %(kind)s\n"
        "Received: %(received)s\nSummary: %(summary)s\n"
    ) % {
        "number": complaint.number,
        "kind": template.get_kind_display(),
        "received": complaint.received_at.isoformat(),
        "summary": (complaint.title or complaint.description)[:200],
    }
    for contact in IncidentContact.objects.filter(active=True, audience__in=audiences).select_related("user"):
        recipient = (
            contact.email
            or (contact.user.email if contact.user else "")
            or (contact.user.username if contact.user else "")
        )
        if not recipient:
            continue
        outbox_add(
            kind=f"incident_report_{contact.audience}",
            recipient=recipient,
            recipient_user=contact.user,
            subject=subject,
            body=body,
            now=now,
            complaint=complaint,
        )


def incident_open_for_major(
    *, complaint: Complaint, now: dt.datetime, actor: User | None = None
) -> MajorIncident | None:
    """Called where a complaint becomes major, inside that transaction: the checklist of its kind.
    Nothing when it already has one or its kind is not known yet."""
    if complaint.severity != Severity.MAJOR or MajorIncident.objects.filter(complaint=complaint).exists():
        return None
    kind = major_kind_for(complaint)
    if kind is None:
        return None
    return _instantiate(complaint=complaint, kind=kind, actor=actor, now=now)


def incident_open(*, actor: User, number: str, kind: str, now: dt.datetime) -> MajorIncident:
    """A manager opens the checklist of a kind for a major complaint whose kind was not known."""
    if kind not in MajorKind.values:
        c = Collector()
        c.add("kind", _("Choose one of the listed values."), "invalid_choice")
        c.raise_if_any()
    if actor.role not in INCIDENT_LEADS:
        raise PermissionDenied(_("Only the customer-service manager or the GM opens a checklist."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.severity != Severity.MAJOR:
            raise Conflict(_("Only a major complaint has a checklist."), code="not_major")
        if MajorIncident.objects.filter(complaint=complaint).exists():
            raise Conflict(_("This complaint already has its checklist."), code="checklist_exists")
        incident = _instantiate(complaint=complaint, kind=kind, actor=actor, now=now)
        if incident is None:
            raise Conflict(_("There is no checklist template for this kind."), code="no_template")
    return incident


def _item(*, complaint: Complaint, item_id: int) -> ChecklistItem:
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .filter(pk=item_id, incident__complaint=complaint)
        .select_related("owner")
        .first()
    )
    if item is None:
        raise NotFound(_("This complaint's checklist has no such item."))
    return item


def checklist_item_done(
    *, actor: User, number: str, item_id: int, note: str, now: dt.datetime, evidence_id: int | None = None
) -> ChecklistItem:
    """The item's owner ticks it off, with a note and, optionally, one of the complaint's files."""
    c = Collector()
    note = c.text({"note": note}, "note", "note", max_length=2000)
    c.raise_if_any()
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        item = _item(complaint=complaint, item_id=item_id)
        if item.owner_id != actor.pk:
            raise PermissionDenied(
                _("Only the item's owner (%(owner)s) ticks it off.") % {"owner": item.owner.username},
                code="not_item_owner",
            )
        if item.done_at is not None:
            raise Conflict(_("This item is already done."), code="already_done")
        evidence = None
        if evidence_id is not None:
            evidence = Attachment.objects.filter(pk=evidence_id, complaint=complaint).first()
            if evidence is None:
                c.add("evidence", _("Choose one of this complaint's files."), "invalid_choice")
                c.raise_if_any()
        item.done_at, item.done_by, item.note, item.evidence = now, actor, note, evidence
        item.save(update_fields=["done_at", "done_by", "note", "evidence"])
        record_event(
            complaint=complaint,
            kind="checklist_item_done",
            actor=actor,
            at=now,
            note=note,
            data={"item": item.pk, "text": item.text_en, "evidence": evidence.pk if evidence else None},
        )
    return item


def checklist_item_reassign(*, actor: User, number: str, item_id: int, owner: str, now: dt.datetime) -> ChecklistItem:
    if actor.role not in INCIDENT_LEADS:
        raise PermissionDenied(_("Only the customer-service manager or the GM hands a checklist item over."))
    person = User.objects.filter(username=owner, is_active=True, role__in=STAFF_ROLES).first()
    if person is None:
        c = Collector()
        c.add("owner", _("No active staff member has this username."), "invalid_choice")
        c.raise_if_any()
    assert person is not None
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        item = _item(complaint=complaint, item_id=item_id)
        if item.done_at is not None:
            raise Conflict(_("This item is already done."), code="already_done")
        before = item.owner.username
        item.owner = person
        item.save(update_fields=["owner"])
        record_event(
            complaint=complaint,
            kind="checklist_item_reassigned",
            actor=actor,
            at=now,
            data={"item": item.pk, "from": before, "to": person.username},
        )
    return item


def checklist_escalate_overdue(*, now: dt.datetime, limit: int = 500) -> int:
    """DP-6 progress is tracked: an item past its due time, not done, is escalated once to the
    customer-service manager and the GM, and the owner is reminded."""
    escalated = 0
    with transaction.atomic():
        rows = list(
            ChecklistItem.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(done_at__isnull=True, escalated_at__isnull=True, due_at__lte=now)
            .select_related("incident__complaint", "owner")
            .order_by("due_at", "id")[:limit]
        )
        if not rows:
            return 0
        above = list(User.objects.filter(is_active=True, role__in=[Role.MANAGER, Role.GM]).order_by("id"))
        for item in rows:
            complaint = item.incident.complaint
            item.escalated_at = now
            item.save(update_fields=["escalated_at"])
            recipients = [item.owner, *[u for u in above if u.pk != item.owner_id]]
            notify_users(
                users=recipients,
                kind="checklist_overdue",
                subject=_("Checklist item overdue on major complaint %(number)s") % {"number": complaint.number},
                body=_("“%(item)s”, owned by %(owner)s, was due %(due)s and is not done.")
                % {"item": item.text, "owner": item.owner.username, "due": item.due_at.isoformat()},
                now=now,
                complaint=complaint,
            )
            record_event(
                complaint=complaint,
                kind="checklist_item_overdue",
                actor=None,
                at=now,
                data={"item": item.pk, "owner": item.owner.username, "due_at": item.due_at.isoformat()},
            )
            escalated += 1
    return escalated


# --- crisis team and media ---------------------------------------------------------------------


def crisis_team_convene(
    *, actor: User, number: str, lead: str, members: list[str], purpose: str, now: dt.datetime
) -> CrisisTeam:
    c = Collector()
    purpose = c.text({"purpose": purpose}, "purpose", "purpose", max_length=4000, required=True)
    lead_user = User.objects.filter(username=lead, is_active=True, role__in=STAFF_ROLES).first()
    if lead_user is None:
        c.add("lead", _("No active staff member has this username."), "invalid_choice")
    people = list(User.objects.filter(username__in=members, is_active=True, role__in=STAFF_ROLES))
    unknown = sorted(set(members) - {p.username for p in people})
    if unknown:
        c.add("members", _("Unknown usernames: %(names)s.") % {"names": ", ".join(unknown)}, "invalid_choice")
    if not members:
        c.add("members", _("Name at least one member."), "required")
    c.raise_if_any()
    assert lead_user is not None
    if actor.role not in INCIDENT_LEADS:
        raise PermissionDenied(_("Only the customer-service manager or the GM convenes a crisis team."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        if complaint.severity != Severity.MAJOR:
            raise Conflict(_("Only a major complaint convenes a crisis team."), code="not_major")
        if CrisisTeam.objects.filter(complaint=complaint).exists():
            raise Conflict(_("A crisis team is already convened for this complaint."), code="team_exists")
        team = CrisisTeam.objects.create(
            complaint=complaint, lead=lead_user, purpose=purpose, convened_by=actor, convened_at=now
        )
        team.members.set(people)
        record_event(
            complaint=complaint,
            kind="crisis_team_convened",
            actor=actor,
            at=now,
            note=purpose,
            data={"lead": lead_user.username, "members": sorted(p.username for p in people)},
        )
        notify_users(
            users=[lead_user, *[p for p in people if p.pk != lead_user.pk]],
            kind="crisis_team",
            subject=_("Crisis team convened for complaint %(number)s") % {"number": complaint.number},
            body=purpose,
            now=now,
            complaint=complaint,
        )
    return team


def crisis_team_record(*, actor: User, number: str, decisions: str, now: dt.datetime) -> CrisisTeam:
    c = Collector()
    decisions = c.text({"decisions": decisions}, "decisions", "decisions", max_length=8000, required=True)
    c.raise_if_any()
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        team = CrisisTeam.objects.select_for_update().filter(complaint=complaint).first()
        if team is None:
            raise NotFound(_("No crisis team is convened for this complaint."))
        if actor.role not in INCIDENT_LEADS and actor.pk != team.lead_id:
            raise PermissionDenied(_("Only the team's lead or the customer-service manager records its decisions."))
        team.decisions = decisions
        team.save(update_fields=["decisions"])
        record_event(complaint=complaint, kind="crisis_team_recorded", actor=actor, at=now, note=decisions)
    return team


def media_enquiry_record(
    *, actor: User, number: str, outlet: str, reporter: str, question: str, now: dt.datetime
) -> MediaEnquiry:
    """Whoever takes the call records it (and declines to answer, DP-5); the manager is told."""
    c = Collector()
    data = {"outlet": outlet, "reporter": reporter, "question": question}
    outlet = c.text(data, "outlet", "outlet", max_length=120, required=True)
    reporter = c.text(data, "reporter", "reporter", max_length=120)
    question = c.text(data, "question", "question", max_length=4000, required=True)
    c.raise_if_any()
    if actor.role not in FRONT_DESK:
        raise PermissionDenied(_("Media enquiries are taken at the complaint desk."))
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        enquiry = MediaEnquiry.objects.create(
            complaint=complaint,
            outlet=outlet,
            reporter=reporter,
            question=question,
            received_at=now,
            recorded_by=actor,
        )
        record_event(
            complaint=complaint,
            kind="media_enquiry_received",
            actor=actor,
            at=now,
            note=question,
            data={"enquiry": enquiry.pk, "outlet": outlet},
        )
        managers = User.objects.filter(is_active=True, role=Role.MANAGER).filter(
            Q(department__code=COMPLAINT_DESK) | Q(department__isnull=True)
        )
        notify_users(
            users=list(managers.order_by("id")),
            kind="media_enquiry",
            subject=_("Media enquiry on complaint %(number)s from %(outlet)s")
            % {"number": complaint.number, "outlet": outlet},
            body=question,
            now=now,
            complaint=complaint,
        )
    return enquiry


def media_enquiry_answer(*, actor: User, number: str, enquiry_id: int, answer: str, now: dt.datetime) -> MediaEnquiry:
    """DP-5: only the customer-service manager answers the media."""
    if actor.role not in SPOKESPERSON_ROLES:
        raise PermissionDenied(_("Only the customer-service manager answers the media."), code="not_spokesperson")
    c = Collector()
    answer = c.text({"answer": answer}, "answer", "answer", max_length=8000, required=True)
    c.raise_if_any()
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number)
        enquiry = MediaEnquiry.objects.select_for_update().filter(pk=enquiry_id, complaint=complaint).first()
        if enquiry is None:
            raise NotFound(_("This complaint has no such media enquiry."))
        if enquiry.answered_at is not None:
            raise Conflict(_("This enquiry is already answered."), code="already_answered")
        enquiry.answer, enquiry.answered_by, enquiry.answered_at = answer, actor, now
        enquiry.save(update_fields=["answer", "answered_by", "answered_at"])
        record_event(
            complaint=complaint,
            kind="media_enquiry_answered",
            actor=actor,
            at=now,
            note=answer,
            data={"enquiry": enquiry.pk, "outlet": enquiry.outlet},
        )
    return enquiry


# --- configuration -----------------------------------------------------------------------------

TEMPLATE_FIELDS = (
    "notify_gm",
    "notify_operations",
    "notify_marketing",
    "notify_legal",
    "notify_insurer",
    "crisis_team",
)
ITEM_FIELDS = ("position", "text_zh_hans", "text_zh_hant", "text_en", "owner_role", "due_hours")
CONTACT_FIELDS = ("audience", "name", "email", "user", "active")


def _require_configure(actor: User) -> None:
    from kesu.accounts.permissions import can_configure

    if not can_configure(actor):
        raise PermissionDenied(_("Only managers change the configuration."))


def _audit(actor: User, action: str, object_type: str, object_id: Any, data: dict[str, Any], now: dt.datetime) -> None:
    audit_record(actor=actor, action=action, object_type=object_type, object_id=str(object_id), data=data, at=now)


def template_save(
    *, actor: User, template: ChecklistTemplate, values: Mapping[str, Any], now: dt.datetime
) -> ChecklistTemplate:
    _require_configure(actor)
    with transaction.atomic():
        for field in TEMPLATE_FIELDS:
            if field in values:
                setattr(template, field, bool(values[field]))
        template.updated_by, template.updated_at = actor, now
        template.save()
        _audit(
            actor,
            "config.checklist_template",
            "checklist_template",
            template.kind,
            {f: getattr(template, f) for f in TEMPLATE_FIELDS},
            now,
        )
    return template


def template_item_save(
    *,
    actor: User,
    template: ChecklistTemplate,
    item: ChecklistTemplateItem | None,
    values: Mapping[str, Any],
    now: dt.datetime,
    delete: bool = False,
) -> ChecklistTemplateItem | None:
    _require_configure(actor)
    with transaction.atomic():
        if delete and item is not None:
            _audit(
                actor,
                "config.checklist_item_deleted",
                "checklist_template",
                template.kind,
                {"item": item.pk, "text": item.text_en},
                now,
            )
            item.delete()
            template.updated_by, template.updated_at = actor, now
            template.save(update_fields=["updated_by", "updated_at"])
            return None
        row = item or ChecklistTemplateItem(template=template)
        for field in ITEM_FIELDS:
            if field in values:
                setattr(row, field, values[field])
        row.save()
        template.updated_by, template.updated_at = actor, now
        template.save(update_fields=["updated_by", "updated_at"])
        _audit(
            actor,
            "config.checklist_item",
            "checklist_template",
            template.kind,
            {"item": row.pk, **{f: str(getattr(row, f)) for f in ITEM_FIELDS}},
            now,
        )
    return row


def contact_save(
    *, actor: User, contact: IncidentContact | None, values: Mapping[str, Any], now: dt.datetime
) -> IncidentContact:
    _require_configure(actor)
    with transaction.atomic():
        row = contact or IncidentContact()
        for field in CONTACT_FIELDS:
            if field in values:
                setattr(row, field, values[field])
        if not row.email and row.user is None:
            c = Collector()
            c.add("email", _("Give an e-mail address or choose a user."), "required")
            c.raise_if_any()
        row.save()
        _audit(
            actor,
            "config.incident_contact",
            "incident_contact",
            row.pk,
            {"audience": row.audience, "name": row.name, "active": row.active},
            now,
        )
    return row
