"""The board's posts in the admin: the listing and each post's page, where
the follow-up officer moderates, groups it into a hot issue and starts a
reply. A post changes only through these actions (the services), never an
edit form."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from portal.access import reaches_centres
from portal.admin_scoping import (
    InspectRowsIndexView,
    ScopedInspectView,
    ScopedSnippetViewSet,
)
from tenants.admin.feedback import refusal_to_messages
from tenants.feedback.decisions import BoardError
from tenants.feedback.hot import hot_issue_mark
from tenants.feedback.models import FeedbackPost, FeedbackReply, HotIssue, PhoneBlock
from tenants.feedback.selectors import (
    BOARD_READ_ROLES,
    follows_board,
    hot_issues_visible_to_staff,
    posts_visible_to_staff,
    published_replies,
)
from tenants.feedback.services import board_moderate, board_post_link
from tenants.models import Tenant, TenantStatus


class BoardReadPolicy(ModelPermissionPolicy):
    """Staff of a centre read its board's records (each of them may be the
    department asked to approve a reply); adding and changing are the
    follow-up officer's, by their role group's permissions."""

    def user_has_permission(self, user, action):
        if action == "view":
            return user.is_active and (user.is_superuser or reaches_centres(user, BOARD_READ_ROLES))
        return super().user_has_permission(user, action)


for _model in (FeedbackPost, FeedbackReply, HotIssue, PhoneBlock):
    register_permission_policy(_model, BoardReadPolicy(_model), exact_class=True)


class HotIssueChoice(forms.Form):
    hot_issue = forms.ModelChoiceField(queryset=HotIssue.objects.none(), required=False, label=gettext_lazy("Hot issue"))

    def __init__(self, *args, centre, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hot_issue"].queryset = hot_issues_visible_to_staff(user).filter(centre=centre, closed_at=None)


class TenantChoice(forms.Form):
    """Which tenant of the post's centre a member of the public's post concerns."""

    tenant = forms.ModelChoiceField(queryset=Tenant.objects.none(), label=gettext_lazy("Tenant concerned"))

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tenant"].queryset = Tenant.objects.filter(centre=centre).exclude(
            status=TenantStatus.LEFT).order_by("code")
        self.fields["tenant"].label_from_instance = lambda t: f"{t.code} {t.trading_name}"


class PostIndexView(InspectRowsIndexView):
    pass


class PostInspectView(ScopedInspectView):
    template_name = "tenants/feedback/admin/post_inspect.html"
    visible_to = staticmethod(posts_visible_to_staff)
    related = ("centre", "tenant", "service_request", "hot_issue")
    audit_action = "feedback.viewed"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        post, user = self.object, self.request.user
        follows = follows_board(user, post.centre_id)
        context.update(
            post=post, follows=follows, replies=post.replies.select_related("drafter").order_by("created_at"),
            published=published_replies(post),
            hot_form=HotIssueChoice(centre=post.centre, user=user, initial={"hot_issue": post.hot_issue_id}),
            reply_add_url=reverse("wagtailsnippets_tenants_feedbackreply:add") + f"?post={post.pk}",
            **{f"{name}_url": reverse("wagtailsnippets_tenants_feedbackpost:act", args=[post.pk, name])
               for name in ("show", "hide", "hot")},
        )
        # A public post's shop is named once: while its request has no tenant
        # (about the centre), or it has no request yet (hidden, or shown
        # before every shown post joined the log).
        if follows and post.from_public and (post.service_request is None or post.service_request.tenant_id is None):
            context["link_form"] = TenantChoice(centre=post.centre)
            context["link_url"] = reverse("wagtailsnippets_tenants_feedbackpost:act", args=[post.pk, "link"])
        if post.service_request_id:
            context["request_url"] = reverse("wagtailsnippets_tenants_servicerequest:inspect",
                                             args=[post.service_request_id])
        return context


@require_POST
def post_action(request, pk, action):
    post = get_object_or_404(posts_visible_to_staff(request.user), pk=pk)
    back = reverse("wagtailsnippets_tenants_feedbackpost:inspect", args=[post.pk])
    if action not in ("show", "hide", "hot", "link"):
        raise PermissionDenied
    try:
        if action == "link":
            form = TenantChoice(request.POST, centre=post.centre)
            if not form.is_valid():
                raise BoardError(_("Choose a tenant of the post's centre."))
            board_post_link(actor=request.user, post=post, tenant=form.cleaned_data["tenant"], request=request)
            messages.success(request, _("The post is in the request log, for the shop it concerns."))
        elif action == "hot":
            form = HotIssueChoice(request.POST, centre=post.centre, user=request.user)
            if not form.is_valid():
                raise BoardError(_("Choose one of the centre's open hot issues."))
            hot_issue_mark(actor=request.user, post=post, hot_issue=form.cleaned_data["hot_issue"], request=request)
            messages.success(request, _("Saved."))
        else:
            board_moderate(actor=request.user, post=post, show=action == "show", request=request)
            messages.success(request, _("The post is shown on the board.") if action == "show"
                             else _("The post is hidden from the board."))
    except BoardError as exc:
        refusal_to_messages(request, exc)
    return redirect(back)


class FeedbackPostViewSet(ScopedSnippetViewSet):
    model = FeedbackPost
    icon = "comment"
    menu_label = gettext_lazy("Feedback board")
    index_view_class = PostIndexView
    inspect_view_class = PostInspectView
    inspect_view_enabled = True
    list_display = ["subject", "kind", "centre", "tenant", "visibility", "hot_issue", "created_at"]
    list_filter = ["visibility", "kind"]
    ordering = ["-created_at", "-id"]

    @staticmethod
    def scope(user):
        return posts_visible_to_staff(user).select_related("centre", "tenant", "hot_issue")

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("act/<int:pk>/<slug:action>/", post_action, name="act")]
