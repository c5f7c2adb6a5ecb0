"""An approval step decided by a role *at the letter's centre*.

Wagtail's GroupApprovalTask asks "is the user in group X" — any centre's
leader would do. Letters need "a leader of this letter's centre, who is not
its drafter", so the task asks portal.access instead."""

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

from portal.access import centre_ids_for, centres_for
from portal.models.accounts import Role


def _letter_ids_decided_by(user, role):
    from notices.models import Letter

    # WorkflowState.object_id is text; compare against the letters' ids as text.
    return (
        Letter.objects.filter(centre__in=centres_for(user, [role]))
        .exclude(drafter=user)
        .annotate(pk_text=Cast("pk", models.CharField()))
        .values("pk_text")
    )


class CentreRoleApprovalTask(Task):
    role = models.CharField(
        _("approving role"), max_length=20, choices=[(Role.LEADER, Role.LEADER.label), (Role.SEAL_KEEPER, Role.SEAL_KEEPER.label)]
    )

    admin_form_fields = [*Task.admin_form_fields, "role"]

    class Meta:
        verbose_name = _("centre role approval task")
        verbose_name_plural = _("centre role approval tasks")

    def user_may_decide(self, obj, user) -> bool:
        centre_id = getattr(obj, "centre_id", None)
        if centre_id is None or not user.is_authenticated:
            return False
        # Nobody approves their own letter, whatever roles they hold.
        if getattr(obj, "drafter_id", None) == user.pk:
            return False
        # By id, from the memberships the request holds: the review list on
        # the admin home asks this for every letter without loading its centre.
        return centre_id in centre_ids_for(user, [self.role])

    def user_can_access_editor(self, obj, user):
        return self.user_may_decide(obj, user)

    def locked_for_user(self, obj, user):
        # Nobody edits a letter while it is in approval: what the seal keeper
        # approves is exactly what the leader approved. To change it, an
        # approver returns it to the drafter. Decisions are taken on the
        # letter page (notices.admin.letters.letter_decide), which saves nothing.
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
        # The admin only offers actions from get_actions(), but a forged POST
        # must meet the same rule; and two approvers pressing at once must not
        # both act. The service checks both under the letter's row lock.
        from notices.services.decisions import task_decide

        task_decide(task_state=task_state, user=user, action=action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if not user.is_authenticated:
            return TaskState.objects.none()
        return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS,
                                       workflow_state__object_id__in=_letter_ids_decided_by(user, self.role))

    @classmethod
    def task_states_reviewable_by(cls, user):
        """What every active task of this kind lets `user` decide, without
        loading the tasks (portal/admin_review.py asks on each admin home):
        the same rule as `get_task_states_user_can_moderate`, per role."""
        if not user.is_authenticated:
            return TaskState.objects.none()
        states = TaskState.objects.none()
        for role, _label in cls._meta.get_field("role").choices:
            states |= TaskState.objects.filter(
                status=TaskState.STATUS_IN_PROGRESS, task__active=True, task__centreroleapprovaltask__role=role,
                workflow_state__object_id__in=_letter_ids_decided_by(user, role),
            )
        return states

    @classmethod
    def get_description(cls):
        return _("Holders of the chosen role at the letter's centre approve this step; never the drafter.")
