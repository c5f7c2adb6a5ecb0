"""The reply, the telephone block and the board settings as snippet
viewsets, and the board's menu group (hot issues: admin_hot.py). Replies and the telephone block are drafted here and go
through their Wagtail workflow (tenants.feedback.workflows); nobody holds a
"publish" permission for them, so only the approval publishes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.views.snippets import CreateView, SnippetViewSetGroup

from portal.admin_decisions import DecidedWorkflowAction, InspectWithDecisionView
from portal.admin_scoping import ScopedAdminForm, ScopedSnippetViewSet
from tenants.admin.policies import CentreSettingViewSet
from tenants.feedback.admin_hot import HotIssueViewSet
from tenants.feedback.admin_posts import FeedbackPostViewSet
from tenants.feedback.approval import departments_with_approvers, reply_review_problem
from tenants.feedback.decisions import BoardStepDecided
from tenants.feedback.models import (
    BoardSettings,
    FeedbackPost,
    FeedbackReply,
    HotIssue,
    PhoneBlock,
)
from tenants.feedback.selectors import (
    board_centres_followed_by,
    phone_blocks_visible_to_staff,
    replies_visible_to_staff,
)


def _posts_followed_by(user):
    return FeedbackPost.objects.filter(centre__in=board_centres_followed_by(user)).select_related("centre")


class DrafterCreateView(CreateView):
    """The person who saves the first draft is its drafter: never an approver."""

    def get_initial_form_instance(self):
        instance = super().get_initial_form_instance() or self.model()
        post = self.request.GET.get("post", "")
        if post.isdigit() and isinstance(instance, FeedbackReply):
            found = _posts_followed_by(self.request.user).filter(pk=int(post)).first()
            if found is not None:
                instance.post = found
                if found.service_request_id and found.service_request.department:
                    instance.department = found.service_request.department
        return instance

    def save_instance(self):
        self.form.instance.drafter = self.request.user
        return super().save_instance()


class ReplyForm(ScopedAdminForm):
    """A reply goes only to a department that can approve it: the choices
    offer the departments with an approver besides the drafter (at the post's
    centre, or at the centres the user follows before a post is chosen), and
    saving — a draft or a submission — checks the chosen post's centre."""

    scoped_fields = {"post": _posts_followed_by}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("department")
        if field is None:
            return
        post = self.instance.post if self.instance.post_id else None
        centres = [post.centre_id] if post else board_centres_followed_by(self.for_user).values_list("pk", flat=True)
        usable = departments_with_approvers(list(centres), besides=self._drafter())
        if self.instance.department:
            usable.add(self.instance.department)  # kept, so the refusal names what is missing
        # Offered, not enforced here: a department chosen anyway (a form opened
        # before its last approver left) gets clean()'s message, which says
        # what is missing, rather than "not a valid choice".
        field.widget.choices = [(v, label) for v, label in field.choices if not v or v in usable]

    def _drafter(self):
        return self.instance.drafter if self.instance.drafter_id else self.for_user

    def clean(self):
        cleaned = super().clean()
        post, department = cleaned.get("post"), cleaned.get("department")
        if post is not None and department:
            problem = reply_review_problem(post, department, self._drafter())
            if problem:
                self.add_error("department", problem)
        return cleaned

    def clean_body(self):
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            raise ValidationError(_("Write the reply first."))
        return body


class BoardWorkflowAction(DecidedWorkflowAction):
    """A reply's or the telephone block's step decided meanwhile: back to its page, with the message."""

    def already_decided(self, task_state):
        return BoardStepDecided(_("This step was already decided."))


class FeedbackReplyViewSet(ScopedSnippetViewSet):
    model = FeedbackReply
    icon = "comment"
    menu_label = gettext_lazy("Feedback replies")
    add_view_class = DrafterCreateView
    inspect_view_enabled = True
    inspect_view_class = InspectWithDecisionView
    workflow_action_view_class = BoardWorkflowAction
    inspect_view_fields = ["post", "department", "body", "drafter", "created_at", "live"]
    list_display = ["post", "department", "drafter", "live", "created_at"]
    list_filter = ["live", "department"]
    edit_handler = ObjectList([FieldPanel("post"), FieldPanel("department"), FieldPanel("body")],
                              base_form_class=ReplyForm)

    @staticmethod
    def scope(user):
        return replies_visible_to_staff(user).select_related("post", "drafter")


class PhoneBlockForm(ScopedAdminForm):
    scoped_fields = {"centre": board_centres_followed_by}


class PhoneBlockViewSet(ScopedSnippetViewSet):
    model = PhoneBlock
    icon = "mobile-alt"
    menu_label = gettext_lazy("Board telephone numbers")
    add_view_class = DrafterCreateView
    inspect_view_enabled = True
    inspect_view_class = InspectWithDecisionView
    workflow_action_view_class = BoardWorkflowAction
    inspect_view_fields = ["centre", "emergency", "service", "complaint", "government", "drafter", "live"]
    list_display = ["centre", "emergency", "service", "complaint", "government", "live"]
    edit_handler = ObjectList(
        [FieldPanel("centre"), FieldPanel("emergency"), FieldPanel("service"), FieldPanel("complaint"),
         FieldPanel("government")],
        base_form_class=PhoneBlockForm,
    )

    @staticmethod
    def scope(user):
        return phone_blocks_visible_to_staff(user).select_related("centre")


class BoardSettingsViewSet(CentreSettingViewSet):
    model = BoardSettings
    icon = "cog"
    menu_label = gettext_lazy("Feedback board settings")
    setting_fields = ("public_may_post",)


class BoardGroup(SnippetViewSetGroup):
    menu_label = gettext_lazy("Feedback board")
    menu_icon = "comment"
    menu_order = 115
    items = (FeedbackPostViewSet, FeedbackReplyViewSet, HotIssueViewSet, PhoneBlockViewSet)


# Audited on every change made through their snippet views (tenants/wagtail_hooks.py);
# the posts change only through the services, audited there.
BOARD_MODELS = (FeedbackReply, PhoneBlock, HotIssue, BoardSettings)
