"""Annual visit plans (4.13, seed 004 §4.1): one plan per centre and year,
one planned visit per tenant and window. Windows come from the tenant's tier
and are recomputed when the tier, the lease or the status changes."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.outbox import NotifyClaim
from tenants.models import Centre, Tenant, Tier

# How many equal windows a year has at each cadence.
SPECIAL_CHOICES = [(1, _("once a year")), (2, _("twice a year")), (4, _("quarterly")), (6, _("every two months")),
                   (12, _("monthly"))]
TIER_WINDOWS = {Tier.TIER_1: 12, Tier.TIER_2: 4, Tier.TIER_3: 1}


class VisitPolicy(models.Model):
    """How often a centre visits its special tenants; tiers 1–3 follow the
    procedure and are not configurable."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="visit_policy", verbose_name=_("centre"))
    special_per_year = models.PositiveSmallIntegerField(
        _("visits a year to special tenants"), choices=SPECIAL_CHOICES, default=12,
    )

    class Meta:
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")
        constraints = [
            models.CheckConstraint(condition=Q(special_per_year__in=[1, 2, 4, 6, 12]), name="visit_policy_special_divides_year"),
        ]

    def __str__(self):
        return f"{self.centre} · {self.get_special_per_year_display()}"

    @classmethod
    def windows_for(cls, centre_id: int, tier: str, *, special: int | None = None) -> int:
        if tier in TIER_WINDOWS:
            return TIER_WINDOWS[tier]
        if special is None:
            special = cls.objects.filter(centre_id=centre_id).values_list("special_per_year", flat=True).first() or 12
        return special


class TierChange(models.Model):
    """When a tenant's tier changed, moved in or left: the history the plan is
    computed from. `to_tier` "left" ends the tenant's presence."""

    LEFT = "left"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="tier_changes", verbose_name=_("tenant"))
    from_tier = models.CharField(_("from"), max_length=10, blank=True)
    to_tier = models.CharField(_("to"), max_length=10)
    effective = models.DateField(_("effective from"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        ordering = ["tenant", "effective", "id"]
        indexes = [models.Index(fields=["tenant", "effective"])]

    def __str__(self):
        return f"{self.tenant_id} {self.from_tier}→{self.to_tier} {self.effective}"


class VisitPlan(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="visit_plans", verbose_name=_("centre"))
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    generated_at = models.DateTimeField(_("generated at"), auto_now=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["-year", "centre"]
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="visit_plan_one_per_centre_year")]

    def __str__(self):
        return f"{self.centre} {self.year}"


class PlannedVisitStatus(models.TextChoices):
    DUE = "due", _("Due")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlannedVisitQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=PlannedVisitStatus.CANCELLED)

    def overdue(self, today):
        return self.filter(status=PlannedVisitStatus.DUE, window_end__lt=today)

    def ended(self, today):
        """Windows that are over (or done early): the ones a rate is judged on."""
        return self.live().filter(Q(window_end__lt=today) | Q(status=PlannedVisitStatus.DONE))


class PlannedVisit(models.Model):
    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("plan"))
    # Denormalised from the plan so that figures group without a join.
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="planned_visits", verbose_name=_("tenant"))
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices)
    # "M05", "Q2", "Y", "S3" (the 3rd of the special cadence): with the year
    # it names the window, so re-planning finds the row it made before.
    period = models.CharField(_("period"), max_length=8)
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("due by"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="planned_visits",
        verbose_name=pgettext_lazy("visit plan", "assigned to"),
    )
    status = models.CharField(_("status"), max_length=10, choices=PlannedVisitStatus.choices, default=PlannedVisitStatus.DUE)
    record = models.OneToOneField(
        "visits.VisitRecord", on_delete=models.SET_NULL, null=True, blank=True, related_name="planned_visit",
        verbose_name=_("visit record"),
    )
    done_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    cancelled_reason = models.CharField(_("why cancelled"), max_length=200, blank=True)

    objects = PlannedVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["window_end", "tenant"]
        indexes = [
            models.Index(fields=["centre", "window_end", "status"]),
            models.Index(fields=["assignee", "status", "window_end"]),
            models.Index(fields=["tenant", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["plan", "tenant", "period"], name="planned_visit_one_per_window"),
            models.CheckConstraint(condition=Q(window_end__gte=models.F("window_start")), name="planned_visit_window_order"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_at__isnull=False), name="planned_visit_done_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.tenant} {self.window_start}–{self.window_end}"


class ReminderSent(NotifyClaim):
    """One row per reminder or survey invitation: what makes the tasks safe
    to run twice in the same week or month. Written and claimed before the
    email goes out (portal.outbox); `notified_at` once it has."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=20)  # "2026-W47", "2026-11"
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("visit reminder sent")
        verbose_name_plural = _("visit reminders sent")
        constraints = [models.UniqueConstraint(fields=["kind", "key", "user"], name="visit_reminder_once")]

    def __str__(self):
        return f"{self.kind} {self.key} {self.user_id}"


class TenantYear(models.Model):
    """Where a tenant stands in a year, kept up to date by the services that
    change it (plan sync, visits, meeting attendance) so that the dashboard
    reads one row per tenant instead of the whole plan and visit history.

    - `windows`: live planned windows this year (0: not counted, pro rata);
    - `first_due_end`: end of the earliest window still due — the tenant is
      behind on visits once that day is past;
    - `first_met`: first day met face to face at a tenant meeting (the
      face-to-face rate of clause 4.10 counts meetings only);
    - `first_on_site`: first day visited in person (on site, or a meeting
      with the tenant on a visit), reported as its own figure;
    - `owner`: the staff member who owns the tenant's visits this year (the
      assignee of its latest planned window): the tenant-based figures
      (visit rate, face-to-face, in person) are credited to that person."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+")
    tier = models.CharField(max_length=10, choices=Tier.choices)
    windows = models.PositiveSmallIntegerField(default=0)
    first_due_end = models.DateField(null=True, blank=True)
    first_met = models.DateField(null=True, blank=True)
    first_on_site = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        verbose_name = _("tenant's year")
        verbose_name_plural = _("tenants' years")
        constraints = [models.UniqueConstraint(fields=["tenant", "year"], name="tenant_year_once")]
        indexes = [models.Index(fields=["year", "centre"])]

    def __str__(self):
        return f"{self.tenant_id} {self.year}"
