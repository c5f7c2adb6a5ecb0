"""The approval step of the board's workflows, decided at the record's centre.

Wagtail's GroupApprovalTask asks "is the user in group X": any centre's staff
would do. A reply is approved by the department responsible for its request
*at the post's centre*, the telephone block by a leader of the centre; and
nobody approves what they drafted themselves.

A reply is submitted only to a department that has someone at the centre,
other than its drafter, to approve it (admin_replies.ReplyForm asks
`reply_review_problem`). One submitted before that rule, or whose last
approver left or was deactivated since, would wait for nobody: a leader of
the centre (and the superuser) may then decide it instead — it appears under
their "Awaiting your review", as the telephone block does. A leader, not the
operations staff: 4.16 has the company's leadership answer for what the board
says when no department can, and a leader already approves the board's
telephone numbers. Never the drafter, in either case."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task

from portal.access import centre_ids_for
from portal.decided_task import DecidedAtCentre
from portal.models.accounts import Department, Role, StaffMembership


class Approver(models.TextChoices):
    DEPARTMENT = "department", _("The department responsible, at the centre")
    LEADER = "leader", _("A leader of the centre")


def _is_department_member(user, centre_id: int, department: str) -> bool:
    return bool(department) and StaffMembership.objects.active().filter(
        user=user, centre_id=centre_id, department=department
    ).exists()


def department_approvers(centre_id: int, department: str, *, besides=None):
    """The active members of `department` at the centre, less `besides`
    (the drafter): who may approve a reply reviewed by that department."""
    members = StaffMembership.objects.active().filter(centre_id=centre_id, department=department).exclude(department="")
    return members.exclude(user=besides) if besides is not None else members


def departments_with_approvers(centre_ids, *, besides=None) -> set[str]:
    """The departments with someone other than `besides` to approve, at any of
    `centre_ids` (the form's choices, before a post is chosen)."""
    members = StaffMembership.objects.active().filter(centre_id__in=centre_ids).exclude(department="")
    if besides is not None:
        members = members.exclude(user=besides)
    return set(members.values_list("department", flat=True).distinct())


def reply_review_problem(post, department: str, drafter):
    """Why a reply on `post` cannot go to `department` for review, or None.

    The department is the one responsible for the post's request when the
    service desk named one (the drafter cannot send it to a friendlier
    department); otherwise the drafter's choice, among the departments that
    have an approver at the post's centre other than the drafter."""
    sr = getattr(post, "service_request", None)
    assigned = sr.department if sr is not None else ""
    if assigned and department != assigned:
        return gettext("The request is assigned to the %(department)s: its reply is reviewed there.") % {
            "department": sr.get_department_display()}
    if department_approvers(post.centre_id, department, besides=drafter).exists():
        return None
    named = {"department": Department(department).label if department in Department.values else department,
             "centre": post.centre}
    if assigned:
        return gettext("Nobody in the %(department)s at %(centre)s other than you can approve a reply, and the "
                       "request is assigned to it: ask an administrator to add an approver there, or have the "
                       "request assigned to another department.") % named
    return gettext("Nobody in the %(department)s at %(centre)s other than you can approve a reply: choose a "
                   "department with an approver, or ask an administrator to add one.") % named


def _stuck():
    """No active member of the reply's department at its centre besides its
    drafter: a condition on the reply row."""
    others = StaffMembership.objects.active().filter(
        centre_id=models.OuterRef("post__centre_id"), department=models.OuterRef("department"),
    ).exclude(department="").exclude(user_id=models.OuterRef("drafter_id"))
    return ~models.Exists(others)


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
        stuck_here = models.Q(post__centre_id__in=centre_ids_for(user, [Role.LEADER])) & _stuck()
        qs = FeedbackReply.objects.filter(models.Exists(in_department) | stuck_here)
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
        centre_id = obj.post.centre_id
        if _is_department_member(user, centre_id, obj.department):
            return True
        # The fallback for a reply nobody in its department can approve.
        return (centre_id in centre_ids_for(user, [Role.LEADER])
                and not department_approvers(centre_id, obj.department, besides=obj.drafter_id).exists())

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
