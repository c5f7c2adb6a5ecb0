"""Wagtail's "awaiting your review" list, found in a few queries.

`TaskState.objects.reviewable_by(user)` — behind the admin home's
moderation panel — asks every active task in turn; a `GroupApprovalTask`
(each centre's page review step, portal.pages.site) answers with a query
of its own, so the home page ran one query per centre for everyone, even
for people who review nothing. Here all group approval tasks are answered
by one query on the user's groups. A kind of task that can say what all its
tasks let a person decide at once (a `task_states_reviewable_by(user)`
class method, as the letters' `CentreRoleApprovalTask` has) does so without
its tasks being loaded; any other kind still answers task by task."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, Task, TaskState, WorkflowMixin
from wagtail.models.workflows import BaseTaskStateManager
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.snippets.models import get_snippet_models
from wagtail.workflows import get_task_types

from .admin_home import WorkItem
from .patching import wrap_once


def _reviewable_by(original):
    def reviewable_by(self, user):
        group_tasks = GroupApprovalTask.objects.filter(active=True)
        if not user.is_superuser:
            group_tasks = group_tasks.filter(groups__user=user)
        states = self.get_queryset().filter(status=TaskState.STATUS_IN_PROGRESS, task__in=group_tasks.values("pk"))
        for model in get_task_types():
            if model is GroupApprovalTask:
                continue
            in_bulk = getattr(model, "task_states_reviewable_by", None)
            if in_bulk is not None:
                states = states | in_bulk(user)
                continue
            own = Task.objects.filter(active=True, content_type=ContentType.objects.get_for_model(model))
            for task in own.specific():
                states = states | task.get_task_states_user_can_moderate(user=user)
        return states

    return reviewable_by


def review_work_items(user):
    """An `atrium_work_items` provider: what Wagtail's "Awaiting your review"
    panel lists (pages, letters, feedback replies), counted with the other
    figures of "Waiting for you" — which otherwise said "nothing is waiting"
    above a panel listing a page to approve. The link goes to that panel."""
    return [WorkItem(_("awaiting your review"), TaskState.objects.reviewable_by(user), "#awaiting-review-section")]


def bound_review_queries() -> None:
    wrap_once(BaseTaskStateManager, "reviewable_by", _reviewable_by)


# Wagtail's home panels about pages and workflows, and what makes each worth
# its queries for a given person.
_PAGE_PANELS = {"recent_edits", "locked_pages"}
_SUBMITTER_PANEL = "user_objects_in_workflow_moderation"


def _edits_pages(user) -> bool:
    # The page permissions are already loaded for the menu (and kept on the
    # user by Wagtail's policy): no query of its own.
    return PagePermissionPolicy().user_has_any_permission(user, {"add", "change", "publish", "lock", "unlock"})


def _submits_to_workflows(user) -> bool:
    """Pages, or a snippet with a workflow (a letter) the user may change."""
    if _edits_pages(user):
        return True
    return any(
        user.has_perm(f"{model._meta.app_label}.change_{model._meta.model_name}")
        for model in get_snippet_models()
        if issubclass(model, WorkflowMixin)
    )


def drop_idle_panels(request, panels) -> None:
    """A `construct_homepage_panels` hook: Wagtail's page and workflow panels
    (recent edits, locked pages, my submissions) left out for the staff to
    whom they can never show anything — most of them, who edit no page and
    draft no letter — so their home page does not pay their queries."""
    user = request.user
    if user.is_superuser:
        return
    drop = set()
    if not _edits_pages(user):
        drop |= _PAGE_PANELS
    if not _submits_to_workflows(user):
        drop.add(_SUBMITTER_PANEL)
    panels[:] = [panel for panel in panels if getattr(panel, "name", None) not in drop]
