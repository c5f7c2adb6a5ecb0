"""The feedback board's records. A post is one request of the service desk
(the request log is where it is followed); what the board adds is the
post's place on the board (moderation), the reply that waits for approval,
the hot issue it belongs to and the centre's telephone block."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, RevisionMixin, WorkflowMixin

from portal.models.accounts import Department
from portal.models.organisation import Centre, phone_validator
from tenants.models.archive import Tenant
from tenants.models.service_desk import RequestCategory, ServiceRequest


class PostKind(models.TextChoices):
    SUGGESTION = "suggestion", _("Suggestion")
    COMPLAINT = "complaint", _("Complaint")
    QUESTION = "question", _("Question")


# What each kind of post is in the request log.
REQUEST_CATEGORY = {
    PostKind.SUGGESTION: RequestCategory.SUGGESTION,
    PostKind.COMPLAINT: RequestCategory.COMPLAINT,
    PostKind.QUESTION: RequestCategory.ENQUIRY,
}


class BoardSettings(models.Model):
    """A centre's board settings. A centre without a row takes no posts from
    the public: only its signed-in tenants post."""

    centre = models.OneToOneField(Centre, on_delete=models.CASCADE, related_name="feedback_settings",
                                  verbose_name=_("centre"))
    public_may_post = models.BooleanField(
        _("the public may post"), default=False,
        help_text=_("Posts from people who are not signed in are held until staff approve them."),
    )

    class Meta:
        verbose_name = _("feedback board settings")
        verbose_name_plural = _("feedback board settings")

    def __str__(self):
        return str(self.centre)

    @classmethod
    def public_posting(cls, centre) -> bool:
        return cls.objects.filter(centre=centre, public_may_post=True).exists()


class Visibility(models.TextChoices):
    SHOWN = "shown", _("Shown on the board")
    HELD = "held", _("Held for moderation")
    HIDDEN = "hidden", _("Hidden by staff")


class HotIssue(models.Model):
    """Posts on one topic, followed by a named person with a response plan
    (4.16: 热点问题…应有专人跟进,制订应对措施)."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="hot_issues", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    title = models.CharField(_("topic"), max_length=200)
    response_plan = models.TextField(_("response plan"), blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("followed by"))
    marked_by_staff = models.BooleanField(_("marked by staff"), default=False, editable=False)
    created_at = models.DateTimeField(_("found at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # What was done, written when the issue is closed (it goes into the
    # audit event too): the answer to "how was it handled?" a year later.
    outcome = models.TextField(_("outcome"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", editable=False, verbose_name=_("closed by"))

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class FeedbackPost(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="feedback_posts", verbose_name=_("centre"))
    service_request = models.OneToOneField(
        ServiceRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_post",
        verbose_name=_("request"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("posted by"))
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback_posts",
                               verbose_name=_("tenant"))
    # A member of the public: the name they give and, if they want an answer
    # by email, their address. Never shown on the board.
    public_name = models.CharField(_("name"), max_length=100, blank=True)
    public_email = models.EmailField(_("email"), blank=True)
    visibility = models.CharField(_("on the board"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.SHOWN, db_index=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("moderated by"))
    hot_issue = models.ForeignKey(HotIssue, on_delete=models.SET_NULL, null=True, blank=True, related_name="posts",
                                  verbose_name=_("hot issue"))
    created_at = models.DateTimeField(_("posted at"), default=timezone.now, db_index=True)
    # The tenant's portal notice: a published reply not yet seen on /my/.
    reply_unseen = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("feedback post")
        verbose_name_plural = _("feedback posts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["centre", "visibility", "-created_at"], name="feedback_board_newest")]
        constraints = [
            # A post is a tenant's (signed in) or a member of the public's.
            models.CheckConstraint(condition=Q(tenant__isnull=False) | ~Q(public_name=""),
                                   name="feedback_post_has_poster"),
        ]

    def __str__(self):
        return self.subject

    @property
    def from_public(self) -> bool:
        return self.tenant_id is None


class FeedbackReply(WorkflowMixin, DraftStateMixin, RevisionMixin, models.Model):
    """A staff reply to a post: a draft until the department responsible for
    the request approves it; its approval publishes it under the post."""

    post = models.ForeignKey(FeedbackPost, on_delete=models.PROTECT, related_name="replies", verbose_name=_("post"))
    body = models.TextField(_("reply"))
    department = models.CharField(_("reviewing department"), max_length=20, choices=Department.choices,
                                  help_text=_("The department responsible for the request approves the reply."))
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                editable=False, verbose_name=_("drafted by"))
    created_at = models.DateTimeField(_("drafted at"), default=timezone.now, editable=False)
    # Set once, by the first publication: the request's timeline entry and
    # the poster's notification follow from it, and never twice.
    announced_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("feedback reply")
        verbose_name_plural = _("feedback replies")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.post} · {self.body[:40]}"

    @property
    def centre_id(self):
        return self.post.centre_id


class PhoneBlock(WorkflowMixin, DraftStateMixin, RevisionMixin, models.Model):
    """The centre's telephone numbers shown on its board; shown only once a
    leader of the centre approved them (4.16: 在公司领导授权的情况下)."""

    centre = models.OneToOneField(Centre, on_delete=models.PROTECT, related_name="feedback_phones",
                                  verbose_name=_("centre"))
    emergency = models.CharField(_("emergency telephone"), max_length=30, validators=[phone_validator])
    service = models.CharField(_("daily service telephone"), max_length=30, validators=[phone_validator])
    complaint = models.CharField(_("complaint telephone"), max_length=30, validators=[phone_validator])
    government = models.CharField(_("government complaint telephone"), max_length=30, default="12345",
                                  validators=[phone_validator])
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                editable=False, verbose_name=_("drafted by"))

    class Meta:
        verbose_name = _("board telephone numbers")
        verbose_name_plural = _("board telephone numbers")

    def __str__(self):
        return f"{self.centre} · {self.service}"
