"""Hot issues in the admin: the follow-up officer names who follows each,
writes the response plan and, once it is handled, closes it with the
outcome (tenants.feedback.hot: the close and reopen services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, ObjectList

from portal.access import centres_for
from portal.admin_scoping import ScopedAdminForm, ScopedSnippetViewSet
from portal.models.accounts import StaffMembership, User
from tenants.feedback.hot import hot_issue_close, hot_issue_reopen
from tenants.feedback.models import HotIssue
from tenants.feedback.selectors import (
    board_centres_followed_by,
    hot_issues_visible_to_staff,
)


def _staff_of_my_centres(user):
    members = StaffMembership.objects.active().filter(centre__in=board_centres_followed_by(user)).values("user")
    return User.objects.filter(pk__in=members).order_by("full_name", "email")


class HotIssueForm(ScopedAdminForm):
    scoped_fields = {"centre": board_centres_followed_by, "owner": _staff_of_my_centres}
    closed = forms.BooleanField(
        label=gettext_lazy("Handled: close the issue"), required=False,
        help_text=gettext_lazy("Write the outcome first. New posts of its kind then make a new hot issue."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closed"].initial = self.instance.closed_at is not None

    def clean(self):
        data = super().clean()
        owner, centre = data.get("owner"), data.get("centre")
        if owner is not None and centre is not None and not centres_for(owner).filter(pk=centre.pk).exists():
            self.add_error("owner", _("The person following the issue must work at its centre."))
        if data.get("closed") and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("Say what was done before closing the issue."))
        return data

    def save(self, commit=True):
        # The fields are saved as any snippet's; closing or reopening is a
        # state change of its own, through its service (audited there).
        issue = super().save(commit=commit)
        if not commit:
            return issue
        if self.cleaned_data.get("closed") and issue.closed_at is None:
            return hot_issue_close(actor=self.for_user, issue=issue, outcome=issue.outcome)
        if not self.cleaned_data.get("closed") and issue.closed_at is not None:
            return hot_issue_reopen(actor=self.for_user, issue=issue)
        return issue


class HotIssueViewSet(ScopedSnippetViewSet):
    model = HotIssue
    icon = "warning"
    menu_label = gettext_lazy("Hot issues")
    list_display = ["title", "centre", "kind", "owner", "created_at", "closed_at"]
    list_filter = ["kind", "closed_at"]
    edit_handler = ObjectList(
        [FieldPanel("centre"), FieldPanel("kind"), FieldPanel("title"), FieldPanel("owner"),
         FieldPanel("response_plan", widget=forms.Textarea(attrs={"rows": 6})),
         FieldPanel("outcome", widget=forms.Textarea(attrs={"rows": 4})), FieldPanel("closed")],
        base_form_class=HotIssueForm,
    )

    @staticmethod
    def scope(user):
        return hot_issues_visible_to_staff(user).select_related("centre", "owner")
