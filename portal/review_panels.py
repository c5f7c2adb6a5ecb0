"""Wagtail's two workflow panels on the admin home, showing the same rows
in a fixed number of queries.

Wagtail's "Awaiting your review" asked, for every letter listed, which
revision is the latest and the status of each task of its workflow: two
queries per letter (a leader with ten letters to approve paid twenty). Here
the statuses of every listed workflow come from one query, the letters with
their latest revision from one, and each task in its own kind (whose
`get_actions` applies) with the task states themselves.
"Your pages and snippets in a workflow" likewise loads each letter with its
latest revision in one query instead of two."""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.home import (
    UserObjectsInWorkflowModerationPanel,
    WorkflowObjectsToModeratePanel,
)
from wagtail.models import (
    DraftStateMixin,
    Page,
    Revision,
    Task,
    TaskState,
    WorkflowMixin,
    WorkflowState,
    get_default_page_content_type,
)
from wagtail.snippets.models import get_snippet_models
from wagtail.workflows import get_task_types


def _with_latest_revision() -> list:
    # `latest_str` shows a snippet's latest revision's title: fetched with it.
    return [
        model._default_manager.select_related("latest_revision")
        for model in get_snippet_models()
        if issubclass(model, WorkflowMixin) and issubclass(model, DraftStateMixin)
    ]


def _applicable_task_states():
    """The task states that count for a workflow state (OuterRef "pk"), as
    in `WorkflowState._get_applicable_task_states`."""
    states = TaskState.objects.filter(workflow_state_id=OuterRef("pk"))
    if getattr(settings, "WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT", False):
        latest = (
            TaskState.objects.filter(
                workflow_state_id=OuterRef(OuterRef("pk")),
                revision__base_content_type_id=OuterRef(OuterRef("base_content_type_id")),
                revision__object_id=OuterRef(OuterRef("object_id")),
            )
            .order_by("-revision__created_at", "-revision_id")
            .values("revision_id")[:1]
        )
        states = states.filter(revision_id=Subquery(latest))
    return states


def tasks_with_status(workflow_states) -> dict[int, list[Task]]:
    """`workflow_state.all_tasks_with_status()` for many workflow states, in
    one query: each workflow's tasks in order, with `status` and
    `status_display` for that workflow state."""
    ids = {state.pk for state in workflow_states}
    if not ids:
        return {}
    status = (
        _applicable_task_states()
        .filter(task_id=OuterRef("task_id"))
        .order_by("-started_at", "-id")
        .values("status")[:1]
    )
    rows = (
        WorkflowState.objects.filter(pk__in=ids, workflow__workflow_tasks__isnull=False)
        .annotate(
            task_id=F("workflow__workflow_tasks__task_id"),
            task_name=F("workflow__workflow_tasks__task__name"),
            task_type=F("workflow__workflow_tasks__task__content_type_id"),
            task_active=F("workflow__workflow_tasks__task__active"),
            task_order=F("workflow__workflow_tasks__sort_order"),
        )
        .annotate(task_status=Subquery(status))
        .order_by("pk", "task_order")
        .values_list("pk", "task_id", "task_name", "task_type", "task_active", "task_status")
    )
    choices = dict(TaskState.STATUS_CHOICES)
    found: dict[int, list[Task]] = defaultdict(list)
    for state_id, task_id, name, type_id, active, task_status in rows:
        task = Task(pk=task_id, name=name, content_type_id=type_id, active=active)
        task.status = task_status
        task.status_display = choices.get(task_status, _("Not started"))
        found[state_id].append(task)
    return found


def _kinds_of_task() -> dict[type, str]:
    """Each kind of task that extends `Task` directly, with the name of its
    row as seen from the task (`task.centreroleapprovaltask`)."""
    return {model: model._meta.parents[Task].remote_field.get_accessor_name()
            for model in get_task_types() if Task in model._meta.parents}


