"""Shift swaps (SPEC OP-3; seed 004 换班制度): both agents agree, the department manager approves.

Refused, naming `date` with the reason, when the swap would be the requester's 4th in that month,
when it follows their previous swap without a worked shift between (no consecutive swaps), or when
it falls on a public holiday (the working-day calendar decides). Refusals write nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.accounts.permissions import MANAGERS
from kesu.audit.services import audit_record
from kesu.core.errors import Conflict, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.desk.models import RosterEntry, ShiftSwap, SwapStatus
from kesu.desk.roster import is_public_holiday
from kesu.notifications.services import notify_users

MAX_SWAPS_PER_MONTH = 3
ACTIVE = (SwapStatus.AWAITING_PARTNER, SwapStatus.AWAITING_APPROVAL, SwapStatus.APPROVED)


def _parse_date(value: object, field: str, errors: list[FieldError], *, required: bool) -> dt.date | None:
    if value in (None, ""):
        if required:
            errors.append(FieldError(field, _("Give the date (YYYY-MM-DD)."), "required"))
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.append(
            FieldError(field, _("Not a date (YYYY-MM-DD): %(value)s") % {"value": str(value)[:20]}, "invalid")
        )
        return None


def _worked_between(user: User, first: dt.date, second: dt.date) -> bool:
    """Did `user` work a shift of their own (not swapped) strictly between two dates?"""
    low, high = sorted((first, second))
    return RosterEntry.objects.filter(user=user, date__gt=low, date__lt=high, swap__isnull=True).exists()


def swap_request(
    *, actor: User, partner: str, date: object, now: dt.datetime, partner_date: object = None
) -> ShiftSwap:
    if actor.role != Role.AGENT:
        raise PermissionDenied(_("Only agents swap their shifts."))
    errors: list[FieldError] = []
    day = _parse_date(date, "date", errors, required=True)
    back = _parse_date(partner_date, "partner_date", errors, required=False)
    other = User.objects.filter(username=str(partner or "").strip(), is_active=True).first()
    if not str(partner or "").strip():
        errors.append(FieldError("partner", _("Choose the colleague who takes your shift."), "required"))
    elif other is None or other.role != Role.AGENT:
        errors.append(FieldError("partner", _("Unknown agent: %(ref)s.") % {"ref": str(partner)[:40]}, "not_found"))
    elif other.pk == actor.pk:
        errors.append(FieldError("partner", _("Choose a colleague, not yourself."), "invalid"))
    if errors:
        raise ValidationFailed(errors)
    assert day is not None and other is not None
    with transaction.atomic():
        # One requester at a time: the monthly count and the consecutive rule read a stable set.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        _check_rules(actor=actor, partner=other, day=day, back=back)
        swap = ShiftSwap.objects.create(
            requester=actor,
            partner=other,
            date=day,
            partner_date=back,
            status=SwapStatus.AWAITING_PARTNER,
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="shift_swap.requested",
            object_type="shift_swap",
            object_id=str(swap.pk),
            data={
                "partner": other.username,
                "date": day.isoformat(),
                "partner_date": back.isoformat() if back else None,
            },
            at=now,
        )
        notify_users(
            users=[other],
            kind="shift_swap",
            now=now,
            subject=_("Shift swap requested by %(name)s") % {"name": actor.get_full_name() or actor.username},
            body=_("%(name)s asks you to take their shift on %(date)s. Agree on the duty roster page.")
            % {"name": actor.get_full_name() or actor.username, "date": day.isoformat()},
        )
    return swap


def _check_rules(*, actor: User, partner: User, day: dt.date, back: dt.date | None) -> None:
    if is_public_holiday(day):
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    _("%(date)s is a public holiday: no shift swaps on public holidays.") % {"date": day.isoformat()},
                    "public_holiday",
                )
            ]
        )
    if back is not None and is_public_holiday(back):
        raise ValidationFailed(
            [
                FieldError(
                    "partner_date",
                    _("%(date)s is a public holiday: no shift swaps on public holidays.") % {"date": back.isoformat()},
                    "public_holiday",
                )
            ]
        )
    mine = RosterEntry.objects.filter(user=actor, date=day).first()
    if mine is None:
        raise ValidationFailed(
            [FieldError("date", _("You have no shift on %(date)s.") % {"date": day.isoformat()}, "no_shift")]
        )
    if back is not None:
        theirs = RosterEntry.objects.filter(user=partner, date=back).first()
        if theirs is None:
            raise ValidationFailed(
                [
                    FieldError(
                        "partner_date",
                        _("%(name)s has no shift on %(date)s.") % {"name": partner.username, "date": back.isoformat()},
                        "no_shift",
                    )
                ]
            )
        if back != day and RosterEntry.objects.filter(user=actor, date=back).exists():
            raise ValidationFailed(
                [FieldError("partner_date", _("You already work on %(date)s.") % {"date": back.isoformat()}, "busy")]
            )
    if (back is None or back != day) and RosterEntry.objects.filter(user=partner, date=day).exists():
        raise ValidationFailed(
            [
                FieldError(
                    "partner",
                    _("%(name)s already works on %(date)s.") % {"name": partner.username, "date": day.isoformat()},
                    "busy",
                )
            ]
        )
    swaps = list(ShiftSwap.objects.filter(requester=actor, status__in=ACTIVE))
    in_month = [s for s in swaps if (s.date.year, s.date.month) == (day.year, day.month)]
    if len(in_month) >= MAX_SWAPS_PER_MONTH:
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    _("This would be your 4th shift swap in %(month)s: at most %(max)d a month.")
                    % {"month": f"{day.year:04d}-{day.month:02d}", "max": MAX_SWAPS_PER_MONTH},
                    "too_many_swaps",
                )
            ]
        )
    earlier = [s for s in swaps if s.date <= day]
    if earlier:
        previous = max(earlier, key=lambda s: s.date)
        if previous.date == day or not _worked_between(actor, previous.date, day):
            raise ValidationFailed(
                [
                    FieldError(
                        "date",
                        _(
                            "This swap follows your previous swap (%(previous)s) without a worked shift between: "
                            "no consecutive swaps."
                        )
                        % {"previous": previous.date.isoformat()},
                        "consecutive_swap",
                    )
                ]
            )


def _locked(swap_id: int) -> ShiftSwap:
    swap = ShiftSwap.objects.select_for_update().filter(pk=swap_id).first()
    if swap is None:
        raise NotFound(_("No shift swap has this number."))
    return swap


def swap_agree(*, actor: User, swap_id: int, now: dt.datetime) -> ShiftSwap:
    with transaction.atomic():
        swap = _locked(swap_id)
        if swap.partner_id != actor.pk:
            raise PermissionDenied(_("Only the colleague asked agrees to a shift swap."))
        if swap.status != SwapStatus.AWAITING_PARTNER:
            raise Conflict(_("This shift swap is not waiting for the partner."), code="not_awaiting_partner")
        swap.status, swap.agreed_at = SwapStatus.AWAITING_APPROVAL, now
        swap.save(update_fields=["status", "agreed_at"])
        audit_record(
            actor=actor, action="shift_swap.agreed", object_type="shift_swap", object_id=str(swap.pk), data={}, at=now
        )
        managers = User.objects.filter(is_active=True, role=Role.MANAGER, department=swap.requester.department)
        notify_users(
            users=list(managers),
            kind="shift_swap",
            now=now,
            subject=_("Shift swap to approve"),
            body=_("%(a)s and %(b)s agreed to swap the shift of %(date)s.")
            % {"a": swap.requester.username, "b": actor.username, "date": swap.date.isoformat()},
        )
    return swap


def may_approve(user: User, swap: ShiftSwap) -> bool:
    """The department manager of the requester (admins and the GM stand in)."""
    if user.role == Role.MANAGER:
        return user.department_id is not None and user.department_id == swap.requester.department_id
    return user.role in MANAGERS


def swap_approve(*, actor: User, swap_id: int, now: dt.datetime) -> ShiftSwap:
    """Approve and carry out the swap on the roster."""
    with transaction.atomic():
        swap = _locked(swap_id)
        if not may_approve(actor, swap):
            raise PermissionDenied(_("Only the department manager approves shift swaps."))
        if swap.status != SwapStatus.AWAITING_APPROVAL:
            raise Conflict(_("This shift swap is not waiting for approval."), code="not_awaiting_approval")
        mine = RosterEntry.objects.select_for_update().filter(user_id=swap.requester_id, date=swap.date).first()
        theirs = None
        if swap.partner_date is not None:
            theirs = (
                RosterEntry.objects.select_for_update().filter(user_id=swap.partner_id, date=swap.partner_date).first()
            )
        if mine is None or (swap.partner_date is not None and theirs is None):
            raise Conflict(_("The roster changed since the swap was requested."), code="roster_changed")
        if theirs is not None and theirs.date == mine.date:
            # The same day: exchange the two shifts (the one-shift-a-day constraint is kept throughout).
            mine_shift = mine.shift_id
            RosterEntry.objects.filter(pk=mine.pk).update(shift_id=theirs.shift_id, swap=swap)
            RosterEntry.objects.filter(pk=theirs.pk).update(shift_id=mine_shift, swap=swap)
        else:
            RosterEntry.objects.filter(pk=mine.pk).update(user_id=swap.partner_id, swap=swap)
            if theirs is not None:
                RosterEntry.objects.filter(pk=theirs.pk).update(user_id=swap.requester_id, swap=swap)
        swap.status, swap.approved_by, swap.approved_at = SwapStatus.APPROVED, actor, now
        swap.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(
            actor=actor, action="shift_swap.approved", object_type="shift_swap", object_id=str(swap.pk), data={}, at=now
        )
        notify_users(
            users=[swap.requester, swap.partner],
            kind="shift_swap",
            now=now,
            subject=_("Shift swap approved"),
            body=_("The shift swap of %(date)s was approved; the roster shows it.") % {"date": swap.date.isoformat()},
        )
    return swap


UNDECIDED = (SwapStatus.AWAITING_PARTNER, SwapStatus.AWAITING_APPROVAL)


def swap_withdraw(*, actor: User, swap_id: int, now: dt.datetime) -> ShiftSwap:
    """The requester takes the request back while it is not decided (approved or refused); it
    then no longer counts towards the monthly limit or the consecutive rule."""
    with transaction.atomic():
        swap = _locked(swap_id)
        if swap.requester_id != actor.pk:
            raise PermissionDenied(_("Only the agent who asked withdraws a shift swap."))
        if swap.status not in UNDECIDED:
            raise Conflict(_("This shift swap was already decided; it can no longer be withdrawn."), code="decided")
        was_agreed = swap.status == SwapStatus.AWAITING_APPROVAL
        swap.status, swap.withdrawn_at = SwapStatus.WITHDRAWN, now
        swap.save(update_fields=["status", "withdrawn_at"])
        audit_record(
            actor=actor,
            action="shift_swap.withdrawn",
            object_type="shift_swap",
            object_id=str(swap.pk),
            data={},
            at=now,
        )
        told = [swap.partner]
        if was_agreed:
            told += list(User.objects.filter(is_active=True, role=Role.MANAGER, department=actor.department))
        notify_users(
            users=told,
            kind="shift_swap",
            now=now,
            subject=_("Shift swap withdrawn"),
            body=_("%(name)s withdrew the request to swap the shift of %(date)s.")
            % {"name": actor.get_full_name() or actor.username, "date": swap.date.isoformat()},
        )
    return swap


def swap_refuse(*, actor: User, swap_id: int, now: dt.datetime) -> ShiftSwap:
    """The partner declines (while asked to agree) or the department manager refuses (while asked
    to approve); the roster stays as it is."""
    with transaction.atomic():
        swap = _locked(swap_id)
        if swap.status == SwapStatus.AWAITING_PARTNER:
            if swap.partner_id != actor.pk:
                raise PermissionDenied(_("Only the colleague asked declines a shift swap."))
        elif swap.status == SwapStatus.AWAITING_APPROVAL:
            if not may_approve(actor, swap):
                raise PermissionDenied(_("Only the department manager refuses shift swaps."))
        else:
            raise Conflict(_("This shift swap was already decided."), code="decided")
        swap.status, swap.refused_by, swap.refused_at = SwapStatus.REFUSED, actor, now
        swap.save(update_fields=["status", "refused_by", "refused_at"])
        audit_record(
            actor=actor, action="shift_swap.refused", object_type="shift_swap", object_id=str(swap.pk), data={}, at=now
        )
        told = [u for u in (swap.requester, swap.partner) if u.pk != actor.pk]
        notify_users(
            users=told,
            kind="shift_swap",
            now=now,
            subject=_("Shift swap refused"),
            body=_("%(name)s refused the shift swap of %(date)s; the roster stays as it was.")
            % {"name": actor.get_full_name() or actor.username, "date": swap.date.isoformat()},
        )
    return swap


def swaps_for(user: User) -> list[ShiftSwap]:
    """The swaps a person takes part in, or (managers) all of their department's."""
    queryset = ShiftSwap.objects.select_related("requester", "partner", "approved_by")
    if user.role in MANAGERS:
        if user.role == Role.MANAGER and user.department_id:
            queryset = queryset.filter(requester__department_id=user.department_id)
    else:
        from django.db.models import Q

        queryset = queryset.filter(Q(requester=user) | Q(partner=user))
    return list(queryset[:200])
