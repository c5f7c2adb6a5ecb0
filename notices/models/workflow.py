"""An approval step decided by a role *at the letter's centre*.

Wagtail's GroupApprovalTask asks "is the user in group X" — any centre's
leader would do. Letters need "a leader of this letter's centre, who is not
its drafter", so the task asks portal.access instead."""

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task

from portal.access import centre_ids_for, centres_for
from portal.decided_task import DecidedAtCentre
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


class CentreRoleApprovalTask(DecidedAtCentre, Task):
    kind_field = "role"

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

    # Decisions are taken on the letter page (notices.admin.letters.letter_decide),
    # which saves nothing; the service checks the rule under the letter's row lock.
    @staticmethod
    def decide(**kwargs):
        from notices.services.decisions import task_decide

        task_decide(**kwargs)

    @staticmethod
    def decidable_ids(user, role):
        return _letter_ids_decided_by(user, role)

    @classmethod
    def get_description(cls):
        return _("Holders of the chosen role at the letter's centre approve this step; never the drafter.")
