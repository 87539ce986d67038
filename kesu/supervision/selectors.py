"""Reads of supervision: CAPAs, samples and their reviews, and the roll-up of responsibility,
penalties and review scores per department and person (SPEC SV-1, SV-2, SV-4)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, Role, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.models import Complaint, Status
from kesu.core.errors import PermissionDenied
from kesu.supervision.models import CapaStatus, CorrectiveAction, QualityReview, SampleRun
from kesu.supervision.services import in_quality_department, may_supervise

ZERO = Decimal("0.00")


def visible_capas(user: User) -> QuerySet[CorrectiveAction]:
    """Organisation-wide roles and the quality department see every CAPA; others their own and
    their department's."""
    queryset = CorrectiveAction.objects.select_related("owner", "department", "verified_by", "created_by")
    if sees_whole_organisation(user) or in_quality_department(user):
        return queryset
    return queryset.filter(Q(owner_id=user.pk) | Q(department_id=user.department_id))


def capa_list(*, user: User, status: str | None = None, overdue: bool | None = None) -> QuerySet[CorrectiveAction]:
    queryset = visible_capas(user)
    if status:
        queryset = queryset.filter(status__in=status.split(","))
    if overdue is not None:
        queryset = queryset.filter(overdue=overdue)
    return queryset.prefetch_related("complaints").order_by("due_at", "id")


def capa_get(*, user: User, capa_id: int) -> CorrectiveAction | None:
    return visible_capas(user).prefetch_related("complaints", "events__actor").filter(pk=capa_id).first()


def _may_read_supervision(user: User) -> bool:
    return may_supervise(user) or user.role == Role.AUDITOR


def sample_get(*, user: User, run_id: int) -> SampleRun | None:
    if not _may_read_supervision(user):
        raise PermissionDenied(_("Only the supervision team and auditors see review samples."))
    return SampleRun.objects.select_related("drawn_by").filter(pk=run_id).first()


def sample_reviews(run: SampleRun) -> QuerySet[QualityReview]:
    return run.reviews.select_related("complaint", "department", "reviewer").order_by("complaint__number")


def sample_list(*, user: User) -> QuerySet[SampleRun]:
    if not _may_read_supervision(user):
        raise PermissionDenied(_("Only the supervision team and auditors see review samples."))
    return (
        SampleRun.objects.select_related("drawn_by")
        .annotate(
            reviewed=Count("reviews", filter=Q(reviews__reviewed_at__isnull=False)),
            sampled=Count("reviews"),
        )
        .order_by("-period_start", "-id")
    )


# --- roll-up (SV-4) ------------------------------------------------------------------------------


@dataclass
class RollupRow:
    key: str
    name: str
    complaints: int = 0
    our_fault: int = 0
    loss: Decimal = ZERO
    penalty: Decimal = ZERO
    reviewed: int = 0
    average_score: Decimal | None = None
    capas_open: int = 0
    capas_overdue: int = 0
    capas_verified: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "complaints": self.complaints,
            "our_fault": self.our_fault,
            "loss": f"{self.loss:.2f}",
            "penalty": f"{self.penalty:.2f}",
            "reviewed": self.reviewed,
            "average_score": None if self.average_score is None else f"{self.average_score:.1f}",
            "capas_open": self.capas_open,
            "capas_overdue": self.capas_overdue,
            "capas_verified": self.capas_verified,
        }


@dataclass
class Rollup:
    source: str  # "investigation" (kesu.resolution's responsibility) or "complaints" (handling only)
    date_from: dt.date
    date_to: dt.date
    departments: list[RollupRow] = field(default_factory=list)
    people: list[RollupRow] = field(default_factory=list)


def _investigation_model() -> Any:
    try:
        model = apps.get_model("resolution", "Investigation")
    except LookupError:
        return None
    names = {f.name for f in model._meta.get_fields()}
    needed = {
        "complaint",
        "responsible_department",
        "responsible_person",
        "penalty_amount",
        "loss_amount",
        "responsibility",
    }
    return model if needed <= names else None


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_default_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), zone),
        timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), zone),
    )


