"""The approver's buttons on a record's own page.

Records approved by a workflow step decided at their centre (a feedback
reply, the board's telephone block) could only be approved from the admin
home's "Awaiting your review": the person reading the reply had no button
under it. Their inspect page shows "Approve" and "Return to drafter", with a
comment, to whoever may decide the step now. The buttons post to Wagtail's
own workflow action view (the task's rule is checked again there, and the
domain's service decides under the record's row lock), which brings the
person back to this page."""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.urls import reverse
from wagtail.snippets.views.snippets import InspectView

from .decided_task import pending_decision


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
