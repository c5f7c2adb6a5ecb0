"""A page's review step is decided once, however many clicks arrive.

Wagtail checks that a workflow action is available when the request starts
and acts later (the edit view saves the form and a revision in between).
Two reviewers pressing "approve" together, or one pressing twice, both pass
the check; the second then finds the task already decided — the edit view
fails with a 500 ('NoneType' has no attribute 'on_action'), and the modal
approves the same task state a second time, which can move a longer
workflow past a step nobody reviewed.

Both page paths are wrapped (Wagtail has no hook between check and action,
portal.patching): the action runs in a transaction that first locks the
current task state's row, then checks again — under the lock — that it is
still in progress and that the action is still offered to this person.
The second click waits for the first, then gets a message and the page's
place in the explorer. Letters and feedback replies decide under their own
row locks (portal/decided_task.py); their workflow action view
(portal.admin_decisions.DecidedWorkflowAction) gives the click that lost
their service's message (StepAlreadyDecided) instead of a 500."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.views.generic.workflow import WorkflowAction
from wagtail.admin.views.pages.edit import EditView
from wagtail.models import Page, TaskState

from portal.patching import wrap_once


def _still_in_progress(task_state_id: int | None) -> bool:
    """Lock the task state's row (until the transaction ends) and say
    whether it still awaits a decision."""
    if task_state_id is None:
        return False
    locked = TaskState.objects.select_for_update().filter(pk=task_state_id).values_list("status", flat=True).first()
    return locked == TaskState.STATUS_IN_PROGRESS


def _already_decided(request, page):
    """The message, and the page's place in the explorer, where its state
    shows (the editor itself may no longer be open to a reviewer)."""
    messages.error(request, _("“%(title)s” had already been decided by another reviewer (or by your earlier click): "
                              "nothing was changed.") % {"title": page.get_admin_display_title()})
    return reverse("wagtailadmin_explore", args=(page.get_parent().pk,))


def _edit_view_action(original):
    def perform_workflow_action(self):
        with transaction.atomic():
            # The step as the request found it (Wagtail loads the workflow
            # state first): if a first click moved the workflow on to a next
            # step, this click was not meant for that one.
            seen = getattr(self.workflow_state, "current_task_state_id", None)
            if not _still_in_progress(seen) or not self.workflow_action_is_valid():
                return redirect(_already_decided(self.request, self.page))
            return original(self)

    return perform_workflow_action


def _modal_action(original):
    def post(self, request, *args, **kwargs):
        if not isinstance(self.object, Page):
            # Letters and board records: portal.admin_decisions.DecidedWorkflowAction.
            return original(self, request, *args, **kwargs)
        with transaction.atomic():
            if not _still_in_progress(self.task_state.pk):
                listing = _already_decided(request, self.object)
                if request.headers.get("x-requested-with") == "XMLHttpRequest":
                    # The modal closes and opens the listing, where the message is.
                    return self.render_modal_json(request, {"step": "success", "redirect": listing})
                return redirect(listing)
            return original(self, request, *args, **kwargs)

    return post


def decide_pages_once() -> None:
    wrap_once(EditView, "perform_workflow_action", _edit_view_action)
    wrap_once(WorkflowAction, "post", _modal_action)