def _row(rows: dict[Any, RollupRow], key: Any, name: str) -> RollupRow:
    if key not in rows:
        rows[key] = RollupRow(key=str(key) if key is not None else "", name=name)
    return rows[key]


def responsibility_rollup(*, user: User, date_from: dt.date, date_to: dt.date) -> Rollup:
    """Per department and person, for complaints closed between the dates (local, inclusive):
    how many they were responsible for, of which our fault, loss and penalty totals (from the
    investigation's responsibility, SPEC IV-2), quality-review scores and CAPAs."""
    if not _may_read_supervision(user):
        raise PermissionDenied(_("Only the supervision team and auditors see the roll-up."))
    start, end = _bounds(date_from, date_to)
    closed = Complaint.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    departments: dict[Any, RollupRow] = {}
    people: dict[Any, RollupRow] = {}
    names = dict(Department.objects.values_list("id", "name"))
    usernames = dict(User.objects.values_list("id", "username"))
    model = _investigation_model()
    if model is not None:
        source = "investigation"
        base = model._default_manager.filter(complaint__in=closed)
        for group, rows, label in (
            ("responsible_department", departments, names),
            ("responsible_person", people, usernames),
        ):
            for item in (
                base.exclude(**{f"{group}__isnull": True})
                .values(group)
                .annotate(
                    n=Count("id"),
                    ours=Count("id", filter=Q(responsibility="ours")),
                    loss=Sum("loss_amount"),
                    penalty=Sum("penalty_amount"),
                )
            ):
                row = _row(rows, item[group], label.get(item[group], ""))
                row.complaints, row.our_fault = item["n"], item["ours"]
                row.loss, row.penalty = item["loss"] or ZERO, item["penalty"] or ZERO
    else:  # no responsibility recorded anywhere yet: who handled what
        source = "complaints"
        for group, rows, label in (("department", departments, names), ("assignee", people, usernames)):
            for item in closed.exclude(**{f"{group}__isnull": True}).values(group).annotate(n=Count("id")):
                _row(rows, item[group], label.get(item[group], "")).complaints = item["n"]
    reviews = QualityReview.objects.filter(complaint__in=closed, reviewed_at__isnull=False)
    for group, rows, label in (("department", departments, names), ("complaint__assignee", people, usernames)):
        for item in (
            reviews.exclude(**{f"{group}__isnull": True}).values(group).annotate(n=Count("id"), average=Avg("score"))
        ):
            row = _row(rows, item[group], label.get(item[group], ""))
            row.reviewed = item["n"]
            row.average_score = Decimal(str(item["average"])).quantize(Decimal("0.1"))
    capas = CorrectiveAction.objects.filter(created_at__lt=end)
    for group, rows, label in (("department", departments, names), ("owner", people, usernames)):
        for item in (
            capas.exclude(**{f"{group}__isnull": True})
            .values(group)
            .annotate(
                open=Count("id", filter=Q(status__in=[CapaStatus.OPEN, CapaStatus.COMPLETED])),
                overdue=Count("id", filter=Q(overdue=True, status=CapaStatus.OPEN)),
                verified=Count("id", filter=Q(status=CapaStatus.VERIFIED, verified_at__gte=start, verified_at__lt=end)),
            )
        ):
            row = _row(rows, item[group], label.get(item[group], ""))
            row.capas_open, row.capas_overdue, row.capas_verified = item["open"], item["overdue"], item["verified"]
    codes = dict(Department.objects.values_list("id", "code"))
    for key, row in departments.items():
        row.key = codes.get(key, row.key)
    for row in people.values():
        row.key = row.name
    return Rollup(
        source=source, date_from=date_from, date_to=date_to, departments=_ordered(departments), people=_ordered(people)
    )


def _ordered(rows: dict[Any, RollupRow]) -> list[RollupRow]:
    return sorted(rows.values(), key=lambda r: (-r.complaints, r.key))
