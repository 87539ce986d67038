"""Reads behind the workspace pages: the queues, the complaint page, the intake check.

They compose the domain selectors (kesu.complaints.selectors) and never write."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Department, Role, User
from kesu.accounts.permissions import STAFF_ROLES, SUPERVISORS
from kesu.complaints import workflow
from kesu.complaints.confidentiality import readable_attachments
from kesu.complaints.models import OPEN_STATUSES, TERMINAL_STATUSES, Complaint, Status
from kesu.complaints.search import SearchPage, search_page
from kesu.complaints.selectors import (
    ComplaintFilters,
    complaint_get,
    complaint_list,
    complaint_timeline,
    customer_open_complaints,
    overdue_q,
    visible_complaints,
)
from kesu.complaints.services.public import public_rating
from kesu.customers.services import customer_find, normalize_email, normalize_phone
from kesu.resolution.investigations import INVESTIGATION_STATUSES
from kesu.resolution.models import Investigation, SolutionStatus
from kesu.resolution.selectors import approval_limit
from kesu.triage.models import Category
from kesu.triage.services import SeveritySuggestion, suggest_severity

PAGE_SIZE = 25
# A queue counts its rows up to this many (past the page asked for); above it the page says
# "1,000+": a COUNT(*) over 100,000 complaints was the slowest query of every queue.
COUNT_CAP = 1000
# "Open" is written as "not terminal": the same rows, but SQLite then scans the table instead
# of probing the status index for most of it (about 3x faster at 100,000 complaints).
IS_OPEN = ~Q(status__in=[s.value for s in TERMINAL_STATUSES])
DASHBOARD_ROLES = frozenset({*SUPERVISORS, Role.AUDITOR})
OPEN = [s.value for s in OPEN_STATUSES]

# Queue code → label. Which ones a user sees depends on the role (queues_for).
QUEUES: dict[str, Any] = {
    "all": _("All complaints"),
    "mine": _("My work"),
    "department": _("My department"),
    "unassigned": _("Unassigned"),
    "overdue": _("Overdue"),
    "major": _("Major"),
    "approval": _("Awaiting my approval"),
    "callback": _("Awaiting callback"),
}

SORTS: dict[str, Any] = {
    "relevance": _("Most relevant first"),  # with words searched for (the default then)
    "-received_at": _("Newest first"),
    "received_at": _("Oldest first"),
    "close_due": _("Closing deadline, soonest first"),
    "-severity": _("Most severe first"),
}


# The tabs each role works from, in order; the first is where the role lands (SPEC IN-6, DP-1…DP-3):
# an agent on what they registered and what is assigned to them, a handler on their department,
# supervisors and managers on the solutions waiting for their approval, the GM on major
# complaints; administrators and auditors, who read everything, on all complaints.
QUEUE_TABS: dict[str, tuple[str, ...]] = {
    Role.AGENT: ("mine", "unassigned", "callback", "overdue", "major", "approval", "department", "all"),
    Role.HANDLER: ("department", "mine", "unassigned", "overdue", "major", "all"),
    Role.SUPERVISOR: ("approval", "unassigned", "overdue", "major", "callback", "mine", "department", "all"),
    Role.MANAGER: ("approval", "callback", "overdue", "major", "unassigned", "mine", "department", "all"),
    Role.GM: ("major", "approval", "overdue", "callback", "unassigned", "all"),
    Role.ADMIN: ("all", "unassigned", "overdue", "major", "callback", "department"),
    Role.AUDITOR: ("all", "overdue", "major", "unassigned"),
}
# Before a complaint is handed over (assigned), the agent who registered it owns it (IN-6).
NOT_HANDED_OVER = [Status.REGISTERED.value, Status.ACKNOWLEDGED.value]


def queues_for(user: User) -> list[str]:
    """The queues a role works from, the landing queue first."""
    codes = QUEUE_TABS.get(user.role, ("all",))
    return [code for code in codes if code != "department" or user.department_id]


def default_queue(user: User) -> str:
    return queues_for(user)[0]


def mine_q(user: User) -> Q:
    """My work: assigned to me, or registered by me and not yet handed over (IN-6)."""
    return (
        Q(assignee_id=user.pk) | Q(recorded_by_id=user.pk, assignee__isnull=True, status__in=NOT_HANDED_OVER)
    ) & IS_OPEN


def queue_q(queue: str, *, user: User, now: dt.datetime) -> Q:
    """The condition of a queue, on top of what the user may see."""
    if queue == "mine":
        return mine_q(user)
    if queue == "department":
        return Q(department_id=user.department_id) & IS_OPEN
    if queue == "unassigned":
        return Q(assignee__isnull=True) & IS_OPEN
    if queue == "overdue":
        return overdue_q(now)
    if queue == "major":
        return Q(severity="major") & IS_OPEN
    if queue == "approval":
        from kesu.resolution.models import Solution

        pending = Solution.objects.filter(complaint_id=OuterRef("pk"), status=SolutionStatus.PENDING_APPROVAL)
        limit = approval_limit(user)
        if limit is not None:
            pending = pending.filter(total__lte=limit)
        return Q(Exists(pending), status=Status.SOLUTION_PROPOSED)
    if queue == "callback":
        return Q(status=Status.RESOLVED)
    return Q()


@dataclass(frozen=True)
class QueueQuery:
    queue: str = "all"
    status: str = ""
    severity: str = ""
    channel: str = ""
    category: str = ""
    department: str = ""
    q: str = ""
    sort: str = "-received_at"
    page: int = 1
    day: dt.date | None = None


@dataclass
class QueuePage:
    page: Page[Complaint]
    queue: str
    queues: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def count_capped(self) -> bool:
        """More rows match than were counted: show "1,000+" and no last page."""
        return bool(getattr(self.page.paginator, "capped", False))

    @property
    def count_cap(self) -> int:
        return int(getattr(self.page.paginator, "cap", 0))


class CappedPaginator(Paginator[Any]):
    """A paginator that counts at most `cap` rows (at least up to the page asked for, so that
    every page reached by "Next" exists); `capped` says more match."""

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, cap: int, page_number: int) -> None:
        super().__init__(object_list, per_page)
        self.rows = object_list
        self.cap = max(cap, page_number * per_page)
        self.capped = False

    @cached_property
    def count(self) -> int:
        counted = self.rows.order_by()[: self.cap + 1].count()  # any cap + 1 rows will do: no sort
        self.capped = counted > self.cap
        return int(counted)


def queue_page(*, user: User, query: QueueQuery, now: dt.datetime) -> QueuePage:
    queues = queues_for(user)
    queue = query.queue if query.queue in queues else default_queue(user)
    received_from = received_to = None
    if query.day is not None:
        tz = timezone.get_current_timezone()
        received_from = dt.datetime.combine(query.day, dt.time.min, tzinfo=tz)
        received_to = received_from + dt.timedelta(days=1)
    status = "" if query.status == "open" else query.status
    filters = ComplaintFilters(
        received_from=received_from,
        received_to=received_to,
        status=status or None,
        severity=query.severity or None,
        channel=query.channel or None,
        category=query.category or None,
        department=query.department or None,
        q=query.q or None,
    )
    # Words searched for, by relevance or newest first: the page and its count in one statement
    # (kesu.complaints.search.search_page) over the queue's rows.
    searched = bool(query.q) and query.sort in ("relevance", "-received_at")
    listed = replace(filters, q=None) if searched else filters
    rows = complaint_list(user=user, filters=listed, now=now).filter(queue_q(queue, user=user, now=now))
    if query.status == "open":
        rows = rows.filter(IS_OPEN)
    page: Page[Any]
    if searched:
        page = _search_page(rows, query, now=now)
    else:
        rows = _sorted(rows, query.sort)
        # Page through bare ids (a narrow sort, no joins), then load the 25 rows with their
        # relations: with 100,000 complaints this keeps unindexed sorts and deep pages fast.
        paginator = CappedPaginator(rows.values_list("pk", flat=True), PAGE_SIZE, cap=COUNT_CAP, page_number=query.page)
        page = paginator.get_page(query.page)
    ids = list(page.object_list)
    # Only what the rows show (search_text repeats the whole description).
    loaded = {
        c.pk: c
        for c in rows.model.objects.filter(pk__in=ids)
        .select_related("category", "department", "assignee")
        .only(*QUEUE_ROW_FIELDS)
    }
    page.object_list = [loaded[pk] for pk in ids if pk in loaded]
    queue_tabs = [(code, QUEUES[code]) for code in queues]
    return QueuePage(page=page, queue=queue, queues=queue_tabs)


class FoundPaginator(Paginator[Any]):
    """The paginator of a search's page (`search_page` counted it): `capped` when more match than
    were counted, and then one row more than counted, so that "Next" goes on past the cap."""

    def __init__(self, found: SearchPage, per_page: int) -> None:
        super().__init__([], per_page)
        self.capped = not found.exact
        self.cap = found.count
        self.found = found.count + (1 if self.capped else 0)

    @cached_property
    def count(self) -> int:
        return self.found


def _search_page(rows: QuerySet[Complaint], query: QueueQuery, *, now: dt.datetime) -> Page[Any]:
    """The page of the queue's rows that `query.q` matches (past the end: the last page, as
    Django's get_page shows it)."""
    by_relevance = query.sort == "relevance"
    number = query.page
    found = search_page(
        rows, query.q, now=now, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, by_relevance=by_relevance
    )
    paginator = FoundPaginator(found, PAGE_SIZE)
    if not found.ids and number > paginator.num_pages:
        number = paginator.num_pages
        found = search_page(
            rows, query.q, now=now, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE, by_relevance=by_relevance
        )
    return Page(found.ids, number, paginator)


