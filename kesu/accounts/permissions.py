"""What each role may do and see. One table, read by services, selectors and the edges."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from kesu.accounts.models import Role

if TYPE_CHECKING:
    from kesu.accounts.models import User

STAFF_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.HANDLER, Role.GM})
SUPERVISORS = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.GM})
MANAGERS = frozenset({Role.ADMIN, Role.MANAGER, Role.GM})
FRONT_DESK = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM})

# Roles that see customers' phone numbers, e-mails and IDs unmasked (they call customers).
PERSONAL_DATA_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER})

# Roles that see every complaint; the others see their department's and their own.
ORGANISATION_WIDE_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM, Role.AUDITOR})

# Default approval authority (CNY) by role; None means unlimited (API.md, SPEC DP-3).
DEFAULT_APPROVAL_AUTHORITY: dict[str, Decimal | None] = {
    Role.AGENT: Decimal("20"),
    Role.SUPERVISOR: Decimal("100"),
    Role.MANAGER: Decimal("1000"),
    Role.GM: None,
    Role.HANDLER: Decimal("0"),
    Role.ADMIN: Decimal("0"),
    Role.AUDITOR: Decimal("0"),
}


def can_register(user: User) -> bool:
    return user.role in STAFF_ROLES


def can_view_personal_data(user: User) -> bool:
    return user.role in PERSONAL_DATA_ROLES


def sees_whole_organisation(user: User) -> bool:
    return user.role in ORGANISATION_WIDE_ROLES


def can_configure(user: User) -> bool:
    """Configuration the managers own (SLA policies and presets, approval authority, taxonomy,
    severity rules, letter templates)."""
    return user.role in MANAGERS