def _specific_tasks(states) -> dict[int, Task]:
    """Each task in its own kind (whose `get_actions` applies), from the rows
    loaded with the task states; a kind further down asks once per kind."""
    kinds = _kinds_of_task()
    found, further = {}, defaultdict(set)
    for state in states:
        model = ContentType.objects.get_for_id(state.task.content_type_id).model_class()
        if model is Task:
            found[state.task_id] = state.task
        elif model in kinds:
            found[state.task_id] = getattr(state.task, kinds[model])
        else:
            further[model].add(state.task_id)
    for model, ids in further.items():
        found.update(model._default_manager.in_bulk(ids))
    return found


class AwaitingReviewPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's "Awaiting your review": the same rows, the same template."""

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        context = {"states": [], "request": request, "csrf_token": parent_context["csrf_token"]}
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return context
        states = list(
            TaskState.objects.reviewable_by(request.user)
            .select_related("revision", "revision__user", "workflow_state", "workflow_state__workflow", "task",
                            *(f"task__{name}" for name in _kinds_of_task().values()))
            .prefetch_related(GenericPrefetch("revision__content_object", _with_latest_revision()))
            .order_by("-started_at")
            .annotate(previous_revision_id=Revision.objects.previous_revision_id_subquery())
        )
        # Skip task states whose object no longer exists, as Wagtail does.
        states = [state for state in states if state.revision.content_object]
        tasks = tasks_with_status([state.workflow_state for state in states])
        specific = _specific_tasks(states)
        for state in states:
            context["states"].append(self._row(state, specific[state.task_id], tasks.get(state.workflow_state_id, []), request))
        return context

    @staticmethod
    def _row(state, task, workflow_tasks, request) -> dict:
        obj = state.revision.content_object
        if isinstance(obj, Page):
            names = ("wagtailadmin_pages:workflow_action", "wagtailadmin_pages:workflow_preview",
                     "wagtailadmin_pages:revisions_compare")
        else:
            viewset = obj.snippet_viewset
            names = tuple(viewset.get_url_name(name) for name in ("workflow_action", "workflow_preview", "revisions_compare"))
        return {
            "obj": obj,
            "revision": state.revision,
            "previous_revision_id": state.previous_revision_id,
            "live_revision_id": obj.live_revision_id,
            "task_state": state,
            "actions": task.get_actions(obj, request.user),
            "workflow_tasks": workflow_tasks,
            "workflow_action_url_name": names[0],
            "workflow_preview_url_name": names[1] if getattr(obj, "is_previewable", False) else None,
            "revisions_compare_url_name": names[2],
        }


class MySubmissionsPanel(UserObjectsInWorkflowModerationPanel):
    """Wagtail's "Your pages and snippets in a workflow", each snippet
    loaded with its latest revision in the same query."""

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True):
            return {"workflow_states": WorkflowState.objects.none(), "request": request}
        # Wagtail's rows (its own comments say why the page ids are cast).
        pages_owned = Q(base_content_type_id=get_default_page_content_type().id) & Exists(
            Page.objects.filter(owner=request.user, id=Cast(OuterRef("object_id"), output_field=IntegerField()))
        )
        states = (
            WorkflowState.objects.active()
            .filter(pages_owned | Q(requested_by=request.user))
            .prefetch_related(GenericPrefetch("content_object", _with_latest_revision()))
            .select_related("current_task_state", "current_task_state__task")
            .order_by("-current_task_state__started_at")
        )
        return {"workflow_states": [state for state in states if state.content_object], "request": request}


def use_bounded_workflow_panels(request, panels) -> None:
    """A `construct_homepage_panels` hook: Wagtail's two workflow panels
    replaced by the ones above, in their place."""
    ours = {WorkflowObjectsToModeratePanel: AwaitingReviewPanel, UserObjectsInWorkflowModerationPanel: MySubmissionsPanel}
    panels[:] = [ours[type(panel)]() if type(panel) in ours else panel for panel in panels]
