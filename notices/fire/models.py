"""The monthly fire-safety cycle (procedure 4.8.1).

A centre keeps its own checklist. Each month it has one inspection round; an
inspector records one form per tenant (every item passed or failed, notes,
photos). A form with failed items opens a rectification case, which carries
the rectification letter (整改函) and its deadline until the inspector closes
it after the tenant has reported the work done."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.base import TimelineEvent, UploadedPhoto


class ChecklistItem(models.Model):
    centre = models.ForeignKey("portal.Centre", on_delete=models.CASCADE, related_name="fire_checklist",
                               verbose_name=_("centre"))
    text = models.CharField(_("check"), max_length=200, help_text=_("What the inspector checks, e.g. 消防通道畅通."))
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True,
                                 help_text=_("Items no longer in use stay on the forms that recorded them."))

    class Meta:
        verbose_name = _("fire-safety checklist item")
        verbose_name_plural = _("fire-safety checklist")
        ordering = ["centre", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["centre", "text"], name="fire_checklist_item_unique")]

    def __str__(self):
        return self.text


class InspectionRound(models.Model):
    """One centre's inspection in one month; `month` is the month's first day."""

    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="fire_rounds",
                               verbose_name=_("centre"))
    month = models.DateField(_("month"))
    notice_letter = models.OneToOneField("notices.Letter", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="fire_round", verbose_name=_("inspection notice"))
    report_pdf = models.FileField(_("report PDF"), upload_to="fire/reports/%Y/", blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    report_generated_at = models.DateTimeField(_("report generated at"), null=True, blank=True)
    report_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["-month", "centre"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "month"], name="fire_round_one_per_centre_month"),
        ]

    def __str__(self):
        return f"{self.centre} · {self.month:%Y-%m}"


class InspectionForm(models.Model):
    """What the inspector found at one tenant; final once recorded."""

    round = models.ForeignKey(InspectionRound, on_delete=models.PROTECT, related_name="forms",
                              verbose_name=_("inspection round"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="fire_forms",
                               verbose_name=_("tenant"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("inspector"))
    inspected_at = models.DateTimeField(_("inspected at"), default=timezone.now)
    notes = models.TextField(_("notes"), blank=True)
    failed_count = models.PositiveSmallIntegerField(_("failed items"), default=0)

    class Meta:
        verbose_name = _("inspection form")
        verbose_name_plural = _("inspection forms")
        ordering = ["round", "tenant__code"]
        constraints = [models.UniqueConstraint(fields=["round", "tenant"], name="fire_form_one_per_tenant_round")]

    def __str__(self):
        return f"{self.round} · {self.tenant}"

    @property
    def passed(self) -> bool:
        return self.failed_count == 0


class InspectionResult(models.Model):
    form = models.ForeignKey(InspectionForm, on_delete=models.CASCADE, related_name="results")
    # The wording as checked is kept in item_text, so the centre may reword or
    # delete its checklist items later without touching recorded forms.
    item = models.ForeignKey(ChecklistItem, on_delete=models.SET_NULL, null=True, related_name="+")
    item_text = models.CharField(_("check"), max_length=200)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["form", "item"], name="fire_result_one_per_item")]

    def __str__(self):
        return f"{self.item_text}: {'✓' if self.passed else '✗'}"


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Awaiting rectification")
    REPORTED = "reported", _("Reported rectified, awaiting re-inspection")
    CLOSED = "closed", _("Closed")


class RectificationCaseQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=CaseStatus.CLOSED)

    def overdue(self, today=None):
        # A case without a deadline is waiting for its letter to reach the
        # shop: never overdue (NULL < today is not true either; said here).
        today = today or timezone.localdate()
        return self.filter(status=CaseStatus.OPEN, deadline__isnull=False, deadline__lt=today)

    def awaiting_letter(self):
        """Unresolved cases whose rectification letter has not reached the shop yet."""
        return self.unresolved().filter(deadline__isnull=True)


class RectificationCase(models.Model):
    """Failed items at one tenant in one round, until re-inspected and closed."""

    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="fire_cases",
                               verbose_name=_("tenant"))
    form = models.OneToOneField(InspectionForm, on_delete=models.PROTECT, related_name="case",
                                verbose_name=_("inspection form"))
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    # The shop's time runs from when its rectification letter reaches it (the
    # letter's delivery to the tenant), not from the inspection: approval and
    # sealing take days, and a deadline that passed before the letter arrived
    # would escalate a shop that was never told. So the case keeps the period
    # (`rectify_days`) and gets its `deadline` on delivery; until then it has none.
    rectify_days = models.PositiveSmallIntegerField(_("days to rectify"), default=7,
                                                    help_text=_("Counted from the day the letter reaches the shop."))
    deadline = models.DateField(_("rectify by"), null=True, blank=True)
    # The current rectification letter; earlier ones stay in the events.
    letter = models.ForeignKey("notices.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("rectification letter"))
    letter_error = models.CharField(max_length=300, blank=True)
    escalated_at = models.DateTimeField(pgettext_lazy("fire case", "escalated at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("closed by"))

    objects = RectificationCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification case")
        verbose_name_plural = _("rectification cases")
        # Cases still waiting for their letter (no deadline) after those with one.
        ordering = [F("deadline").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="closed") & Q(closed_at__isnull=False)) | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="fire_case_closed_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.tenant} · {self.form.round.month:%Y-%m}"

    @property
    def is_overdue(self) -> bool:
        return self.is_overdue_on(timezone.localdate())

    def is_overdue_on(self, today) -> bool:
        return self.status == CaseStatus.OPEN and self.deadline is not None and self.deadline < today

    @property
    def awaiting_letter(self) -> bool:
        """Still open and the rectification letter has not reached the shop (no deadline yet)."""
        return self.status != CaseStatus.CLOSED and self.deadline is None

    def get_stage_display(self) -> str:
        """The status as staff read it: an open case before its letter arrives
        is "awaiting the rectification letter", not "awaiting rectification"."""
        if self.status == CaseStatus.OPEN and self.deadline is None:
            return str(_("Awaiting the rectification letter"))
        return self.get_status_display()


class CaseEvent(TimelineEvent):
    """The case's history as both sides see it."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        LETTER = "letter", _("Rectification letter drafted")
        LETTER_DELIVERED = "letter_delivered", _("Rectification letter delivered to the shop")
        REPORTED = "reported", _("Tenant reported the rectification")
        REINSPECTED_FAILED = "reinspected_failed", _("Re-inspected: not yet rectified")
        CLOSED = "closed", _("Re-inspected: rectified, case closed")
        ESCALATED = "escalated", _("Overdue: escalated")

    case = models.ForeignKey(RectificationCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Unlike a request's timeline, a case's history keeps its people: an
    # account that inspected or reported cannot be deleted from under it.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    letter = models.ForeignKey("notices.Letter", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deadline = models.DateField(null=True, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self):
        return f"{self.case} · {self.get_kind_display()}"


def _photo_path(instance, filename):
    return f"fire/{instance.centre_id}/{instance.tenant_id}/{filename}"


class FirePhoto(UploadedPhoto):
    """A photo taken at inspection, or sent with a rectification report or a
    re-inspection. Confidential: served only through an access-checked view."""

    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="+")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey(InspectionForm, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=300)

    class Meta(UploadedPhoto.Meta):
        constraints = [
            models.CheckConstraint(
                condition=(Q(form__isnull=False) & Q(event__isnull=True)) | (Q(form__isnull=True) & Q(event__isnull=False)),
                name="fire_photo_belongs_to_form_or_event",
            ),
        ]

    def __str__(self):
        return f"fire photo {self.pk}"
