from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Role


class RemedyType(models.TextChoices):
    EXPLANATION = "explanation", _("explanation")
    APOLOGY = "apology", _("apology")
    REFUND = "refund", _("refund")
    RETURN = "return", _("return")
    EXCHANGE = "exchange", _("exchange")
    REPAIR = "repair", _("repair")
    COMPENSATION = "compensation", _("compensation")
    VOUCHER = "voucher", _("voucher")
    ALLOWANCE = "allowance", _("price allowance")
    MEDICAL = "medical", _("medical costs")
    OTHER = "other", _("other")


class ApprovalAuthority(models.Model):
    """How much a role may approve (SPEC DP-3); a department row overrides the default row."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.CASCADE
    )
    limit = models.DecimalField(
        _("limit (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty means unlimited."),
    )

    class Meta:
        verbose_name = _("approval authority")
        verbose_name_plural = _("approval authorities")
        constraints = [
            models.UniqueConstraint(fields=["role", "department"], name="authority_role_department"),
            models.UniqueConstraint(
                fields=["role"], condition=models.Q(department__isnull=True), name="authority_role_default"
            ),
        ]


class SolutionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("awaiting approval")
    APPROVED = "approved", _("approved")
    APPROVAL_REJECTED = "approval_rejected", _("rejected by approver")
    ACCEPTED = "accepted", _("accepted by customer")
    CUSTOMER_REJECTED = "customer_rejected", _("rejected by customer")
    SUPERSEDED = "superseded", _("superseded")


class Solution(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="solutions")
    round = models.PositiveSmallIntegerField(_("round"))
    status = models.CharField(_("status"), max_length=20, choices=SolutionStatus.choices)
    total = models.DecimalField(_("total (CNY)"), max_digits=12, decimal_places=2)
    # What the customer reads (portal, letters); the staff's own wording goes in internal_note.
    description = models.TextField(_("description"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    customer_answered_at = models.DateTimeField(null=True, blank=True)
    customer_note = models.TextField(blank=True)
    alternatives = models.PositiveSmallIntegerField(_("alternatives offered"), default=1)
    accepted_alternative = models.PositiveSmallIntegerField(_("alternative accepted"), null=True, blank=True)
    # RS-2: who carries the solution out, and by when (tracked as the complaint's `solution_due`
    # deadline). Blank only on solutions proposed before these were recorded.
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("to be carried out by"), null=True, blank=True)

    class Meta:
        verbose_name = _("solution")
        verbose_name_plural = _("solutions")
        ordering = ["complaint", "round"]
        constraints = [models.UniqueConstraint(fields=["complaint", "round"], name="solution_round_unique")]


class Remedy(models.Model):
    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="remedies")
    # Several alternatives may be offered in one round (RS-3); the customer accepts one of them.
    alternative = models.PositiveSmallIntegerField(_("alternative"), default=1)
    type = models.CharField(_("type"), max_length=20, choices=RemedyType.choices)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("remedy")
        verbose_name_plural = _("remedies")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="remedy_amount_gte_0")]


class ContactMethod(models.TextChoices):
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    VISIT = "visit", _("visit")


class ApprovalDecisionKind(models.TextChoices):
    AUTO_APPROVED = "auto_approved", _("approved within the proposer's authority")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ApprovalDecision(models.Model):
    """One row per approval decision on a solution: who, when, why, what (the approval history)."""

    solution = models.ForeignKey(Solution, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("decision"), max_length=20, choices=ApprovalDecisionKind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    authority_limit = models.DecimalField(
        _("authority (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Empty means unlimited."),
    )
    at = models.DateTimeField(_("at"))
    note = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")
        ordering = ["at", "id"]


class Callback(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="callbacks")
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE)
    reached = models.BooleanField(_("customer reached"))
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (1-5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["at", "id"]


# --- investigation and responsibility (SPEC IV-1, IV-2, CL-1, CL-4) --------------------------


class CauseClass(models.TextChoices):
    """SPEC CL-4."""

    POLICY_NOT_UNDERSTOOD = "policy_not_understood", _("policy or rules not understood")
    STAFF = "staff", _("our staff's attitude, skill or error")
    SYSTEM_OR_OTHER_DEPARTMENT = "system_or_other_department", _("a system fault or another department's error")


class Responsibility(models.TextChoices):
    """SPEC IV-2 (责任归属)."""

    OURS = "ours", _("our department and staff")
    CUSTOMER_MISUSE = "customer_misuse", _("customer misuse")
    SUPPLIER = "supplier", _("supplier")
    CARRIER = "carrier", _("carrier")
    NOT_ESTABLISHED = "not_established", _("not established")


class Investigation(models.Model):
    """What the investigation found, one per complaint, kept up to date as facts come in.

    A solution may be proposed only once `root_cause` and `responsibility` are recorded
    (a guard in the transition table)."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="investigation")
    findings = models.TextField(_("findings"), blank=True)
    evidence = models.ManyToManyField("complaints.Attachment", verbose_name=_("evidence"), blank=True, related_name="+")
    # 5W1H of the LED seed (000) for product complaints.
    fact_what = models.TextField(_("what"), blank=True)
    fact_who = models.TextField(_("who"), blank=True)
    fact_when = models.TextField(_("when"), blank=True)
    fact_where = models.TextField(_("where"), blank=True)
    fact_why = models.TextField(_("why"), blank=True)
    fact_how = models.TextField(_("how"), blank=True)
    lot_number = models.CharField(_("lot number"), max_length=80, blank=True)
    bill_of_materials = models.TextField(_("bill of materials"), blank=True)
    process_records = models.TextField(_("process records"), blank=True)
    lab_analysis = models.TextField(_("lab analysis"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    reason_category = models.ForeignKey(
        "triage.Category",
        verbose_name=_("level-4 reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cause_class = models.CharField(_("cause class"), max_length=30, choices=CauseClass.choices, blank=True)
    responsibility = models.CharField(_("responsibility"), max_length=20, choices=Responsibility.choices, blank=True)
    responsible_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("responsible department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    loss_amount = models.DecimalField(_("loss amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    penalty_amount = models.DecimalField(_("penalty (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")
        constraints = [
            models.CheckConstraint(condition=models.Q(loss_amount__gte=0), name="investigation_loss_gte_0"),
            models.CheckConstraint(condition=models.Q(penalty_amount__gte=0), name="investigation_penalty_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id}"

    @property
    def ready_for_solution(self) -> bool:
        return bool(self.root_cause.strip()) and bool(self.responsibility)


# --- several departments (SPEC DP-2) ----------------------------------------------------------


class Coordination(models.Model):
    """The one coordinator of a complaint that touches several departments."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="coordination")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("coordinator"), on_delete=models.PROTECT, related_name="+"
    )
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("coordination")
        verbose_name_plural = _("coordinations")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class DepartmentTask(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="department_tasks")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("what to do"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    result = models.TextField(_("result"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("department task")
        verbose_name_plural = _("department tasks")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "department"],
                condition=models.Q(status="open"),
                name="one_open_task_per_department",
            ),
        ]


# --- returns and allowances (SPEC RS-5) -------------------------------------------------------


class ReturnKind(models.TextChoices):
    CREDIT_NOTE = "credit_note", _("credit note (销货折让证明单)")
    RETURN_SLIP = "return_slip", _("return slip (成品退货单)")


class ReconciliationStatus(models.TextChoices):
    AWAITING = "awaiting", _("awaiting the goods")
    MATCHED = "matched", _("matched")
    DISCREPANCY = "discrepancy", _("discrepancy")
    NOT_APPLICABLE = "not_applicable", _("no goods to return")


class ReturnDocument(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, related_name="return_documents")
    solution = models.ForeignKey(Solution, on_delete=models.PROTECT, related_name="return_documents")
    kind = models.CharField(_("kind"), max_length=20, choices=ReturnKind.choices)
    number = models.CharField(_("number"), max_length=60, unique=True)
    item = models.CharField(_("product"), max_length=200, blank=True)
    lot = models.CharField(_("lot number"), max_length=80, blank=True)
    approved_quantity = models.PositiveIntegerField(_("approved quantity"), null=True, blank=True)
    returned_quantity = models.PositiveIntegerField(_("returned quantity"), null=True, blank=True)
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField(_("approved amount (CNY)"), max_digits=12, decimal_places=2)
    reconciliation = models.CharField(_("reconciliation"), max_length=20, choices=ReconciliationStatus.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("goods received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return or allowance document")
        verbose_name_plural = _("return and allowance documents")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="return_amount_gte_0"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="return_unit_price_gte_0"),
        ]

    def __str__(self) -> str:
        return self.number


# --- follow-up visits (SPEC FU-3) -------------------------------------------------------------


class FollowUpStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("scheduled")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class FollowUpVisit(models.Model):
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="follow_ups")
    scheduled_for = models.DateField(_("scheduled for"))
    method = models.CharField(_("method"), max_length=10, choices=ContactMethod.choices, default=ContactMethod.VISIT)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(_("scheduled at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["scheduled_for", "id"]


# --- validity and appeals (SPEC IV-4, §7) -------------------------------------------------------


class Validity(models.TextChoices):
    VALID = "valid", _("valid")
    INVALID = "invalid", _("invalid")


class ValidKind(models.TextChoices):
    MAJOR = "major", _("major complaint")
    SERVICE = "service", _("service complaint")
    BUSINESS = "business", _("business complaint")
    SERVICE_ERROR = "service_error", _("service error")


class InvalidReason(models.TextChoices):
    EXCESSIVE_DEMAND = "excessive_demand", _("excessive demand")
    HARASSMENT = "harassment", _("harassment")
    UNTRUE = "untrue", _("untrue information")
    SYSTEM_FAULT = "system_fault", _("system fault")
    KNOWLEDGE_BASE = "knowledge_base", _("knowledge-base error")
    BRANCH_ERROR = "branch_error", _("a branch's error")
    RECORDING_UNAVAILABLE = "recording_unavailable", _("recording unavailable")


class Adjudication(models.Model):
    """A ruling on a complaint's validity, always with its reason; the staff member whose
    handling was judged may appeal it."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="adjudications")
    validity = models.CharField(_("validity"), max_length=10, choices=Validity.choices)
    kind = models.CharField(_("kind or reason"), max_length=30)
    reason = models.TextField(_("reason"), blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff judged"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ruled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ruled_at = models.DateTimeField(_("ruled at"))

    class Meta:
        verbose_name = _("adjudication")
        verbose_name_plural = _("adjudications")
        ordering = ["ruled_at", "id"]


class AppealDecision(models.TextChoices):
    UPHELD = "upheld", _("ruling upheld")
    OVERTURNED = "overturned", _("ruling overturned")


class Appeal(models.Model):
    adjudication = models.OneToOneField(Adjudication, on_delete=models.CASCADE, related_name="appeal")
    appellant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("grounds"))
    lodged_at = models.DateTimeField(_("lodged at"))
    answer_due = models.DateTimeField(_("answer due"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=12, choices=AppealDecision.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # §7: an appeal still unanswered past `answer_due` is escalated once by the periodic sweep.
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["lodged_at", "id"]


# --- formal objections (SPEC IV-5, 签呈) ---------------------------------------------------------


class ObjectionSubject(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("its share of responsibility")
    RULING = "ruling", _("a ruling on the complaint")


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("awaiting management's decision")
    UPHELD = "upheld", _("upheld")
    REJECTED = "rejected", _("rejected")


class Objection(models.Model):
    """A department's formal objection (签呈) to a ruling or to its share of responsibility,
    decided by management. When upheld, the investigation's responsibility changes as decided, and
    with it the responsibility roll-ups."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="objections")
    department = models.ForeignKey(
        "accounts.Department", verbose_name=_("department objecting"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.CharField(_("objection to"), max_length=20, choices=ObjectionSubject.choices)
    adjudication = models.ForeignKey(
        Adjudication, verbose_name=_("ruling"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("grounds"))
    proposed_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department that should be responsible"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    # What the decision changed on the investigation (previous and new responsibility).
    change = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("formal objection")
        verbose_name_plural = _("formal objections")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "department"],
                condition=models.Q(status="pending"),
                name="one_pending_objection_per_department",
            )
        ]
