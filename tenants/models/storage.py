"""Temporary item storage log (R8, clause 4.15, 《租户临时物品寄存记录表》):
what a tenant left with the service desk, who received it, where it is kept,
and who collected it when."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.models.archive import Centre, Contact, Tenant


class StorageQuerySet(models.QuerySet):
    def waiting(self):
        return self.filter(collected_at__isnull=True)

    def left_too_long(self, now=None):
        now = now or timezone.now()
        return self.waiting().filter(deposited_at__lt=now - timedelta(days=settings.ATRIUM_STORAGE_FLAG_DAYS))


class StorageDeposit(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="storage_deposits", verbose_name=_("centre"))
    number = models.CharField(_("number"), max_length=30, unique=True)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="storage_deposits", verbose_name=_("tenant"))
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    depositor_name = models.CharField(_("left by"), max_length=100)
    items = models.CharField(pgettext_lazy("left for collection", "items"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    location = models.CharField(_("kept at"), max_length=200)
    note = models.CharField(_("note"), max_length=300, blank=True)
    deposited_at = models.DateTimeField(_("left at"), default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    collector_name = models.CharField(_("collected by"), max_length=100, blank=True)
    collector_id_checked = models.BooleanField(_("ID checked"), default=False)
    collector_id_last4 = models.CharField(_("ID (last 4 characters)"), max_length=4, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("released by"),
    )

    objects = StorageQuerySet.as_manager()

    class Meta:
        verbose_name = _("storage log entry")
        verbose_name_plural = _("temporary storage log")
        ordering = ["-deposited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="storage_quantity_positive"),
            models.CheckConstraint(
                condition=Q(collected_at__isnull=True) | (~Q(collector_name="") & Q(released_by__isnull=False)),
                name="storage_collection_complete",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.items}"

    @property
    def is_collected(self) -> bool:
        return self.collected_at is not None

    @property
    def left_too_long(self) -> bool:
        return not self.is_collected and self.deposited_at < timezone.now() - timedelta(
            days=settings.ATRIUM_STORAGE_FLAG_DAYS
        )


class ImportJob(models.Model):
    """An uploaded sheet from its upload to its import. The file stays on the
    server, keyed to the user who uploaded it: a task checks it (the dry run,
    counting rows done for the admin to show), and the confirmed import
    re-reads it from here, never from the browser."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", _("Checking")
        REJECTED = "rejected", _("File refused")
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Not imported")

    token = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    resource = models.CharField(max_length=20)
    file = models.FileField(upload_to="imports/", max_length=300)
    original_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=10)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PREVIEWED)
    valid = models.BooleanField(default=False)
    totals = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    # While checking: rows read from the file, then rows checked of rows_total.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.resource} {self.original_name}"