# The columns of a queue row (_queue_results.html, the next-deadline badge).
QUEUE_ROW_FIELDS = (
    "number",
    "received_at",
    "contact_name",
    "contact_phone",
    "title",
    "description",
    # What a search result's highlighted snippet may come from (kesu.web.templatetags.search_tags).
    "demand",
    "location",
    "product_name",
    "result",
    "severity",
    "status",
    "confidentiality",  # its badge (PV-1)
    "escalation_level",
    "acknowledge_due",
    "acknowledged_at",
    "reply_due",
    "replied_at",
    "close_due",
    "closed_at",
    "category",
    "department",
    "assignee",
    *(f"category__{name}" for name in ("code", "parent_id", "level", "name_zh_hans", "name_zh_hant", "name_en")),
    "department__name",
    "department__code",
    *(f"assignee__{name}" for name in ("username", "first_name", "last_name", "role", "department_id")),
)


def _sorted(rows: QuerySet[Complaint], sort: str) -> QuerySet[Complaint]:
    if sort == "relevance":
        return rows  # complaint_list orders by relevance when words are searched for, else newest first
    if sort == "received_at":
        return rows.order_by("received_at", "id")
    if sort == "close_due":
        return rows.order_by("close_due", "id")
    if sort == "-severity":
        rank = Case(
            When(severity="major", then=Value(2)),
            When(severity="serious", then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        return rows.annotate(severity_rank=rank).order_by("-severity_rank", "-received_at", "-id")
    return rows.order_by("-received_at", "-id")


def filter_choices() -> dict[str, Any]:
    """Top-level categories and departments for the filter form."""
    return {
        "categories": list(Category.objects.filter(level=1, active=True).order_by("code")),
        "departments": list(Department.objects.filter(active=True).order_by("code")),
    }


@dataclass
class Approval:
    """Who may approve the pending solution, and whether the reader may (SPEC DP-3)."""

    total: Any
    approver: str  # the role whose authority covers the total
    approver_limit: Any  # that role's authority, None for unlimited
    mine: Any  # the reader's own authority, None for unlimited
    can_decide: bool  # the reader may approve or refuse it


@dataclass
class ComplaintPage:
    complaint: Complaint
    timeline: list[Any]
    attachments: list[Any]
    solution: Any
    remedies: list[Any]
    callbacks: list[Any]
    actions: list[str]
    rating: dict[str, Any] | None
    repeats: list[Complaint]
    assignable: list[User]
    departments: list[Department]
    investigation: Any = None
    can_investigate: bool = False
    next_step: Any = None
    approval: Approval | None = None
    blocked: list[tuple[str, str]] = field(default_factory=list)  # (action, why it is not offered yet)
    alternatives: list[tuple[int, list[Any], Any]] = field(default_factory=list)  # (number, remedies, total)
    pause: Any = None
    can_pause: bool = False
    extendable: list[Any] = field(default_factory=list)  # open deadlines the preset lets be extended
    # The deadlines beyond acknowledge/reply/close (the solution's, the investigation report…): (label, row).
    other_deadlines: list[tuple[str, Any]] = field(default_factory=list)
    can_reclassify: bool = False
    reclassify_categories: list[Category] = field(default_factory=list)
    can_note: bool = False


def complaint_page(*, user: User, number: str) -> ComplaintPage | None:
    from kesu.complaints.next_step import NextStepFacts, next_step
    from kesu.complaints.services.classification import CATEGORY_ROLES
    from kesu.deadlines.models import DeadlineState
    from kesu.deadlines.selectors import complaint_deadlines, open_pause
    from kesu.deadlines.services import PAUSE_ROLES
    from kesu.resolution.models import DepartmentTask, TaskStatus
    from kesu.resolution.selectors import approver_role_for, last_reached_callback, prime_current_solution

    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        return None
    solution = prime_current_solution(complaint)
    actions, blocked = _actions(complaint, user)
    assignable: list[User] = []
    departments: list[Department] = []
    can_investigate = user.role != Role.AUDITOR and complaint.status in INVESTIGATION_STATUSES
    if "assign" in actions:
        assignable = list(
            User.objects.filter(is_active=True)
            .exclude(role=Role.AUDITOR)
            .select_related("department")
            .order_by("department__code", "username")
        )
    if "assign" in actions or can_investigate:
        departments = list(Department.objects.filter(active=True).order_by("code"))
    investigation = (
        Investigation.objects.filter(complaint=complaint)
        .select_related("responsible_department", "responsible_person", "reason_category")
        .first()
    )
    remedies = list(solution.remedies.order_by("alternative", "id")) if solution else []
    is_open = complaint.status in OPEN_STATUSES

    approval = None
    if solution is not None and solution.status == SolutionStatus.PENDING_APPROVAL:
        found = approver_role_for(solution.total)
        mine = approval_limit(user) if user.role in workflow.APPROVERS else Decimal("0")
        approval = Approval(
            total=solution.total,
            approver=str(Role(found[0]).label) if found else "",
            approver_limit=found[1] if found else None,
            mine=mine,
            can_decide=user.role in workflow.APPROVERS and (mine is None or solution.total <= mine),
        )
        if not approval.can_decide:  # offered only to an approver whose authority covers the total
            actions = [a for a in actions if a not in ("approve", "reject_approval")]

    callback = ""
    if complaint.status == Status.RESOLVED:
        last = last_reached_callback(complaint, since=complaint.resolved_at)
        if last is not None:
            callback = "satisfied" if last.satisfied else "not_satisfied"
    pause = open_pause(complaint.pk)
    open_tasks = tuple(
        DepartmentTask.objects.filter(complaint=complaint, status=TaskStatus.OPEN)
        .order_by("department__code")
        .values_list("department__name", flat=True)
    )
    facts = NextStepFacts(
        status=complaint.status,
        assignee=str(complaint.assignee) if complaint.assignee else "",
        department=complaint.department.name if complaint.department else "",
        investigation_recorded=investigation_done(investigation),
        solution_status=solution.status if solution else "",
        solution_total=solution.total if solution else None,
        approver=approval.approver if approval else "",
        open_tasks=open_tasks,
        callback=callback,
        paused=str(pause.get_reason_display()) if pause else "",
        merged_into=complaint.merged_into.number if complaint.merged_into else "",
    )
    can_pause = user.role in PAUSE_ROLES and is_open
    deadline_rows = list(complaint_deadlines(complaint.pk))  # one read for the card and the extensions
    extendable = (
        [
            row
            for row in deadline_rows
            if row.state == DeadlineState.OPEN and row.missed_at is None and _extension_roles(row, user)
        ]
        if can_pause
        else []
    )
    can_reclassify = is_open and user.role in CATEGORY_ROLES
    categories: list[Category] = []
    if can_reclassify:
        levels = 4 if user.role == Role.HANDLER else 3
        categories = list(Category.objects.filter(active=True, level__lte=levels).order_by("code"))
    return ComplaintPage(
        complaint=complaint,
        timeline=timeline_entries(list(complaint_timeline(complaint))),
        attachments=readable_attachments(user, complaint, complaint.attachments.select_related("uploaded_by")),
        solution=solution,
        remedies=remedies,
        callbacks=list(complaint.callbacks.select_related("by")),
        actions=actions,
        rating=public_rating(complaint),
        repeats=list(visible_complaints(user).filter(related_to=complaint).only("number", "status")[:20]),
        assignable=assignable,
        departments=departments,
        investigation=investigation,
        can_investigate=can_investigate,
        next_step=next_step(facts),
        approval=approval,
        blocked=blocked,
        alternatives=_alternatives(remedies),
        pause=pause,
        can_pause=can_pause,
        extendable=extendable,
        other_deadlines=_other_deadlines(deadline_rows),
        can_reclassify=can_reclassify,
        reclassify_categories=categories,
        can_note=user.role in STAFF_ROLES,
    )


def _other_deadlines(rows: list[Any]) -> list[tuple[str, Any]]:
    """The complaint's deadlines other than the three mirrored on it, with their translated names
    (a kind an administrator added goes by its code), cancelled ones left out."""
    from kesu.deadlines.models import DeadlineState
    from kesu.deadlines.policies import COMPLAINT_FIELDS, KIND_LABELS

    return [
        (str(_(KIND_LABELS[row.kind])) if row.kind in KIND_LABELS else row.kind, row)
        for row in rows
        if row.kind not in COMPLAINT_FIELDS and row.state != DeadlineState.CANCELLED
    ]


def investigation_done(investigation: Any) -> bool:
    return bool(investigation is not None and investigation.root_cause.strip() and investigation.responsibility)


def _actions(complaint: Complaint, user: User) -> tuple[list[str], list[tuple[str, str]]]:
    """What the reader may do now (as workflow.available_actions) and, in the same pass, the
    actions the table gives them here whose guard does not pass yet, with the reason."""
    allowed: list[str] = []
    blocked: list[tuple[str, str]] = []
    for transition in workflow.actions_from(complaint.status):
        if user.role not in transition.roles:
            continue
        if transition.ownership is not None and transition.ownership(complaint, user) is not None:
            continue
        reason = transition.guard(complaint, user, {}) if transition.guard is not None else None
        if reason:
            blocked.append((str(transition.action), reason))
        else:
            allowed.append(str(transition.action))
    return allowed, blocked


def _alternatives(remedies: list[Any]) -> list[tuple[int, list[Any], Any]]:
    groups: dict[int, list[Any]] = {}
    for remedy in remedies:
        groups.setdefault(remedy.alternative or 1, []).append(remedy)
    return [(n, rows, sum((r.amount for r in rows), Decimal("0.00"))) for n, rows in sorted(groups.items())]


def _extension_roles(row: Any, user: User) -> bool:
    """Whether the regulatory preset of `row` allows another extension that `user` may approve."""
    from kesu.deadlines.policies import PRESETS

    steps = PRESETS[row.preset].extensions.get(row.kind, ()) if row.preset in PRESETS else ()
    return row.extension_step < len(steps) and user.role in steps[row.extension_step].roles


@dataclass
class TimelineEntry:
    """One timeline event as the page shows it: no arrow when the status stayed, details by label."""

    event: Any
    arrow: bool
    details: list[str]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.event, name)


def timeline_entries(events: list[Any]) -> list[TimelineEntry]:
    codes = set()
    for e in events:
        if e.kind == "reclassified":
            for side in ("before", "after"):
                if (e.data or {}).get(side, {}).get("category"):
                    codes.add(e.data[side]["category"])
    categories = (
        {c.code: c for c in Category.objects.filter(code__in=codes).select_related("parent__parent__parent")}
        if codes
        else {}
    )
    # The departments and people the assignments name, each read once for the whole timeline.
    assigned = [e.data or {} for e in events if e.kind == "assign"]
    department_codes = {str(d["department"]) for d in assigned if d.get("department")}
    usernames = {str(d["assignee"]) for d in assigned if d.get("assignee")}
    # …and who carries out each proposed solution (RS-2), in the same read.
    usernames |= {
        str(e.data["responsible"]) for e in events if e.kind == "propose_solution" and (e.data or {}).get("responsible")
    }
    names = TimelineNames(
        categories=categories,
        departments={d.code: d for d in Department.objects.filter(code__in=department_codes)}
        if department_codes
        else {},
        users={u.username: u for u in User.objects.filter(username__in=usernames)} if usernames else {},
    )
    return [TimelineEntry(event=e, arrow=_arrow(e), details=_details(e, names)) for e in events]


@dataclass(frozen=True)
class TimelineNames:
    """What the timeline's details name, read in bulk: categories by code, departments by code,
    people by username."""

    categories: dict[str, Category]
    departments: dict[str, Department]
    users: dict[str, User]


# Events whose own label already names the status they lead to (已登记, 已受理, 已分派, 已结案…).
SELF_DESCRIBING = frozenset({"registered", "acknowledge", "assign", "close", "withdraw", "merge", "rule_invalid"})


def _arrow(e: Any) -> bool:
    """ "→ status" only when the status changed and the event's label does not already say it."""
    return bool(e.to_status and e.to_status != e.from_status and e.kind not in SELF_DESCRIBING)


def _date(value: Any) -> str:
    from django.utils import formats
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(str(value)) if value else None
    if parsed is None:
        return ""
    return formats.date_format(timezone.localtime(parsed), "DATETIME_FORMAT")


def _details(e: Any, names: TimelineNames) -> list[str]:
    from kesu.complaints.next_step import amount_text
    from kesu.deadlines.models import PauseReason
    from kesu.notifications.models import LetterKind
    from kesu.resolution.models import ContactMethod
    from kesu.triage.models import Severity, Urgency

    data = e.data or {}
    out: list[str] = []

    def label(choices: Any, value: Any) -> str:
        try:
            return str(choices(value).label)
        except ValueError:
            return "—"

    if e.kind == "reclassified":
        before, after = data.get("before") or {}, data.get("after") or {}
        if before.get("category") != after.get("category"):

            def path(code: Any) -> str:
                return names.categories[code].localized_path if code in names.categories else "—"

            out.append(
                _("Category: %(before)s → %(after)s")
                % {"before": path(before.get("category")), "after": path(after.get("category"))}
            )
        if before.get("severity") != after.get("severity"):
            out.append(
                _("Severity: %(before)s → %(after)s")
                % {"before": label(Severity, before.get("severity")), "after": label(Severity, after.get("severity"))}
            )
        if before.get("urgency") != after.get("urgency"):
            out.append(
                _("Urgency: %(before)s → %(after)s")
                % {"before": label(Urgency, before.get("urgency")), "after": label(Urgency, after.get("urgency"))}
            )
    elif e.kind == "assign":
        if data.get("department") or data.get("assignee"):
            department = names.departments.get(str(data.get("department") or ""))
            who = names.users.get(str(data.get("assignee"))) if data.get("assignee") else None
            out.append(
                _("To: %(whom)s")
                % {"whom": " · ".join(x for x in (department.name if department else "", str(who) if who else "") if x)}
            )
    elif e.kind in ("propose_solution", "approve", "reject_approval") and data.get("total") is not None:
        out.append(_("Total: %(amount)s") % {"amount": amount_text(Decimal(str(data["total"])))})
        if e.kind == "propose_solution" and data.get("responsible"):
            who = names.users.get(str(data["responsible"]))
            out.append(
                _("Carried out by %(who)s, due %(when)s.")
                % {"who": str(who) if who else str(data["responsible"]), "when": _date(data.get("due_at")) or "—"}
            )
    elif e.kind in ("deadlines_paused", "deadlines_resumed") and data.get("reason"):
        out.append(_("Reason: %(reason)s") % {"reason": label(PauseReason, data["reason"])})
    elif e.kind == "deadline_extended":
        from kesu.deadlines.policies import KIND_LABELS

        deadlines = {"acknowledge": str(_("acknowledge")), "reply": str(_("reply")), "close": str(_("close"))}
        kind = str(data.get("deadline"))
        named = deadlines.get(kind) or (str(_(KIND_LABELS[kind])) if kind in KIND_LABELS else kind or "—")
        out.append(
            _("%(deadline)s deadline: %(before)s → %(after)s")
            % {
                "deadline": named,
                "before": _date(data.get("from")),
                "after": _date(data.get("to")),
            }
        )
    elif e.kind == "letter_sent" and data.get("letter"):
        out.append(label(LetterKind, data["letter"]))
    elif e.kind == "record_callback":
        if data.get("method"):
            out.append(label(ContactMethod, data["method"]))
    elif e.kind == "note" and data.get("visibility") != "customer":  # a public note carries its badge
        out.append(str(_("Internal: staff only")))
    elif e.kind == "customer_accept" and data.get("alternative"):
        out.append(_("Offer %(n)s accepted") % {"n": data["alternative"]})
    return out


@dataclass
class IntakeCheck:
    suggestion: SeveritySuggestion | None
    open_complaints: list[Complaint]
    earlier: list[Complaint]
    # triage intelligence (kesu/triage): the classifier's advice and the same-matter candidates
    advice: Any = None
    same_matter: list[Any] = field(default_factory=list)


def intake_check(*, user: User, phone: str, email: str, text: str, channel: str) -> IntakeCheck:
    """What the agent should know while typing (SPEC IN-10, CL-2): the same customer's open
    complaints, their last closed ones with the result, and the severity the rules suggest."""
    normalised_phone = normalised_email = None
    try:
        normalised_phone = normalize_phone(phone) if phone.strip() else None
    except ValueError:
        normalised_phone = None
    try:
        normalised_email = normalize_email(email) if email.strip() else None
    except ValueError:
        normalised_email = None
    open_complaints: list[Complaint] = []
    earlier: list[Complaint] = []
    customer = (
        customer_find(phone=normalised_phone, email=normalised_email)
        if (normalised_phone or normalised_email)
        else None
    )
    if customer is not None:
        open_complaints = list(customer_open_complaints(user=user, customer_id=customer.pk)[:10])
        earlier = list(
            visible_complaints(user)
            .filter(customer_id=customer.pk)
            .exclude(status__in=OPEN)
            .order_by("-received_at")[:3]
        )
    suggestion = suggest_severity(text=text, channel=channel) if (text.strip() or channel) else None
    check = IntakeCheck(suggestion=suggestion, open_complaints=open_complaints, earlier=earlier)
    if text.strip():
        from kesu.core import clock
        from kesu.triage.duplicates import same_matter
        from kesu.triage.intelligence import advise

        check.advice = advise(text=text, channel=channel)
        check.suggestion = check.advice.rule
        shown = {c.pk for c in open_complaints + earlier}
        check.same_matter = [
            c
            for c in same_matter(
                user=user, text=text, phone=normalised_phone or "", email=normalised_email or "", now=clock.now()
            )
            if c.complaint.pk not in shown
        ]
    return check


def intake_choices() -> dict[str, Any]:
    return {"categories": list(Category.objects.filter(active=True, level__lte=3).order_by("code"))}


# --- helpdesk: search jump, bulk selection, export -------------------------------------------


def search_jump(*, user: User, q: str) -> str | None:
    """The complaint number to open straight away: `q` is a visible complaint's number."""
    typed = q.strip()
    if not typed:
        return None
    return visible_complaints(user).filter(number=typed).values_list("number", flat=True).first()


EXPORT_COLUMNS: list[tuple[str, Any]] = [
    ("number", _("Number")),
    ("received_at", _("Received")),
    ("status", _("Status")),
    ("severity", _("Severity")),
    ("channel", _("Channel")),
    ("category", _("Category")),
    ("contact_name", _("Complainant")),
    ("contact_phone", _("Phone")),
    ("title", _("Subject")),
    ("order_no", _("Order number")),
    ("product_lot", _("Lot number")),
    ("department", _("Department")),
    ("assignee", _("Assignee")),
    ("close_due", _("Close by")),
    ("confidentiality", _("Confidentiality level")),
]


def queue_export(*, user: User, numbers: list[str]) -> tuple[list[str], list[list[str]]]:
    """The selected complaints the user may see, as rows of text in the user's language; phones
    masked for roles that may not see them (SPEC PV-1)."""
    from kesu.accounts.permissions import can_view_personal_data
    from kesu.core.privacy import mask_phone
    from kesu.customers.services import display_phone

    unmasked = can_view_personal_data(user)
    rows = (
        visible_complaints(user)
        .filter(number__in=numbers[:500])
        .select_related("category", "department", "assignee")
        .order_by("-received_at", "-id")
    )

    def local(value: dt.datetime | None) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    out = []
    for c in rows:
        phone = display_phone(c.contact_phone)
        out.append(
            [
                c.number,
                local(c.received_at),
                str(c.get_status_display()),
                str(c.get_severity_display()),
                str(c.get_channel_display()),
                c.category.localized_name if c.category else "",
                c.contact_name,
                phone if unmasked else (mask_phone(phone) or ""),
                c.title or c.description[:80],
                c.order_no,
                c.product_lot,
                c.department.name if c.department else "",
                str(c.assignee) if c.assignee else "",
                local(c.close_due),
                str(c.get_confidentiality_display()),
            ]
        )
    return [str(label) for _key, label in EXPORT_COLUMNS], out


def bulk_assignees() -> list[User]:
    """Who the selected complaints may be assigned to (the departments come with the filters)."""
    return list(
        User.objects.filter(is_active=True)
        .exclude(role=Role.AUDITOR)
        .select_related("department")
        .order_by("department__code", "username")
    )
