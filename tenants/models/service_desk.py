"""The one-stop service desk: the request log (《诉求(需求)记录表》), its
deadlines (003 §六, 004 §5.3) and the timeline of what was said and done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models.accounts import Department
from portal.models.base import TimelineEvent, UploadedPhoto
from tenants.models.archive import Centre, Contact, Tenant


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("24-hour hotline")
    WINDOW = "window", _("Service window")
    PORTAL = "portal", _("Tenant portal")
    VISIT = "visit", _("Visit")
    MEETING = "meeting", _("Tenant meeting")
    WEB = "web", _("Website / forum")


class RequestCategory(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    REPAIR = "repair", _("Repair")
    COMPLAINT = "complaint", _("Complaint")
    ENQUIRY = "enquiry", _("Enquiry")
    SUGGESTION = "suggestion", _("Suggestion")


class Severity(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary")
    MAJOR = "major", _("Major")


class RequestStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("request status", "New")
    IN_PROGRESS = "in_progress", _("In progress")
    CLOSED = "closed", _("Closed")


class Milestone(models.TextChoices):
    RESPONSE = "response", _("First response")
    ANSWER = "answer", _("Initial answer (major complaint)")
    RESOLUTION = "resolution", _("Resolution (complaint)")


@dataclass(frozen=True)
class Deadlines:
    response: timedelta
    answer: timedelta
    resolution: timedelta
    warn_before: timedelta


class DeadlinePolicy(models.Model):
    """A centre's deadline table. A centre without a row uses the defaults of
    the procedure: 24 h first response, 3 days for an ordinary complaint,
    48 h for the initial answer to a major complaint."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="deadline_policy", verbose_name=_("centre"))
    response_hours = models.PositiveIntegerField(_("first response within (hours)"), default=24, validators=[MinValueValidator(1)])
    complaint_resolution_hours = models.PositiveIntegerField(
        _("ordinary complaint resolved within (hours)"), default=72, validators=[MinValueValidator(1)]
    )
    major_answer_hours = models.PositiveIntegerField(
        _("major complaint initial answer within (hours)"), default=48, validators=[MinValueValidator(1)]
    )
    warn_before_hours = models.PositiveIntegerField(
        _("warn the assignee this many hours before"), default=4, validators=[MinValueValidator(1)]
    )
    # R7 (4.5): recordings are kept at least 30 days, then purged.
    recording_retention_days = models.PositiveIntegerField(
        _("keep call recordings for (days)"), default=30, validators=[MinValueValidator(30)],
        help_text=_("At least 30 days. Recordings on hold are kept until released."),
    )

    class Meta:
        verbose_name = _("deadline table")
        verbose_name_plural = _("deadline tables")
        constraints = [
            models.CheckConstraint(
                condition=Q(response_hours__gte=1) & Q(complaint_resolution_hours__gte=1) & Q(major_answer_hours__gte=1)
                & Q(warn_before_hours__gte=1),
                name="deadline_policy_hours_positive",
            ),
            models.CheckConstraint(condition=Q(recording_retention_days__gte=30), name="recording_retention_at_least_30"),
        ]

    def __str__(self):
        return f"{self.centre} · {self.response_hours}h / {self.complaint_resolution_hours}h / {self.major_answer_hours}h"

    @classmethod
    def for_centre(cls, centre) -> Deadlines:
        policy = cls.objects.filter(centre=centre).first() or cls(centre=centre)
        return policy.as_deadlines()

    @classmethod
    def recording_retention(cls, centre) -> int:
        days = cls.objects.filter(centre=centre).values_list("recording_retention_days", flat=True).first()
        return max(days or 30, 30)

    def as_deadlines(self) -> Deadlines:
        return Deadlines(
            response=timedelta(hours=self.response_hours),
            answer=timedelta(hours=self.major_answer_hours),
            resolution=timedelta(hours=self.complaint_resolution_hours),
            warn_before=timedelta(hours=self.warn_before_hours),
        )


# What stands where a request's tenant is printed when it has none: a member
# of the public's board post, about the centre.
PUBLIC_POST = _("Public post")


class ServiceRequestQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(status=RequestStatus.CLOSED)

    def overdue(self, now=None):
        now = now or timezone.now()
        return self.open().filter(
            Q(responded_at__isnull=True, response_due__lt=now)
            | Q(answered_at__isnull=True, answer_due__lt=now)
            | Q(resolution_due__lt=now)  # open, so not resolved yet
        )


