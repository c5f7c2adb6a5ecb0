"""Official letters (通知函件): draft → leader → seal-use approval → stamped PDF."""

import os

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    RevisionMixin,
    WorkflowMixin,
)
from wagtail.search import index

from notices.models.delivery import DeliveryState
from portal.models.accounts import Department
from portal.search import segment
from portal.uploads import DOCUMENT_KINDS, safe_name, upload_sha256, validate_upload
from tenants.models import Category, Tier

# What a letter body may contain; the PDF sanitiser enforces the same subset.
BODY_FEATURES = ["bold", "italic", "ol", "ul", "h3", "h4"]


class LetterKind(models.TextChoices):
    NOTICE = "notice", _("Notice")
    LETTER = "letter", pgettext_lazy("letter kind", "Letter")
    RECTIFICATION = "rectification", _("Rectification letter")
    WORKS = "works", _("Works notice")
    MEETING = "meeting", _("Meeting notice")
    FIRE_INSPECTION = "fire_inspection", _("Fire-safety inspection notice")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_APPROVAL = "in_approval", _("In approval")
    APPROVED = "approved", _("Approved, awaiting stamp")
    STAMPING = "stamping", _("Being stamped")
    STAMPED = "stamped", _("Stamped")
    STAMPING_FAILED = "stamping_failed", _("Stamping failed")


class RecipientMode(models.TextChoices):
    ALL = "all", _("All tenants of the centre")
    TIER = "tier", _("Tenants of chosen tiers")
    FLOOR = "floor", _("Tenants on chosen floors")
    UNITS = "units", _("Tenants of the affected units")
    CATEGORY = "category", _("Tenants of chosen categories")
    NAMED = "named", _("Named tenants")


class LetterQuerySet(models.QuerySet):
    def stamped(self):
        return self.filter(status=LetterStatus.STAMPED)


class Letter(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="letters", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=20, choices=LetterKind.choices, default=LetterKind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("body"), features=BODY_FEATURES)
    department = models.CharField(_("drafting department"), max_length=20, choices=Department.choices)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafted_letters", verbose_name=_("drafter"),
        editable=False, null=True,
    )
    addressee = models.CharField(_("addressee"), max_length=200, default="各位商户", help_text=_("As printed, e.g. 各位商户."))

    recipient_mode = models.CharField(_("recipients"), max_length=10, choices=RecipientMode.choices, default=RecipientMode.ALL)
    recipient_tiers = models.JSONField(_("tiers"), default=list, blank=True)
    recipient_floors = models.JSONField(_("floors"), default=list, blank=True)
    recipient_categories = models.JSONField(_("categories"), default=list, blank=True)
    # Unit numbers, for works notices that concern only the units affected.
    recipient_units = models.JSONField(_("units"), default=list, blank=True)
    recipient_tenants = ParentalManyToManyField("tenants.Tenant", blank=True, related_name="+", verbose_name=_("named tenants"))

    # 版记 (GB/T 9704-2012): printed at the end of the letter when set.
    copy_to = models.CharField(
        _("copy to"), max_length=200, blank=True,
        help_text=_("The organisations that receive a copy, printed in the colophon at the end of the letter. "
                    "Leave empty for none."),
    )
    printed_by = models.CharField(
        _("printed by"), max_length=200, blank=True,
        help_text=_("The issuing office, printed in the colophon with the letter's date. Leave empty for no such line."),
    )

    requires_receipt = models.BooleanField(_("signed receipt required"), default=True)
    sign_by = models.DateField(_("sign by"), null=True, blank=True)

    status = models.CharField(_("status"), max_length=20, choices=LetterStatus.choices, default=LetterStatus.DRAFT, editable=False)
    doc_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    doc_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)
    doc_number = models.CharField(_("document number"), max_length=100, blank=True, editable=False)
    doc_date = models.DateField(_("date"), null=True, blank=True, editable=False)
    pdf = models.FileField(_("stamped PDF"), upload_to="letters/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False, db_index=True)
    pdf_pages = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    stamped_at = models.DateTimeField(_("stamped at"), null=True, blank=True, editable=False)
    stamping_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    stamping_error = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Delivery (4.8.5): written by notices.services.delivery only.
    delivery_state = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING, editable=False
    )
    delivery_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True, editable=False)
    # Reminder schedule for tenants who have not signed: the first one this
    # many days after delivery, then every few days until due, at most N.
    remind_after_days = models.PositiveSmallIntegerField(_("first reminder after (days)"), default=1)
    remind_every_days = models.PositiveSmallIntegerField(_("then remind every (days)"), default=2)
    remind_max = models.PositiveSmallIntegerField(_("at most (reminders)"), default=5)

    objects = LetterQuerySet.as_manager()

    search_fields = [
        index.SearchField("search_text"),
        index.AutocompleteField("search_text"),
        index.FilterField("centre"),
        index.FilterField("status"),
        index.FilterField("kind"),
        index.FilterField("id"),
    ]

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-created_at"]
        # The admin listing's default order, read from an index: one centre's
        # newest letters, or (several centres) the newest of all, filtered.
        indexes = [
            models.Index(fields=["centre", "-created_at"], name="letter_centre_newest"),
            models.Index(fields=["-created_at"], name="letter_newest"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "doc_year", "doc_seq"], condition=Q(doc_seq__isnull=False), name="letter_number_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="stamped") | (~Q(pdf_sha256="") & ~Q(doc_number="")),
                name="letter_stamped_has_pdf_and_number",
            ),
        ]

    def __str__(self):
        return f"{self.doc_number} {self.title}" if self.doc_number else self.title

    # Written only by notices.services.letters, with queryset updates under a row lock.
    SERVICE_FIELDS = frozenset({
        "status", "doc_year", "doc_seq", "doc_number", "doc_date", "pdf", "pdf_sha256", "pdf_pages",
        "stamped_at", "stamping_started_at", "stamping_error",
        "delivery_state", "delivery_started_at", "delivered_at",
    })

    def save(self, *args, **kwargs):
        # Wagtail's editor and workflow save the instance they loaded earlier;
        # a plain save() would write its stale status and number back over
        # what the chain recorded meanwhile. Saves leave those fields alone.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in self.SERVICE_FIELDS
            ] + ["attachments", "recipient_tenants"]
        super().save(*args, **kwargs)

    def search_text(self) -> str:
        return segment(self.title, self.doc_number)

    @property
    def is_stamped(self) -> bool:
        return self.status == LetterStatus.STAMPED

    def recipient_summary(self) -> str:
        mode = RecipientMode(self.recipient_mode)
        if mode == RecipientMode.TIER:
            return f"{mode.label}: " + "、".join(str(Tier(t).label) for t in self.recipient_tiers if t in Tier.values)
        if mode == RecipientMode.CATEGORY:
            return f"{mode.label}: " + "、".join(str(Category(c).label) for c in self.recipient_categories if c in Category.values)
        if mode == RecipientMode.UNITS:
            return f"{mode.label}: " + "、".join(self.recipient_units)
        if mode == RecipientMode.FLOOR:
            return f"{mode.label}: " + "、".join(f"B{-f}" if f < 0 else f"{f}F" for f in self.recipient_floors)
        return str(mode.label)


