"""The approver's buttons on a record's own page, and Wagtail's workflow
action view for records whose step is decided at their centre.

Records approved by a workflow step decided at their centre (a feedback
reply, the board's telephone block) could only be approved from the admin
home's "Awaiting your review": the person reading the reply had no button
under it. Their inspect page shows "Approve" and "Return to drafter", with a
comment, to whoever may decide the step now. The buttons post to Wagtail's
own workflow action view (the task's rule is checked again there, and the
domain's service decides under the record's row lock), which brings the
person back to this page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import reverse
from wagtail.models import TaskState
from wagtail.snippets.views.snippets import InspectView, WorkflowActionView

from .decided_task import StepAlreadyDecided, pending_decision


class InspectWithDecisionView(InspectView):
    template_name = "portal/admin/inspect_with_decision.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = pending_decision(self.object, self.request.user)
        if state is not None:
            name = self.object.snippet_viewset.get_url_name("workflow_action")
            context["decision"] = {
                action: reverse(name, args=(quote(self.object.pk), action, state.pk)) for action in ("approve", "reject")
            }
        return context


class DecidedWorkflowAction(WorkflowActionView):
    """Wagtail's approve / return buttons (the dashboard's "awaiting your
    review", the record's page) for a step decided at the record's centre: a
    step someone else decided meanwhile — before this request, or under the
    record's row lock while it ran — sends the approver to the record's page
    with the service's message (who decided, when) instead of a bare refusal
    or a 500. Subclasses name the record's page (`decided_url`) and the
    domain's "already decided" (`already_decided`)."""

    def already_decided(self, task_state: TaskState) -> StepAlreadyDecided:
        raise NotImplementedError

    def decided_url(self) -> str:
        return reverse(self.object.snippet_viewset.get_url_name("inspect"), args=(quote(self.object.pk),))

    def dispatch(self, request, *args, **kwargs):
        decided = self.task_state.status != TaskState.STATUS_IN_PROGRESS
        if decided and self.task.user_may_decide(self.object, request.user):
            return self._decided(request, self.already_decided(self.task_state))
        try:
            return super().dispatch(request, *args, **kwargs)
        except StepAlreadyDecided as lost:  # lost the race under the record's lock
            return self._decided(request, lost)

    def _decided(self, request, exc: StepAlreadyDecided):
        messages.info(request, str(exc))
        url = self.decided_url()
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return self.render_modal_json(request, {"step": "success", "redirect": url})
        return redirect(url)
