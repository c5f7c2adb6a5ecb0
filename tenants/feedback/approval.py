"""The approval step of the board's workflows, decided at the record's centre.

Wagtail's GroupApprovalTask asks "is the user in group X": any centre's staff
would do. A reply is approved by the department responsible for its request
*at the post's centre*, the telephone block by a leader of the centre; and
nobody approves what they drafted themselves."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task

from portal.access import centre_ids_for
from portal.decided_task import DecidedAtCentre
from portal.models.accounts import Role, StaffMembership


class Approver(models.TextChoices):
    DEPARTMENT = "department", _("The department responsible, at the centre")
    LEADER = "leader", _("A leader of the centre")


def _is_department_member(user, centre_id: int, department: str) -> bool:
    return bool(department) and StaffMembership.objects.active().filter(
        user=user, centre_id=centre_id, department=department
    ).exists()


def _decidable_ids(user, approver: str):
    """The ids (as text, like WorkflowState.object_id) of the records whose
    step `user` may decide."""
    from tenants.feedback.models import FeedbackReply, PhoneBlock

    if approver == Approver.LEADER:
        qs = PhoneBlock.objects.filter(centre_id__in=centre_ids_for(user, [Role.LEADER]))
    else:
        # A subquery, not a list read first: the admin home asks this inside
        # its one count of "awaiting your review" (no query of its own).
        in_department = StaffMembership.objects.active().filter(
            user=user, centre_id=models.OuterRef("post__centre_id"), department=models.OuterRef("department")
        ).exclude(department="")
        qs = FeedbackReply.objects.filter(models.Exists(in_department))
    return qs.exclude(drafter=user).annotate(pk_text=Cast("pk", models.CharField())).values("pk_text")


class BoardApprovalTask(DecidedAtCentre, Task):
    kind_field = "approver"

    approver = models.CharField(_("approved by"), max_length=20, choices=Approver.choices)

    admin_form_fields = [*Task.admin_form_fields, "approver"]

    class Meta:
        verbose_name = _("feedback board approval task")
        verbose_name_plural = _("feedback board approval tasks")

    def user_may_decide(self, obj, user) -> bool:
        if not getattr(user, "is_authenticated", False) or getattr(obj, "drafter_id", None) == user.pk:
            return False
        if self.approver == Approver.LEADER:
            return obj.centre_id in centre_ids_for(user, [Role.LEADER])
        return _is_department_member(user, obj.post.centre_id, obj.department)

    def user_can_access_editor(self, obj, user):
        return False

    # Two approvers at once are serialised on the record's row by the service.
    @staticmethod
    def decide(**kwargs):
        from tenants.feedback.decisions import board_task_decide

        board_task_decide(**kwargs)

    @staticmethod
    def decidable_ids(user, approver):
        return _decidable_ids(user, approver)

    @classmethod
    def get_description(cls):
        return _("The department responsible (a reply) or a leader (the telephone block) at the record's centre "
                 "approves; never the drafter.")
