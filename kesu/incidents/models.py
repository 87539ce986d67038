"""Major incidents (SPEC DP-5, DP-6): the checklist of each kind of major complaint, who is told,
the crisis team and the media enquiries."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesu.accounts.models import Role


class MajorKind(models.TextChoices):
    INJURY_LIGHT = "injury_light", _("light injury on the premises")
    INJURY_SERIOUS = "injury_serious", _("serious injury on the premises")
    PRODUCT_HARM = "product_harm", _("injury or damage caused by a product")
    LOST_VALUABLES = "lost_valuables", _("valuables lost in custody")
    FOOD_POISONING = "food_poisoning", _("mass food poisoning")
    MEDIA = "media", _("media enquiry or exposure")
    REGULATOR = "regulator", _("regulator or government body")
    COURT = "court", _("court summons")
    PROFESSIONAL_CLAIMANT = "professional_claimant", _("professional or malicious claimant")


class Audience(models.TextChoices):
    """Who a major complaint of a kind is reported to (DP-5)."""

    GM = "gm", _("general manager")
    OPERATIONS = "operations", _("operations")
    MARKETING = "marketing", _("marketing")
    LEGAL = "legal", _("legal counsel")
    INSURER = "insurer", _("insurer")


def _localized(row: object, stem: str) -> str:
    language = (get_language() or "zh-hans").lower()
    if language.startswith("en"):
        return str(getattr(row, f"{stem}_en"))
    if language in {"zh-hant", "zh-tw", "zh-hk"}:
        return str(getattr(row, f"{stem}_zh_hant"))
    return str(getattr(row, f"{stem}_zh_hans"))


class ChecklistTemplate(models.Model):
    """The checklist of one kind of major complaint and whom it is reported to."""

    kind = models.CharField(_("kind"), max_length=30, choices=MajorKind.choices, unique=True)
    notify_gm = models.BooleanField(_("report to the general manager"), default=True)
    notify_operations = models.BooleanField(_("report to operations"), default=True)
    notify_marketing = models.BooleanField(_("report to marketing"), default=True)
    notify_legal = models.BooleanField(_("consult legal counsel"), default=False)
    notify_insurer = models.BooleanField(_("inform the insurer"), default=False)
    crisis_team = models.BooleanField(_("convene a crisis team"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["kind"]

    def __str__(self) -> str:
        return str(self.get_kind_display())

    def audiences(self) -> list[str]:
        flags = {
            Audience.GM: self.notify_gm,
            Audience.OPERATIONS: self.notify_operations,
            Audience.MARKETING: self.notify_marketing,
            Audience.LEGAL: self.notify_legal,
            Audience.INSURER: self.notify_insurer,
        }
        return [str(audience) for audience, on in flags.items() if on]


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text_zh_hans = models.CharField(_("text (simplified Chinese)"), max_length=200)
    text_zh_hant = models.CharField(_("text (traditional Chinese)"), max_length=200)
    text_en = models.CharField(_("text (English)"), max_length=200)
    owner_role = models.CharField(_("owner's role"), max_length=20, choices=Role.choices, default=Role.MANAGER)
    due_hours = models.PositiveIntegerField(_("due within (hours)"), default=24)

    class Meta:
        verbose_name = _("checklist template item")
        verbose_name_plural = _("checklist template items")
        ordering = ["template_id", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _localized(self, "text")


class IncidentContact(models.Model):
    """Someone a major complaint is reported to, by audience: a user or an outside address."""

    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True, on_delete=models.PROTECT
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("incident contact")
        verbose_name_plural = _("incident contacts")
        ordering = ["audience", "name"]

    def __str__(self) -> str:
        return self.name


class MajorIncident(models.Model):
    """A complaint that became major of a kind: its checklist was instantiated from the template."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="major_incident")
    kind = models.CharField(_("kind"), max_length=30, choices=MajorKind.choices)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("major incident")
        verbose_name_plural = _("major incidents")


class ChecklistItem(models.Model):
    incident = models.ForeignKey(MajorIncident, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"))
    text_zh_hans = models.CharField(_("text (simplified Chinese)"), max_length=200)
    text_zh_hant = models.CharField(_("text (traditional Chinese)"), max_length=200)
    text_en = models.CharField(_("text (English)"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    evidence = models.ForeignKey(
        "complaints.Attachment",
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["incident_id", "position", "id"]
        indexes = [models.Index(fields=["done_at", "escalated_at", "due_at"], name="checklist_item_sweep")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _localized(self, "text")


class CrisisTeam(models.Model):
    """DP-5: a media crisis convenes a crisis team; who was in it and what it decided."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="crisis_team")
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead"), on_delete=models.PROTECT, related_name="+"
    )
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="+")
    purpose = models.TextField(_("purpose"))
    decisions = models.TextField(_("decisions"), blank=True)
    convened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    convened_at = models.DateTimeField(_("convened at"))

    class Meta:
        verbose_name = _("crisis team")
        verbose_name_plural = _("crisis teams")


class MediaEnquiry(models.Model):
    """DP-5: a journalist's question, answered only by the customer-service manager."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="media_enquiries")
    outlet = models.CharField(_("media outlet"), max_length=120)
    reporter = models.CharField(_("reporter"), max_length=120, blank=True)
    question = models.TextField(_("question"))
    received_at = models.DateTimeField(_("received at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("media enquiry")
        verbose_name_plural = _("media enquiries")
        ordering = ["received_at", "id"]
