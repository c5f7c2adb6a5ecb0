"""R18 (4.16): a page is approved by a reviewer who did not write it.

Each centre's review step is a plain GroupApprovalTask (portal.pages.site): it
asks only "is the user in the centre's reviewer group". Someone who holds both
the web editor and the web reviewer role at a centre would pass that for a
page they wrote themselves. Wagtail offers no hook on task actions, so its
task and its two action views are wrapped once at start-up (portal.patching):

- the task no longer offers "approve" to the page's author — the person who
  submitted it to the workflow or wrote its latest revision;
- a POST that asks for it anyway (the workflow action view, or the edit view's
  workflow action) is refused with a message that says why, and audited;
- a reviewer who changes the page in the editor and presses "approve" would
  become the author of the revision they approve: the edit is kept as a
  draft revision and the message says so (_edit_form_valid);
- the task's own `on_action` refuses too, for any other caller;
- a draft saved while the page is in review (a reviewer's "save draft",
  autosave) starts the step again on that version, whose writer may then
  not approve it: another reviewer's one approval publishes exactly it
  (restart_step_on_a_saved_draft, an `after_edit_page` hook).

Letters have their own task (notices.models.workflow), which already refuses
the drafter; this concerns page review only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.views.generic.workflow import WorkflowAction
from wagtail.admin.views.pages.edit import EditView
from wagtail.models import GroupApprovalTask, Page, TaskState

from portal.audit import audit_record
from portal.patching import wrap_once

APPROVE = "approve"


def _message() -> str:
    return _("You wrote this page or submitted it for review: another reviewer of the centre must approve it.")


def _edited_message() -> str:
    return _("You changed this page's content, and the rules do not let you approve a version you changed: "
             "your changes are saved; please leave the approval to another reviewer.")


def is_own_work(obj, user) -> bool:
    """Did `user` submit `obj` to its workflow or write its latest revision?"""
    if not isinstance(obj, Page) or not getattr(user, "is_authenticated", False):
        return False
    state = obj.current_workflow_state
    if state is not None and state.requested_by_id == user.pk:
        return True
    revision = obj.get_latest_revision()
    return revision is not None and revision.user_id == user.pk


def _refuse(request, page, task, *, edited: bool = False) -> str:
    """Audit the refusal and return the message that says why."""
    audit_record(actor=request.user, action="pages.self_approval_refused", obj=page,
                 details={"page": page.pk, "task": task.pk if task else None, "edited": edited}, request=request)
    return _edited_message() if edited else _message()


def _get_actions(original):
    def get_actions(self, obj, user):
        actions = original(self, obj, user)
        if actions and is_own_work(obj, user):
            return [action for action in actions if action[0] != APPROVE]
        return actions

    return get_actions


def _on_action(original):
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == APPROVE and is_own_work(task_state.workflow_state.content_object, user):
            raise PermissionDenied(_message())
        return original(self, task_state, user, action_name, **kwargs)

    return on_action


def _workflow_action_dispatch(original):
    def dispatch(self, request, *args, **kwargs):
        if (self.action_name == APPROVE and isinstance(self.task, GroupApprovalTask)
                and isinstance(self.object, Page) and is_own_work(self.object, request.user)):
            messages.error(request, _refuse(request, self.object, self.task))
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                # The approve-with-comment modal: it closes and opens the
                # editor, where the message waits (a redirect would leave it blank).
                return self.render_modal_json(request, {"step": "success", "redirect": self.redirect_url})
            return redirect(self.redirect_url)
        return original(self, request, *args, **kwargs)

    return dispatch


def _approves(request) -> bool:
    return bool(request.POST.get("action-workflow-action")) and request.POST.get("workflow-action-name") == APPROVE


def _edit_form_valid(original):
    """The edit view's "approve" button posts the whole form. Wagtail saves a
    changed form as a revision in the clicker's name and then approves — the
    task refuses (on_action), and the transaction around the action
    (portal.pages.one_decision) rolls the edit back: the reviewer lost their
    text and saw only "no permission" on the dashboard.

    Real software keeps the work and declines the approval: the form is saved
    as Wagtail's "save draft" would save it, the step starts again on that
    version, and the message says why it is not approved. The edit is not
    thrown away because the reviewer meant it; it is not approved because
    nobody else has read it (R18). The next reviewer sees that revision and
    approves exactly it. The same holds when the reviewer's edit was saved
    before the click (autosave, another tab), and for the page's own author,
    who is not offered "approve" (a forged or stale click)."""
    def form_valid(self, form):
        task, user = self.page.current_workflow_task, self.request.user
        if not (_approves(self.request) and isinstance(task, GroupApprovalTask)
                and self.action_name in ("perform_workflow_action", "save")):
            return original(self, form)
        saves = form.has_changed()
        if not saves and not is_own_work(self.page, user):
            return original(self, form)
        # Own work without a change now: the latest revision is theirs, or they submitted it.
        edited = saves or getattr(self.workflow_state, "requested_by_id", None) != user.pk
        message = _refuse(self.request, self.page, task, edited=edited)
        with transaction.atomic():
            if saves:
                self.has_content_changes = True
                # One message, in place of "page updated": saved, and why not approved.
                self.add_save_confirmation_message = lambda: messages.warning(self.request, message)
                response = self.save_action()
            else:
                messages.error(self.request, message)
                response = redirect(reverse("wagtailadmin_pages:edit", args=(self.page.pk,)))
            _restart_step_on_the_edit(self.workflow_state, user)
        return response

    return form_valid


def _restart_step_on_the_edit(workflow_state, user) -> None:
    """The project approves revisions, not pages
    (WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT): an approval of the step as
    it started would count for the version before the edit, Wagtail would
    then start the step again, and the next reviewer would have to approve
    twice. The step starts again now, on the edited version (Wagtail's own
    cancel-and-resume), and its other reviewers are told it awaits them.
    The step's row is locked first: two saves at once restart it once."""
    if workflow_state is None:
        return
    with transaction.atomic():
        state = TaskState.objects.select_for_update().filter(
            pk=workflow_state.current_task_state_id, status=TaskState.STATUS_IN_PROGRESS).first()
        latest = state.workflow_state.content_object.get_latest_revision() if state else None
        if latest is not None and state.revision_id != latest.pk:
            state.cancel(user=user, resume=True)