class ServiceRequest(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("centre"))
    number = models.CharField(_("number"), max_length=40, unique=True, editable=False)
    # Empty for a member of the public's board post (4.16: every post is a
    # request of the log): such a request is about the centre, not a shop,
    # until the officer names the shop it concerns (board_post_link). Only
    # the board records one (request_create with from_board).
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="service_requests",
                               verbose_name=_("tenant"))
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="service_requests", verbose_name=_("contact")
    )
    # Kept as text as well: the person who called may not be a recorded contact.
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=20, choices=RequestCategory.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.ORDINARY)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    department = models.CharField(_("assigned department"), max_length=20, choices=Department.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_requests",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.NEW, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # Deadlines are computed once, on creation, from the centre's table: a
    # later change of the table must not move a promise already made.
    response_due = models.DateTimeField(_("first response due"))
    answer_due = models.DateTimeField(_("initial answer due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("initial answer at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    is_repeat_complaint = models.BooleanField(_("repeat complaint"), default=False)
    rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("rating comment"), blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("request log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["centre", "status", "-created_at"]),
            models.Index(fields=["tenant", "-created_at"]),
            # The request log's default order, for a centre's staff.
            models.Index(fields=["centre", "-created_at", "-id"], name="request_centre_newest"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="request_rating_1_to_5"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(status="closed"), name="request_rated_only_when_closed"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="request_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(is_repeat_complaint=False) | Q(category="complaint"), name="request_repeat_only_complaint"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def tenant_label(self) -> str:
        """Who the request is from, as lists and forms print it: the tenant,
        or "Public post" for a request about the centre (no tenant)."""
        return str(self.tenant) if self.tenant_id else str(PUBLIC_POST)

    @property
    def tenant_name(self) -> str:
        """The shop's trading name, or "Public post": the record form's cell."""
        return self.tenant.trading_name if self.tenant_id else str(PUBLIC_POST)

    @property
    def from_public_post(self) -> bool:
        """Raised by a member of the public on the feedback board (4.16). The
        shop it concerns, once named, is its subject, not who asked: its
        contacts read and answer it but do not rate or reopen it."""
        if self.channel != Channel.WEB:
            return False
        try:
            return self.feedback_post.tenant_id is None
        except ObjectDoesNotExist:  # a web request recorded by staff, not from the board
            return False

    @property
    def is_open(self) -> bool:
        return self.status != RequestStatus.CLOSED

    @property
    def awaits_initial_answer(self) -> bool:
        """A major complaint whose initial answer (初步处理意见) is not given
        yet: only then does a staff reply offer to count as that answer."""
        return self.answer_due is not None and self.answered_at is None

    def is_overdue(self, now=None) -> bool:
        """Past a deadline not yet met: the row-level twin of
        ``ServiceRequest.objects.overdue()``."""
        now = now or timezone.now()
        if not self.is_open:
            return False
        return (
            (self.responded_at is None and self.response_due is not None and self.response_due < now)
            or (self.answered_at is None and self.answer_due is not None and self.answer_due < now)
            or (self.resolution_due is not None and self.resolution_due < now)
        )

    def milestones(self, now=None) -> list[dict]:
        """Each deadline with its state: met, missed, due or overdue."""
        now = now or timezone.now()
        rows = [(Milestone.RESPONSE, self.response_due, self.responded_at)]
        if self.answer_due:
            rows.append((Milestone.ANSWER, self.answer_due, self.answered_at))
        if self.resolution_due:
            rows.append((Milestone.RESOLUTION, self.resolution_due, self.closed_at))
        out = []
        for milestone, due, done in rows:
            if done:
                state = "met" if done <= due else "missed"
            else:
                state = "overdue" if now > due else "due"
            out.append({"milestone": milestone, "label": Milestone(milestone).label, "due": due, "done": done, "state": state})
        return out


class RequestEntry(TimelineEvent):
    """One line of a request's timeline. Notes are internal to staff."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Recorded")
        REPLY = "reply", _("Reply")
        NOTE = "note", _("Internal note")
        ASSIGNED = "assigned", _("Assigned")
        STATUS = "status", _("Status change")
        ESCALATED = "escalated", _("Escalated")
        RATED = "rated", _("Rated")
        RECLASSIFIED = "reclassified", _("Category corrected")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    public = models.BooleanField(_("visible to the tenant"), default=True)
    from_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RequestStatus.choices, blank=True)

    class Meta(TimelineEvent.Meta):
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="note") | Q(public=False), name="request_note_is_internal"),
        ]

    def __str__(self):
        return f"{self.request.number} {self.get_kind_display()}"


def _photo_path(instance, filename):
    return f"requests/{instance.request.centre_id}/{instance.request_id}/{filename}"


class RequestPhoto(UploadedPhoto):
    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(RequestEntry, on_delete=models.SET_NULL, null=True, blank=True, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=300)

    def __str__(self):
        return f"{self.request.number} photo {self.pk}"


class DeadlineAlert(models.Model):
    """A warning or an escalation that was sent. The unique constraint is
    what makes the sweep safe to run twice: a second run finds the row."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Warning before the deadline")
        ESCALATION = "escalation", _("Escalation after the deadline")

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="alerts")
    milestone = models.CharField(max_length=20, choices=Milestone.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            # `due` is part of the key: a reopened complaint gets a new
            # resolution deadline, and that one deserves its own alerts.
            models.UniqueConstraint(fields=["request", "milestone", "kind", "due"], name="deadline_alert_once"),
        ]

    def __str__(self):
        return f"{self.request.number} {self.milestone} {self.kind}"
