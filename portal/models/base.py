"""Abstract bases for columns several apps declare with the same meaning.

Only what is truly the same thing goes here: the concrete model keeps every
field that differs (a photo's folder, what it belongs to), so the tables and
migrations stay exactly as they were."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UploadedPhoto(models.Model):
    """A photo someone attached to a case, a request or a visit. The concrete
    model declares `file` itself, because its upload folder is its own."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]


class StoredFile(models.Model):
    """A file kept as evidence (an archive document, a call recording) with
    what identifies the bytes received: the name it came with, its size and
    SHA-256, and who uploaded it when. The concrete model declares `file`
    itself: its folder is its own, and a purge may empty it."""

    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        abstract = True


class CreatedByStaff(models.Model):
    """Who on the staff set the row up, and when; the row outlives the account."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class TimelineEvent(models.Model):
    """One step of a record's history that both sides read (a request's
    timeline, a rectification case's history): what happened — the concrete
    model's own `kind` choices —, who did it (none when the system did), on
    which side, what was said, and when. The concrete model adds what the
    step belongs to and keeps its own rule for a deleted account."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    by_tenant = models.BooleanField(_("from the tenant"), default=False)
    body = models.TextField(pgettext_lazy("timeline entry", "text"), blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]