# From approval on, the attachments are what the approvers saw and what the
# seal binds (their hashes are printed in the stamped PDF).
FROZEN_STATUSES = frozenset({
    LetterStatus.APPROVED, LetterStatus.STAMPING, LetterStatus.STAMPED, LetterStatus.STAMPING_FAILED,
})


class AttachmentsFrozen(Exception):
    """The letter is approved or stamped: its attachments cannot change."""


def validate_attachment_file(value) -> None:
    # Only a new upload is judged: a stored file was judged when it came in.
    if value and not getattr(value, "_committed", True):
        validate_upload(value.file, kinds=DOCUMENT_KINDS)


def _attachment_path(instance, filename: str) -> str:
    return f"letters/attachments/{timezone.now():%Y}/{filename}"


class LetterAttachment(Orderable):
    """A file that goes with the letter; listed in the PDF's attachment list,
    with the start of its SHA-256 once the letter is stamped."""

    letter = ParentalKey(Letter, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"), upload_to=_attachment_path, blank=True, validators=[validate_attachment_file],
        help_text=_("PDF, picture or Office document. Its SHA-256 is printed in the stamped letter."),
    )
    original_name = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)

    # What the seal binds: written only while the letter is a draft.
    CONTENT_FIELDS = ("title", "file", "sha256")

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.title

    def _letter_status(self) -> str | None:
        return Letter.objects.filter(pk=self.letter_id).values_list("status", flat=True).first()

    def _stored(self) -> dict | None:
        if self.pk is None:
            return None
        return LetterAttachment.objects.filter(pk=self.pk).values(*self.CONTENT_FIELDS).first()

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            upload = self.file.file
            ext = validate_upload(upload, kinds=DOCUMENT_KINDS)
            self.original_name = os.path.basename(upload.name or "")[:255]
            self.sha256, self.size = upload_sha256(upload), upload.size
            self.file.name = safe_name(self.original_name, ext)
        elif not self.file:
            self.original_name, self.size, self.sha256 = "", None, ""
        if self._letter_status() in FROZEN_STATUSES:
            stored = self._stored()
            # Wagtail re-saves children when it publishes the approved revision:
            # the same content again is allowed, anything else is refused.
            if stored is None or any(stored[f] != ((self.file.name or "") if f == "file" else getattr(self, f))
                                     for f in self.CONTENT_FIELDS):
                raise AttachmentsFrozen(_("The letter is approved or stamped: its attachments cannot change."))
        super().save(*args, **kwargs)


@receiver(pre_delete, sender=LetterAttachment)
def _refuse_deleting_frozen_attachments(sender, instance, **kwargs):
    # modelcluster removes children with a queryset delete, which skips
    # Model.delete(); the signal still fires for every row.
    if instance._letter_status() in FROZEN_STATUSES:
        raise AttachmentsFrozen(_("The letter is approved or stamped: its attachments cannot change."))


class SealUse(models.Model):
    """The seal-use register (用章登记): one row per use of a centre's seal."""

    centre = models.ForeignKey("portal.Centre", on_delete=models.PROTECT, related_name="+", verbose_name=_("centre"))
    letter = models.OneToOneField(Letter, on_delete=models.PROTECT, related_name="seal_use", verbose_name=_("letter"))
    doc_number = models.CharField(_("document number"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("applicant"))
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by (leader)"))
    keeper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("seal keeper"))
    leader_approved_at = models.DateTimeField(_("leader approved at"))
    keeper_approved_at = models.DateTimeField(_("seal use approved at"))
    used_at = models.DateTimeField(_("sealed at"))
    pdf_sha256 = models.CharField(_("SHA-256"), max_length=64)
    # The certificate the seal signed with, so that a letter stays verifiable
    # after the centre installs a new certificate.
    certificate_pem = models.TextField(editable=False)

    class Meta:
        verbose_name = _("seal use")
        verbose_name_plural = _("seal-use register")
        ordering = ["-used_at"]

    def __str__(self):
        return f"{self.doc_number} · {timezone.localtime(self.used_at):%Y-%m-%d %H:%M}"