def restart_step_on_a_saved_draft(request, page):
    """An `after_edit_page` hook. Whoever saves a draft of a page in review
    (a reviewer's "save draft", the editor's autosave) changes the version
    the step is to decide, but Wagtail leaves the step on the version it
    started with: the next reviewer's approval counted for that older version
    and only started the step again, so they approved twice. The step starts
    again on the saved draft, as after an approval refused for an edit; the
    draft's writer is then its author (is_own_work) and may not approve it.
    An autosave that overwrites the session's own draft keeps its revision:
    the step is not restarted (nor its reviewers told) at every keystroke."""
    _restart_step_on_the_edit(page.current_workflow_state, request.user)


def refuse_own_publish_on_edit(request, page):
    """A `before_edit_page` hook: the editor's "publish" button, which the
    reviewer group's publish permission offers, would skip the review
    altogether: the page's author may not use it. ("Approve" is decided once
    the form is read: _edit_form_valid.)"""
    if request.method != "POST" or not request.POST.get("action-publish"):
        return None
    if page.get_workflow() is not None and is_own_work(page, request.user):
        messages.error(request, _refuse(request, page, page.current_workflow_task))
        return redirect(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
    return None


def refuse_publish_on_create(request, parent_page, page_class):
    """A `before_create_page` hook: whoever creates a page wrote it, so under
    a review workflow it is submitted, never published by them."""
    if request.method == "POST" and request.POST.get("action-publish") and parent_page.get_workflow() is not None:
        audit_record(actor=request.user, action="pages.self_approval_refused", obj=parent_page,
                     details={"parent": parent_page.pk, "created": True}, request=request)
        messages.error(request, _message())
        return redirect(reverse("wagtailadmin_pages:add", args=(
            page_class._meta.app_label, page_class._meta.model_name, parent_page.pk)))
    return None


def hide_own_publish(menu_items, request, context):
    """A `construct_page_action_menu` hook: no "publish" button for the
    page's author under a review workflow (they submit it instead)."""
    page, parent = context.get("page"), context.get("parent_page")
    if context.get("view") == "create":
        own = parent is not None and parent.get_workflow() is not None
    else:
        own = page is not None and page.pk is not None and page.get_workflow() is not None and is_own_work(
            page, request.user)
    if own:
        menu_items[:] = [item for item in menu_items if getattr(item, "name", "") != "action-publish"]


def refuse_self_approval() -> None:
    wrap_once(GroupApprovalTask, "get_actions", _get_actions)
    wrap_once(GroupApprovalTask, "on_action", _on_action)
    wrap_once(WorkflowAction, "dispatch", _workflow_action_dispatch)
    wrap_once(EditView, "form_valid", _edit_form_valid)
