"""Deciding a step of a letter's approval chain (4.8.4): the leader's
approval, then the seal keeper's. Wagtail's workflow engine keeps the chain;
every decision, from the letter page or from Wagtail's own buttons, comes
through task_decide, which takes the letter's row lock so that of two
approvers who press at the same moment one decides and the other is told
who did and when."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import TaskState, WorkflowState

from notices.models import Letter
from notices.services.letters import LetterError
from portal.decided_task import StepAlreadyDecided


class AlreadyDecided(LetterError, StepAlreadyDecided):
    """Another approver decided this step first (or the drafter withdrew the
    letter): the message says who, when and what, for the one who lost."""

    def __init__(self, task_state: TaskState):
        self.task_state = task_state
        super().__init__(decided_message(task_state))


def decided_message(task_state: TaskState) -> str:
    who = task_state.finished_by
    decisions = {
        TaskState.STATUS_APPROVED: _("approved"),
        TaskState.STATUS_REJECTED: _("returned to the drafter"),
        TaskState.STATUS_CANCELLED: _("withdrawn"),
    }
    when = timezone.localtime(task_state.finished_at) if task_state.finished_at else None
    return _("%(step)s was already decided by %(name)s at %(when)s (%(decision)s). Nothing more to do.") % {
        "step": task_state.task.name,
        "name": who.get_full_name() if who else _("someone else"),
        "when": when.strftime("%Y-%m-%d %H:%M") if when else "—",
        "decision": decisions.get(task_state.status, task_state.get_status_display()),
    }


def task_decide(*, task_state: TaskState, user, action: str, **kwargs) -> None:
    """Decide one step of a letter's chain, once. The letter's row is locked
    and the step read again under that lock, so of two approvers who press at
    the same moment the second is told who decided (AlreadyDecided) and no
    approval, audit event or seal use is recorded twice. The letter page
    (letter_decide) and Wagtail's workflow actions both come through here."""
    if action not in ("approve", "reject"):
        raise PermissionDenied(_("Unknown decision."))
    with transaction.atomic():
        letter = Letter.objects.select_for_update().get(pk=task_state.workflow_state.object_id)
        fresh = TaskState.objects.select_related("task", "finished_by", "workflow_state").get(pk=task_state.pk)
        task = fresh.task.specific
        if not task.user_may_decide(letter, user):
            raise PermissionDenied(_("You may not decide this step of the letter's approval."))
        if fresh.status != TaskState.STATUS_IN_PROGRESS:
            raise AlreadyDecided(fresh)
        fresh = fresh.specific
        if action == "approve":
            fresh.approve(user=user, **kwargs)
        else:
            fresh.reject(user=user, **kwargs)


def last_decided_by_peer(letter, user) -> TaskState | None:
    """The newest finished step of the letter's latest chain that `user` could
    have decided: what they lost to when the step they meant is not waiting."""
    newest = WorkflowState.objects.for_instance(letter).order_by("-created_at", "-pk").first()
    if newest is None:
        return None
    finished = (
        newest.task_states.exclude(status=TaskState.STATUS_IN_PROGRESS).filter(finished_at__isnull=False)
        .select_related("task", "finished_by").order_by("-finished_at")
    )
    for task_state in finished:
        if task_state.task.specific.user_may_decide(letter, user):
            return task_state
    return None


def letter_decide(*, letter: Letter, user, approve: bool, comment: str = "", task_state_id: int | None = None) -> None:
    """An approver's decision on the step they saw on the letter page
    (`task_state_id`; without it, the letter's current step). The task checks
    that the user holds the step's role at the letter's centre; a step someone
    else decided first gives AlreadyDecided, which says who and when."""
    task_state = _step_to_decide(letter, user, task_state_id)
    if not approve and not comment.strip():
        raise LetterError(_("Say what should change when returning a letter."))
    task_decide(task_state=task_state, user=user, action="approve" if approve else "reject", comment=comment.strip())


def _step_to_decide(letter: Letter, user, task_state_id: int | None) -> TaskState:
    if task_state_id:
        task_state = TaskState.objects.filter(
            pk=task_state_id, workflow_state__base_content_type=letter.get_base_content_type(),
            workflow_state__object_id=str(letter.pk),
        ).first()
        if task_state is None:
            raise LetterError(_("The letter is not waiting for a decision."))
        if task_state.status != TaskState.STATUS_IN_PROGRESS and task_state.task.specific.user_may_decide(letter, user):
            raise AlreadyDecided(task_state)
        return task_state  # task_decide reads it again under the letter's lock
    state = WorkflowState.objects.for_instance(letter).active().first()
    task_state = state.current_task_state if state else None
    waiting = task_state is not None and task_state.status == TaskState.STATUS_IN_PROGRESS
    if not waiting or not task_state.task.specific.user_may_decide(letter, user):
        # The step this approver meant has moved on: say who moved it.
        peer = last_decided_by_peer(letter, user)
        if peer is not None:
            raise AlreadyDecided(peer)
    if not waiting:
        raise LetterError(_("The letter is not waiting for a decision."))
    return task_state
