"""The shape shared by Atrium's approval steps that are decided *at the
record's centre* (a letter's leader and seal keeper, a feedback reply's
department, the board's telephone block's leader), rather than by Wagtail's
"is the user in group X" (any centre's member would pass).

A task model mixes this in before `wagtail.models.Task` and supplies:
- `kind_field`: the name of its field that says who decides (role, approver);
- `user_may_decide(obj, user)`: the rule for one record;
- `decidable_ids(user, kind)`: the ids, as text like WorkflowState.object_id,
  of the records `user` may decide for that kind — one subquery, so the admin
  home's review list costs no query of its own;
- `decide(task_state, user, action, **kwargs)`: the domain's service, which
  checks the rule again under the record's row lock (a forged POST, two
  approvers pressing at once)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.models import TaskState


class StepAlreadyDecided(Exception):
    """A task's service found the step decided meanwhile (another approver,
    or the same person's earlier click); the message says so. Wagtail's
    workflow action view turns it into a message
    (portal.admin_decisions.DecidedWorkflowAction)."""


class DecidedAtCentre:
    kind_field: str

    def locked_for_user(self, obj, user):
        # What an approver approves is exactly what was submitted: to change
        # it, they return it to the drafter.
        return True

    def user_can_lock(self, obj, user):
        return False

    def user_can_unlock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        if not self.user_may_decide(obj, user):
            return []
        return [
            ("reject", _("Return to drafter"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def on_action(self, task_state, user, action_name, **kwargs):
        self.decide(task_state=task_state, user=user, action=action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if not user.is_authenticated:
            return TaskState.objects.none()
        return self.task_states.filter(
            status=TaskState.STATUS_IN_PROGRESS,
            workflow_state__object_id__in=self.decidable_ids(user, getattr(self, self.kind_field)),
        )

    @classmethod
    def task_states_reviewable_by(cls, user):
        """What every active task of this kind lets `user` decide, without
        loading the tasks (portal/admin_review.py asks on each admin home):
        the same rule as `get_task_states_user_can_moderate`, per kind."""
        if not user.is_authenticated:
            return TaskState.objects.none()
        states = TaskState.objects.none()
        for kind, _label in cls._meta.get_field(cls.kind_field).choices:
            states |= TaskState.objects.filter(
                status=TaskState.STATUS_IN_PROGRESS, task__active=True,
                **{f"task__{cls._meta.model_name}__{cls.kind_field}": kind},
                workflow_state__object_id__in=cls.decidable_ids(user, kind),
            )
        return states


def pending_decision(obj, user) -> TaskState | None:
    """The task state of `obj` that `user` may decide now (an approval step
    decided at the record's centre), or None."""
    state = obj.current_workflow_task_state
    if state is None:
        return None
    task = state.task.specific
    if isinstance(task, DecidedAtCentre) and task.user_may_decide(obj, user):
        return state
    return None
